// SPDX-License-Identifier: MIT
/* sear flamegraph: folded text (or difffolded) to an SVG, as flamegraph.pl draws it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flamegraph/flame.h"
#include "flamegraph/folded.h"
#include "lib/array.h"
#include "lib/io.h"
#include "lib/perfdata.h"
#include "lib/searfile.h"
#include "cmd.h"

#define INPUT_MAX   (16ull << 30) /* folded text is read whole, as flamegraph.pl reads it */
#define PALETTE_MAP "palette.map"
#define PALETTE_MAX (64u << 20)

static void flamegraph__usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sear flamegraph [options] [FILE] > graph.svg\n"
	    "\n"
	    "Draws folded stacks ('a;b;c 123' per line; FILE or stdin) as flamegraph.pl\n"
	    "draws them, with its options: the same frames, positions, widths and (for\n"
	    "its palettes) colours, in sear's interactive SVG. Two counts per line\n"
	    "(difffolded's 'a;b;c BEFORE AFTER') make a differential graph. A .sear\n"
	    "recording or perf.data file works too.\n"
	    "\n"
	    "  sear flamegraph out.folded > flame.svg\n"
	    "  perf script | sear collapse | sear flamegraph --title 'my app' > flame.svg\n"
	    "\n"
	    "  -o, --output FILE      write here instead of stdout\n"
	    "  --reverse              reverse each stack: the leaves become the roots\n"
	    "                           sear flamegraph --reverse --inverted in.folded > r.svg\n"
	    "  --flamechart           keep the input's order instead of merging: a flame chart\n"
	    "                           sear flamegraph --flamechart by-time.folded > c.svg\n"
	    "  --negate               differential: swap the hues (red shrank, blue grew)\n"
	    "                           sear flamegraph --negate diff.folded > d.svg\n"
	    "  --cp                   consistent palette: read the colours of names from\n"
	    "                         ./palette.map, and write the ones used back there\n"
	    "                           sear flamegraph --cp --colors java a.folded > a.svg\n"
	    "  -q, --quiet            no notes about skipped lines or low counts\n"
	    "%s"
	    "  --colors defaults to hot here, as in flamegraph.pl; 'sear' colours by kind.\n",
	    svg_options_help);
}

/* Reads all of fd into a new buffer (*len bytes). Returns it, or NULL with errno. */
static char *flamegraph__slurp(int fd, size_t *len)
{
	size_t cap = 0;
	char *buf = NULL;
	ssize_t got;

	*len = 0;
	for (;;) {
		if (*len + (1 << 20) > INPUT_MAX) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (array__grow((void **)&buf, &cap, *len + (1 << 20) + 1, 1)) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		got = io__read_full(fd, buf + *len, 1 << 20);
		if (got < 0) {
			free(buf);
			errno = -got;
			return NULL;
		}
		*len += got;
		if (got < (1 << 20))
			return buf;
	}
}

/* --cp: the map read from ./palette.map, if there is one. Returns 0, or -1 after a message. */
static int flamegraph__read_palette(struct svg_palette_map *map)
{
	int fd = open(PALETTE_MAP, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err;
	struct stat st;
	size_t len, bad;
	char *buf;

	if (fd < 0)
		return errno == ENOENT
			   ? 0
			   : (msg("cannot open '%s': %s", PALETTE_MAP, errstr(errno)), -1);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > PALETTE_MAX) {
		msg("cannot read '%s': not a regular file of at most %u MiB", PALETTE_MAP,
		    PALETTE_MAX >> 20);
		close(fd);
		return -1;
	}
	buf = flamegraph__slurp(fd, &len);
	close(fd);
	if (!buf) {
		msg("cannot read '%s': %s", PALETTE_MAP, errstr(errno));
		return -1;
	}
	err = svg_palette_map__parse_mem(map, buf, len, &bad);
	free(buf);
	if (err) {
		msg("out of memory");
		return -1;
	}
	if (bad)
		note("%zu lines of '%s' are not 'NAME->rgb(R,G,B)': those names get new colours",
		     bad, PALETTE_MAP);
	return 0;
}

/* --cp: writes the map back, through a new file renamed over the old one. */
static int flamegraph__write_palette(const struct svg_palette_map *map)
{
	const char *tmp = PALETTE_MAP ".tmp";
	FILE *f = fopen(tmp, "we");
	int err;

	if (!f) {
		msg("cannot write '%s': %s", tmp, errstr(errno));
		return -1;
	}
	err = svg_palette_map__write(map, f);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, PALETTE_MAP))
		err = -errno;
	if (err) {
		msg("cannot write '%s': %s", PALETTE_MAP, errstr(-err));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A recording read from a buffer (stdin): the loader takes a path, so the buffer gets one. */
static int flamegraph__load_recording(const char *input, const char *buf, size_t len,
				      struct load_opts *lo, struct flame *f)
{
	struct profile_info info;
	char path[64];
	int fd, ret;

	if (strcmp(input, "-"))
		return load_flame(input, lo, f, &info, true);
	fd = memfd_create("sear-stdin", MFD_CLOEXEC);
	if (fd < 0 || io__write_all(fd, buf, len)) {
		msg("cannot read stdin: %s", errstr(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ret = load_flame(path, lo, f, &info, true);
	close(fd);
	return ret;
}

int cmd_flamegraph(int argc, char **argv)
{
	enum { OPT_REVERSE = 1, OPT_NEGATE, OPT_FLAMECHART, OPT_CP };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "negate", no_argument, NULL, OPT_NEGATE },
		{ "flamechart", no_argument, NULL, OPT_FLAMECHART },
		{ "cp", no_argument, NULL, OPT_CP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SVG_LONGOPTS,
		{ 0 },
	};
	struct flame_svg_opts svg = { .palette = "hot" };
	struct folded_flow_opts fo = { 0 };
	struct svg_palette_map *map = NULL;
	struct folded_stats st = { 0 };
	struct load_opts lo = { 0 };
	struct output out = { 0 };
	const char *output = "-", *input, *name;
	struct flame *f = NULL;
	bool cp = false;
	char *buf = NULL;
	size_t len = 0;
	int c, fd, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
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
		case OPT_REVERSE:
			fo.reverse = lo.reverse = true;
			break;
		case OPT_NEGATE:
			svg.negate = true;
			break;
		case OPT_FLAMECHART:
			fo.flamechart = svg.flamechart = true;
			break;
		case OPT_CP:
			cp = true;
			break;
		case 'q':
			quiet = true;
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
	name = strcmp(input, "-") ? input : "stdin";
	/* Before reading: a bad output path should not cost the wait. */
	if (output__open(&out, output, "svg"))
		return 1;
	if (output__is(&out, input)) {
		msg("'%s' is both the input and the output: write the graph elsewhere", output);
		return 1;
	}
	fo.chain = !strcmp(svg.palette, "chain");
	if (svg.hash == SVG_HASH_RANDOM)
		srand48(time(NULL) ^ getpid());
	if (cp) {
		map = svg_palette_map__new();
		if (!map || flamegraph__read_palette(map))
			goto out;
		svg.map = map;
	}
	fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		msg("cannot open '%s': %s", input, errstr(errno));
		goto out;
	}
	buf = flamegraph__slurp(fd, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!buf) {
		msg("cannot read '%s': %s", name, errstr(errno));
		goto out;
	}
	if (searfile__is_sear(buf, len) || perfdata__is_perfdata(buf, len)) {
		f = flame__new();
		if (!f) {
			msg("out of memory");
			goto out;
		}
		if (flamegraph__load_recording(input, buf, len, &lo, f))
			goto out;
	} else {
		f = flame__new_flow();
		if (!f || folded__flow_mem(f, buf, len, &fo, &st)) {
			msg("out of memory");
			goto out;
		}
		if (st.ignored)
			note("%zu lines of '%s' are not 'STACK COUNT' and were skipped", st.ignored,
			     name);
		if (st.rounded)
			note("counts with decimals in '%s' were rounded to whole samples", name);
	}
	free(buf);
	buf = NULL;
	if (!flame__total(f)) {
		msg("no stack counts found in '%s'", name);
	} else if (!strcmp(svg.count_name ? svg.count_name : "samples", "samples") &&
		   flame__total(f) < 100) {
		note("only %llu samples in '%s': is it the input you meant?",
		     (unsigned long long)flame__total(f), name);
	}
	if (svg.total && svg.total < flame__total(f)) {
		if (svg.total > flame__total(f) / 50)
			note("--total %llu is less than the %llu samples there are: ignored",
			     (unsigned long long)svg.total, (unsigned long long)flame__total(f));
		svg.total = 0;
	}
	if (output__write(&out, f, &svg))
		goto out;
	if (map && flamegraph__write_palette(map))
		goto out;
	/* As flamegraph.pl: no counts is an error, though the SVG says so too. */
	ret = flame__total(f) ? 0 : 2;
out:
	free(buf);
	flame__free(f);
	svg_palette_map__free(map);
	return ret;
}
