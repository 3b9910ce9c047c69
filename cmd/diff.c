// SPDX-License-Identifier: MIT
/*
 * sear diff: a differential flame graph of two profiles. The AFTER shape,
 * each frame coloured by how it changed (red grew, blue shrank), the two
 * scaled to the same total unless told not to.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph/flame.h"
#include "cmd.h"

static void diff__usage(FILE *f)
{
	fprintf(f,
		"usage: sear diff [options] BEFORE AFTER [-o OUT]\n"
		"\n"
		"Compares two profiles: .sear recordings, perf.data files or folded text\n"
		"(one of each works too). The graph has AFTER's shape; red frames grew,\n"
		"blue ones shrank, the deeper the more. Tooltips give both counts and the\n"
		"change. OUT is .svg, or .folded for difffolded's 'stack BEFORE AFTER'.\n"
		"\n"
		"  sear diff before.sear after.sear -o diff.svg\n"
		"  sear diff old.folded new.folded -o diff.folded\n"
		"\n"
		"  -o, --output FILE      .svg or .folded (default diff.svg)\n"
		"  --format FMT           svg or folded, whatever FILE's extension\n"
		"  --no-normalize         compare raw counts; by default BEFORE is scaled to\n"
		"                         AFTER's total, so a longer run does not look hotter\n"
		"  --negate               BEFORE's shape instead (red still means it grew)\n"
		"%s%s%s",
		load_options_help, names_options_help, svg_options_help);
}

struct diff_load {
	struct flame *f;
	bool before; /* loading the BEFORE profile */
	bool negate; /* the shape is BEFORE's */
};

static int diff__add(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		     uint64_t count, int64_t before)
{
	struct diff_load *d = ctx;
	bool shape = d->before == d->negate;

	(void)before; /* each input is one profile; a two-column input uses its AFTER column */
	return flame__add_diff(d->f, names, kinds, nr, shape ? count : 0, shape ? 0 : count);
}

static int diff__load(const char *path, const struct load_opts *lo, struct diff_load *d,
		      struct profile_info *info)
{
	int err = load__profile(path, lo, diff__add, d, info);

	if (err == -ENODATA)
		msg("'%s' is empty: nothing to compare", path);
	return err ? -1 : 0;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-normalize", no_argument, NULL, 'N' },
		{ "negate", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		LOAD_LONGOPTS,
		NAMES_LONGOPTS,
		SVG_LONGOPTS,
		{ 0 },
	};
	struct load_opts lo = { 0 };
	struct flame_svg_opts svg = { 0 };
	struct profile_info bi, ai;
	struct output out = { 0 };
	const char *output = "diff.svg", *format = NULL;
	struct diff_load d = { 0 };
	bool normalize = true;
	char title[600], subtitle[700];
	uint64_t shape_total, other_total;
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
		case 'N':
			normalize = false;
			break;
		case 'n':
			d.negate = true;
			break;
		case 'h':
			diff__usage(stdout);
			return 0;
		default:
			fputs("run 'sear diff --help' for the options\n", stderr);
			return 1;
		}
	}
	if (argc - optind != 2) {
		msg("name two inputs: sear diff BEFORE AFTER -o OUT (see 'sear diff --help')");
		return 1;
	}
	if (output__open(&out, output, format))
		return 1;
	if (out.format == OUT_SEAR || out.format == OUT_PPROF) {
		msg("diff writes .svg or .folded, not a %s",
		    out.format == OUT_SEAR ? "recording" : "pprof profile");
		goto out;
	}
	if (output__is(&out, argv[optind]) || output__is(&out, argv[optind + 1])) {
		msg("'%s' is an input and the output: write the diff elsewhere", output);
		goto out;
	}
	/* difffolded's columns are BEFORE AFTER whatever the shape: no negation in text. */
	if (out.format == OUT_FOLDED)
		d.negate = false;
	d.f = flame__new();
	if (!d.f) {
		msg("out of memory");
		goto out;
	}
	d.before = true;
	if (diff__load(argv[optind], &lo, &d, &bi))
		goto out;
	d.before = false;
	if (diff__load(argv[optind + 1], &lo, &d, &ai))
		goto out;
	if (!bi.samples || !ai.samples) {
		msg("'%s' has no samples to compare", bi.samples ? argv[optind + 1] : argv[optind]);
		goto out;
	}
	/* The other profile is scaled to the shape's total: the same work, the same width. */
	shape_total = d.negate ? bi.samples : ai.samples;
	other_total = d.negate ? ai.samples : bi.samples;
	svg.before_scale = normalize ? (double)shape_total / other_total : 1;
	svg.negate = d.negate;
	snprintf(title, sizeof(title), "Differential: %s vs %s", argv[optind], argv[optind + 1]);
	snprintf(subtitle, sizeof(subtitle),
		 "%s shape; before %llu samples, after %llu%s; red grew, blue shrank",
		 d.negate ? "BEFORE's" : "AFTER's", (unsigned long long)bi.samples,
		 (unsigned long long)ai.samples, normalize ? ", normalised" : "");
	if (!svg.title)
		svg.title = title;
	if (!svg.subtitle)
		svg.subtitle = subtitle;
	ret = output__write(&out, d.f, &svg) ? 1 : 0;
out:
	output__abort(&out);
	flame__free(d.f);
	return ret;
}
