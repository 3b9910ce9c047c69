// SPDX-License-Identifier: MIT
/*
 * sear diff: a differential flame graph of two profiles, or difffolded's
 * two-column text. The AFTER shape, each frame coloured by how it changed
 * (red grew, blue shrank), frames only BEFORE had drawn hatched beside
 * their siblings, BEFORE scaled to AFTER by samples per second or by
 * totals.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flamegraph/diff.h"
#include "flamegraph/flame.h"
#include "lib/array.h"
#include "lib/io.h"
#include "lib/perfdata.h"
#include "lib/searfile.h"
#include "cmd.h"

#define INPUT_MAX (16ull << 30)

static void diff__usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sear diff [options] BEFORE AFTER [-o OUT]\n"
	    "\n"
	    "Compares two profiles: .sear recordings, perf.data files or folded text\n"
	    "(one of each works too). The graph has AFTER's shape: red frames grew,\n"
	    "blue ones shrank, the deeper the more, and frames only BEFORE had are\n"
	    "drawn hatched, at their BEFORE size, beside their siblings. Every tooltip\n"
	    "gives before, after and the change in samples, points and percent; the\n"
	    "search shows the matched share before and after.\n"
	    "\n"
	    "  sear diff before.sear after.sear -o diff.svg\n"
	    "  sear diff old.folded new.folded -o diff.folded\n"
	    "\n"
	    "  -o, --output FILE      .svg, or .folded for difffolded's 'STACK BEFORE AFTER'\n"
	    "                         (default diff.svg)\n"
	    "  --format FMT           svg or folded, whatever FILE's extension\n"
	    "  --normalize MODE       how BEFORE is scaled to AFTER: rate (samples per\n"
	    "                         second: both inputs must know their duration, as\n"
	    "                         .sear and perf.data do), total (the same total), none;\n"
	    "                         default: rate when both know it, else total\n"
	    "  -n                     --normalize total (difffolded's -n)\n"
	    "  --no-normalize         --normalize none\n"
	    "  -s, --strip-hex        hex numbers in names become 0x... (difffolded's -s)\n"
	    "  --exact-names          compare names as they are: by default V8's tier marks\n"
	    "                         (~f ^f +f *f), addresses (f+0x1f, [lib.so <7f1f>]) and\n"
	    "                         glibc's aliases (__memcpy_x is __memmove_x, __GI_x is x)\n"
	    "                         do not count as changes\n"
	    "  --negate               BEFORE's shape instead (red still means it grew)\n"
	    "  -q, --quiet            no notes\n"
	    "\n"
	    "  'sear diff -n --exact-names A B -o d.folded' writes what 'difffolded.pl -n A\n"
	    "  B' writes (sorted), and --normalize none what it writes without -n.\n"
	    "\n"
	    "%s%s%s",
	    load_options_help, names_options_help, svg_options_help);
}

enum diff_norm { NORM_AUTO, NORM_RATE, NORM_TOTAL, NORM_NONE };

struct diff_load {
	struct flame_diff *d;
	bool after;
};

static int diff__add(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		     uint64_t count, int64_t before)
{
	struct diff_load *l = ctx;

	(void)before; /* each input is one profile; a two-column input gives its AFTER column */
	return flame_diff__add(l->d, l->after, names, kinds, nr, count);
}

static bool diff__keep(void *ctx, const char *root)
{
	return sample_filter__comm(ctx, root);
}

/* Reads all of fd. Returns a new buffer of *len bytes, or NULL with errno. */
static char *diff__slurp(int fd, size_t *len)
{
	size_t cap = 0;
	char *buf = NULL;
	ssize_t got;

	*len = 0;
	do {
		if (*len + (1 << 20) > INPUT_MAX ||
		    array__grow((void **)&buf, &cap, *len + (1 << 20) + 1, 1)) {
			free(buf);
			errno = *len + (1 << 20) > INPUT_MAX ? EFBIG : ENOMEM;
			return NULL;
		}
		got = io__read_full(fd, buf + *len, 1 << 20);
		if (got < 0) {
			free(buf);
			errno = -got;
			return NULL;
		}
		*len += got;
	} while (got == (1 << 20));
	return buf;
}

/*
 * One input into the comparison: folded text read as difffolded.pl reads
 * it (stacks kept as written), a recording through the loader. Returns 0,
 * or -1 after saying why.
 */
static int diff__load(const char *path, const struct load_opts *lo, struct diff_load *l,
		      struct profile_info *info)
{
	bool std = !strcmp(path, "-");
	const char *name = std ? "stdin" : path;
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), err;
	size_t len, bad = 0;
	char *buf;

	memset(info, 0, sizeof(*info));
	if (fd < 0) {
		msg("cannot open '%s': %s", path, errstr(errno));
		return -1;
	}
	buf = diff__slurp(fd, &len);
	if (!buf) {
		msg("cannot read '%s': %s", name, errstr(errno));
		if (!std)
			close(fd);
		return -1;
	}
	if (!len) {
		msg("'%s' is empty: nothing to compare", name);
		err = -ENODATA;
	} else if (searfile__is_sear(buf, len) || perfdata__is_perfdata(buf, len)) {
		char fdpath[64];
		int mem = -1;

		/* The loader takes a path: a pipe's bytes get one. */
		if (std) {
			mem = memfd_create("sear-stdin", MFD_CLOEXEC);
			if (mem < 0 || io__write_all(mem, buf, len)) {
				msg("cannot read stdin: %s", errstr(errno));
				err = -EIO;
				goto out;
			}
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", mem);
		}
		err = load__profile(std ? fdpath : path, lo, diff__add, l, info);
		if (mem >= 0)
			close(mem);
		if (err == -ENOMEM)
			msg("out of memory");
	} else if (memchr(buf, '\0', len < 4096 ? len : 4096)) {
		msg("'%s' is not a .sear recording, a perf.data file or folded text", name);
		err = -EINVAL;
	} else if (sample_filter__needs_samples(&lo->filter)) {
		msg("'%s' is folded text, which has no pids, tids or times: --pid, --tid, --from "
		    "and --to need a .sear or perf.data input",
		    name);
		err = -EINVAL;
	} else {
		uint64_t before = flame_diff__total(l->d, l->after);

		err = flame_diff__add_folded(l->d, l->after, buf, len, lo->reverse,
					     lo->filter.nr_comms ? diff__keep : NULL,
					     (void *)&lo->filter, &bad);
		if (err)
			msg("out of memory");
		if (bad)
			note("%zu lines of '%s' are not 'STACK COUNT': each counts as an empty "
			     "stack "
			     "with no samples, as in difffolded.pl",
			     bad, name);
		info->samples = flame_diff__total(l->d, l->after) - before;
		snprintf(info->title, sizeof(info->title), "%s", path);
	}
out:
	free(buf);
	if (!std)
		close(fd);
	return err ? -1 : 0;
}

/* "851 samples in 1.5 s at 999 Hz": what the subtitle knows of one input. */
static void diff__describe(const struct profile_info *i, uint64_t total, char *buf, size_t size)
{
	int n = i->time_us ? snprintf(buf, size, "%.1f ms on and off CPU", total / 1000.0)
			   : snprintf(buf, size, "%llu samples", (unsigned long long)total);

	if (i->seconds > 0 && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " in %.1f s", i->seconds);
	if (n >= 0 && (size_t)n < size) {
		if (i->frequency)
			snprintf(buf + n, size - n, " at %u Hz", i->frequency);
		else if (i->period)
			snprintf(buf + n, size - n, " every %llu events",
				 (unsigned long long)i->period);
	}
}

/*
 * BEFORE's factor: AFTER's samples per second over BEFORE's (a longer run,
 * or a higher rate, does not look hotter), or the totals' ratio.
 */
static double diff__scale(enum diff_norm *mode, const struct profile_info *b,
			  const struct profile_info *a, uint64_t btotal, uint64_t atotal)
{
	double scale;

	if (*mode == NORM_AUTO)
		*mode = b->seconds > 0 && a->seconds > 0 ? NORM_RATE : NORM_TOTAL;
	if (*mode == NORM_NONE)
		return 1;
	if (*mode == NORM_TOTAL)
		return (double)atotal / btotal;
	scale = a->seconds / b->seconds;
	if (a->time_us) /* time per second of the run: the sampling rate is no part of it */
		return scale;
	if (a->frequency && b->frequency)
		scale *= (double)a->frequency / b->frequency;
	else if (!a->frequency && !b->frequency && a->period && b->period)
		scale *= (double)b->period / a->period;
	return scale;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_NORMALIZE = 1, OPT_NO_NORMALIZE, OPT_NEGATE, OPT_EXACT, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "normalize", required_argument, NULL, OPT_NORMALIZE },
		{ "no-normalize", no_argument, NULL, OPT_NO_NORMALIZE },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "exact-names", no_argument, NULL, OPT_EXACT },
		{ "negate", no_argument, NULL, OPT_NEGATE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		LOAD_LONGOPTS,
		NAMES_LONGOPTS,
		SVG_LONGOPTS,
		{ 0 },
	};
	struct load_opts lo = { 0 };
	struct flame_svg_opts svg = { 0 };
	struct diff_opts dopts = { 0 };
	struct profile_info bi, ai;
	struct output out = { 0 };
	const char *output = "diff.svg", *format = NULL, *how;
	struct diff_load l = { 0 };
	enum diff_norm mode = NORM_AUTO;
	struct flame *f = NULL;
	char title[600], subtitle[900], bdesc[96], adesc[96], names[160] = "";
	uint64_t btotal, atotal;
	bool negate = false;
	double scale;
	int c, ret = 1, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:nsqh", longopts, NULL)) != -1) {
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
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_NORMALIZE:
			if (!strcmp(optarg, "rate"))
				mode = NORM_RATE;
			else if (!strcmp(optarg, "total"))
				mode = NORM_TOTAL;
			else if (!strcmp(optarg, "none"))
				mode = NORM_NONE;
			else if (!strcmp(optarg, "auto"))
				mode = NORM_AUTO;
			else {
				msg("invalid --normalize '%s': use rate, total, none or auto",
				    optarg);
				return 1;
			}
			break;
		case 'n':
			mode = NORM_TOTAL;
			break;
		case OPT_NO_NORMALIZE:
			mode = NORM_NONE;
			break;
		case 's':
			dopts.strip_hex = true;
			break;
		case OPT_EXACT:
			dopts.exact_names = true;
			break;
		case OPT_NEGATE:
			negate = true;
			break;
		case 'q':
			quiet = true;
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
	l.d = flame_diff__new(&dopts);
	if (!l.d) {
		msg("out of memory");
		goto out;
	}
	l.after = false;
	if (diff__load(argv[optind], &lo, &l, &bi))
		goto out;
	l.after = true;
	if (diff__load(argv[optind + 1], &lo, &l, &ai))
		goto out;
	if (bi.time_us != ai.time_us) {
		msg("'%s' counts time on and off the CPU (--off-cpu) and '%s' counts samples: "
		    "compare two recordings made the same way",
		    bi.time_us ? argv[optind] : argv[optind + 1],
		    bi.time_us ? argv[optind + 1] : argv[optind]);
		goto out;
	}
	btotal = flame_diff__total(l.d, false);
	atotal = flame_diff__total(l.d, true);
	if (!btotal || !atotal) {
		msg("'%s' has no samples to compare", btotal ? argv[optind + 1] : argv[optind]);
		goto out;
	}
	if (mode == NORM_RATE && !(bi.seconds > 0 && ai.seconds > 0)) {
		msg("--normalize rate needs the duration of both inputs, and '%s' has none "
		    "(folded text does not): use --normalize total",
		    bi.seconds > 0 ? argv[optind + 1] : argv[optind]);
		goto out;
	}
	scale = diff__scale(&mode, &bi, &ai, btotal, atotal);
	if (!isfinite(scale) || scale <= 0)
		scale = 1;
	if (out.format == OUT_FOLDED) {
		/* difffolded's columns are BEFORE AFTER whatever the shape: no negation in text. */
		FILE *fo = output__begin(&out);

		if (!fo)
			goto out;
		err = flame_diff__write_folded(l.d, fo, scale);
		if (err) {
			msg("cannot write '%s': %s", out.path,
			    err == -EIO ? "write failed (is the disk full?); what was there is kept"
					: errstr(-err));
			goto out;
		}
		ret = output__commit(&out) ? 1 : 0;
		goto out;
	}
	f = flame__new();
	if (!f || flame_diff__to_flame(l.d, f, negate)) {
		msg("out of memory");
		goto out;
	}
	svg.negate = negate;
	svg.other_hatched = true;
	profile_info__svg(&ai, &svg);
	/* The other profile is scaled to the shape's: the same work, the same width. */
	svg.before_scale = negate ? 1 / scale : scale;
	svg.other_total = negate ? atotal : btotal;
	diff__describe(&bi, btotal, bdesc, sizeof(bdesc));
	diff__describe(&ai, atotal, adesc, sizeof(adesc));
	if (mode == NORM_RATE)
		how = ai.time_us ? "by time per second" : "by samples per second";
	else if (mode == NORM_TOTAL)
		how = "by totals";
	else
		how = "not normalised";
	if (flame_diff__renamed(l.d))
		snprintf(names, sizeof(names), "; %llu names normalised (--exact-names keeps them)",
			 (unsigned long long)flame_diff__renamed(l.d));
	snprintf(title, sizeof(title), "Differential: %s vs %s", argv[optind], argv[optind + 1]);
	if (mode == NORM_NONE)
		snprintf(subtitle, sizeof(subtitle),
			 "%s shape; before: %s; after: %s; counts not normalised%s",
			 negate ? "BEFORE's" : "AFTER's", bdesc, adesc, names);
	else
		snprintf(subtitle, sizeof(subtitle),
			 "%s shape; before: %s; after: %s; BEFORE scaled x%.4g %s%s",
			 negate ? "BEFORE's" : "AFTER's", bdesc, adesc, scale, how, names);
	if (!svg.title)
		svg.title = title;
	if (!svg.subtitle)
		svg.subtitle = subtitle;
	ret = output__write(&out, f, &svg) ? 1 : 0;
out:
	output__abort(&out);
	flame__free(f);
	flame_diff__free(l.d);
	return ret;
}
