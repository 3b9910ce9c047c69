// SPDX-License-Identifier: MIT
/* sear collapse: 'perf script' text to folded stacks, as stackcollapse-perf.pl writes them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph/collapse.h"
#include "cmd.h"

#define CHUNK (1 << 20)

static void collapse__usage(FILE *f)
{
	fputs("usage: sear collapse [options] [FILE] > out.folded\n"
	      "\n"
	      "Folds 'perf script' text (FILE or stdin) into one line per distinct stack,\n"
	      "exactly as stackcollapse-perf.pl's output, and much faster.\n"
	      "\n"
	      "  perf script | sear collapse > out.folded\n"
	      "  perf script | sear collapse | sear flamegraph > flame.svg\n"
	      "\n"
	      "  --pid                  root frames 'comm-PID'\n"
	      "                           perf script | sear collapse --pid\n"
	      "  --tid                  root frames 'comm-PID/TID'\n"
	      "                           perf script | sear collapse --tid\n"
	      "  --kernel               annotate kernel frames with _[k]\n"
	      "                           perf script | sear collapse --kernel\n"
	      "  --jit                  annotate JIT frames (from /tmp/perf-PID.map) with _[j]\n"
	      "                           perf script | sear collapse --jit\n"
	      "  --all                  all annotations: --kernel --jit\n"
	      "                           perf script | sear collapse --all\n"
	      "  -o, --output FILE      write here instead of stdout\n",
	      f);
}

int cmd_collapse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", no_argument, NULL, 'p' },    { "tid", no_argument, NULL, 't' },
		{ "kernel", no_argument, NULL, 'k' }, { "jit", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },    { "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },   { 0 },
	};
	struct collapse_opts opts = { 0 };
	const char *input = "-", *output = NULL;
	struct collapse *col = NULL;
	char *buf = NULL;
	struct output o = { .fd = -1 };
	FILE *out;
	bool first = true;
	int c, fd, ret = 1;
	ssize_t n;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opts.pid = true;
			break;
		case 't':
			opts.tid = true;
			break;
		case 'k':
			opts.kernel = true;
			break;
		case 'j':
			opts.jit = true;
			break;
		case 'a':
			opts.kernel = opts.jit = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			collapse__usage(stdout);
			return 0;
		default:
			fputs("run 'sear collapse --help' for the options\n", stderr);
			return 1;
		}
	}
	if (argc - optind > 1) {
		msg("give one input file, or none for stdin");
		return 1;
	}
	if (optind < argc)
		input = argv[optind];
	fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		msg("cannot open '%s': %s", input, errstr(errno));
		return 1;
	}
	if (output__open(&o, output ? output : "-", "folded"))
		goto out;
	if (output__is(&o, input)) {
		msg("'%s' is both the input and the output: write elsewhere", output);
		goto out;
	}
	col = collapse__new(&opts);
	buf = malloc(CHUNK);
	if (!col || !buf) {
		msg("out of memory");
		goto out;
	}
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msg("cannot read '%s': %s", input, errstr(errno));
			goto out;
		}
		if (first && n >= 8 && !memcmp(buf, "PERFILE2", 8)) {
			msg("'%s' is a perf.data file: use 'sear report %s -o out.folded', or "
			    "'perf script -i %s | sear collapse'",
			    input, input, input);
			goto out;
		}
		first = false;
		if (collapse__feed(col, buf, n)) {
			msg("out of memory");
			goto out;
		}
	}
	if (collapse__finish(col)) {
		msg("out of memory");
		goto out;
	}
	out = output__begin(&o);
	if (!out)
		goto out;
	if (collapse__write(col, out)) {
		msg("cannot write '%s': write failed (is the disk full?); what was there is kept",
		    output ? output : "stdout");
		goto out;
	}
	if (output__commit(&o))
		goto out;
	if (collapse__unrecognized(col))
		note("%llu lines of '%s' were not perf script samples or frames, and were skipped",
		     (unsigned long long)collapse__unrecognized(col), input);
	ret = 0;
out:
	output__abort(&o);
	if (fd > STDIN_FILENO)
		close(fd);
	collapse__free(col);
	free(buf);
	return ret;
}
