// SPDX-License-Identifier: MIT
/* sear report: a .sear recording or a perf.data file, rendered again, sliced and shaped. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph/flame.h"
#include "cmd.h"

static void report__usage(FILE *f)
{
	fprintf(f,
		"usage: sear report [options] IN [-o OUT]\n"
		"\n"
		"Renders a recording again: IN is a .sear file (sear record -o x.sear), a\n"
		"perf.data file (perf record -g), or folded text; the format is read from\n"
		"the file, not its name. OUT is .svg, .folded, or .pb.gz for pprof (default:\n"
		"folded on stdout).\n"
		"\n"
		"  sear report run.sear -o flame.svg\n"
		"  sear report perf.data -o flame.svg\n"
		"  sear report run.sear --pid 4242 --from 10 --to 20 -o slice.svg\n"
		"  sear report run.sear --comm worker --inverted -o icicle.svg\n"
		"  sear report perf.data -o profile.pb.gz\n"
		"\n"
		"  -o, --output FILE      .svg, .folded or .pb.gz (pprof); '-': folded on stdout\n"
		"  --format FMT           svg or folded, whatever FILE's extension\n"
		"%s%s%s",
		load_options_help, names_options_help, svg_options_help);
}

/* pprof: written as it is read. Returns the exit status. */
static int report__pprof(const char *input, const struct load_opts *lo, struct output *out)
{
	struct profile_info info;
	FILE *f = output__begin(out);
	int err;

	if (!f)
		return 1;
	err = load__pprof(input, lo, f, &info);
	if (err == -ENODATA)
		msg("'%s' is empty: nothing to read", input);
	if (err) {
		output__abort(out);
		return 1;
	}
	if (!info.samples)
		msg("warning: no samples in '%s'", input);
	return output__commit(out) ? 1 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		LOAD_LONGOPTS,
		NAMES_LONGOPTS,
		SVG_LONGOPTS,
		{ 0 },
	};
	struct load_opts lo = { 0 };
	struct flame_svg_opts svg = { 0 };
	struct output out = { 0 };
	const char *output = "-", *format = NULL;
	struct profile_info info;
	char subtitle[512];
	struct flame *f = NULL;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r = svg_option(&svg, c, optarg);

		if (!r)
			r = load_option(&lo, c, optarg);
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			report__usage(stdout);
			return 0;
		default:
			fputs("run 'sear report --help' for the options\n", stderr);
			return 1;
		}
	}
	if (argc - optind != 1) {
		msg("name one input: sear report IN -o OUT (see 'sear report --help')");
		return 1;
	}
	/* Before reading: a bad output path should not cost the wait. */
	if (output__open(&out, output, format ? format : (strcmp(output, "-") ? NULL : "folded")))
		return 1;
	if (out.format == OUT_SEAR) {
		msg("report writes .svg, .folded or .pb.gz; '%s' is a recording already",
		    argv[optind]);
		goto out;
	}
	if (output__is(&out, argv[optind])) {
		msg("'%s' is both the input and the output: write the report elsewhere", output);
		goto out;
	}
	if (out.format == OUT_PPROF) {
		ret = report__pprof(argv[optind], &lo, &out);
		goto out;
	}
	f = flame__new();
	if (!f) {
		msg("out of memory");
		goto out;
	}
	if (load_flame(argv[optind], &lo, f, &info, false))
		goto out;
	profile_info__subtitle(&info, subtitle, sizeof(subtitle));
	profile_info__svg(&info, &svg);
	if (!svg.title)
		svg.title = info.title;
	if (!svg.subtitle)
		svg.subtitle = subtitle;
	if (!info.samples)
		msg("warning: no samples in '%s'%s", argv[optind],
		    sample_filter__active(&lo.filter) ? " pass the filters" : "");
	ret = output__write(&out, f, &svg) ? 1 : 0;
out:
	output__abort(&out);
	flame__free(f);
	return ret;
}
