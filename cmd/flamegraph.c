// SPDX-License-Identifier: MIT
/* sear flamegraph: folded text (or difffolded) to an SVG, as flamegraph.pl does. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph/flame.h"
#include "cmd.h"

static void flamegraph__usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sear flamegraph [options] [FILE] > graph.svg\n"
	    "\n"
	    "Renders folded stacks ('a;b;c 123' per line; FILE or stdin) as sear's\n"
	    "interactive SVG, taking flamegraph.pl's options. Two counts per line\n"
	    "(difffolded's 'a;b;c BEFORE AFTER') make a differential graph.\n"
	    "\n"
	    "  sear flamegraph out.folded > flame.svg\n"
	    "  perf script | sear collapse | sear flamegraph --title 'my app' > flame.svg\n"
	    "\n"
	    "  -o, --output FILE      write here instead of stdout\n"
	    "  --reverse              reverse each stack: the leaves become the roots\n"
	    "                           sear flamegraph --reverse --inverted in.folded > r.svg\n"
	    "  --negate               differential: swap the hues (red shrank, blue grew)\n"
	    "                           sear flamegraph --negate diff.folded > d.svg\n"
	    "%s",
	    svg_options_help);
}

int cmd_flamegraph(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "reverse", no_argument, NULL, 'r' },
		{ "negate", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		SVG_LONGOPTS,
		{ 0 },
	};
	struct flame_svg_opts svg = { 0 };
	struct load_opts lo = { 0 };
	struct profile_info info;
	struct output out = { 0 };
	const char *output = "-", *input;
	struct flame *f = NULL;
	int c, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (svg_option(&svg, c, optarg)) {
		case 1:
			continue;
		case -1:
			return 1;
		}
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'r':
			lo.reverse = true;
			break;
		case 'n':
			svg.negate = true;
			break;
		case 'h':
			flamegraph__usage(stdout);
			return 0;
		default:
			fputs("run 'sear flamegraph --help' for the options\n", stderr);
			return 1;
		}
	}
	if (argc - optind > 1) {
		msg("give one input file, or none for stdin");
		return 1;
	}
	input = optind < argc ? argv[optind] : "-";
	/* Before reading: a bad output path should not cost the wait. */
	if (output__open(&out, output, strcmp(output, "-") ? NULL : "svg"))
		return 1;
	if (output__is(&out, input)) {
		msg("'%s' is both the input and the output: write the graph elsewhere", output);
		return 1;
	}
	f = flame__new();
	if (!f) {
		msg("out of memory");
		goto out;
	}
	if (load_flame(input, &lo, f, &info, true))
		goto out;
	if (!flame__total(f))
		msg("warning: no stack counts found in '%s'", strcmp(input, "-") ? input : "stdin");
	ret = output__write(&out, f, &svg) ? 1 : 0;
out:
	flame__free(f);
	return ret;
}
