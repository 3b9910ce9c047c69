// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "args.h"
#include "cmd.h"

bool quiet;
static int log_verbose;

void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("sear: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fputs("sear: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void cmd__log(enum sear_log_level level, const char *m)
{
	if (level == SEAR_LOG_DEBUG && !log_verbose)
		return;
	if (level == SEAR_LOG_INFO && quiet)
		return;
	msg("%s", m);
}

void cmd__setup_log(int verbose)
{
	log_verbose = verbose;
	sear_log__set(cmd__log);
}

const char *errstr(int errnum)
{
	return sear_strerror(errnum);
}

const char load_options_help[] =
    "Filters (.sear and perf.data inputs):\n"
    "  --pid PID[,PID]        only these processes\n"
    "  --tid TID[,TID]        only these threads\n"
    "  --comm NAME[,NAME]     only threads of these names (folded text: root frames)\n"
    "  --from SECS, --to SECS only samples this far into the recording\n"
    "Shape:\n"
    "  --pid-roots            one root frame per process: 'comm [pid]'\n"
    "  --reverse              reverse each stack: the leaves become the roots\n"
    "Names of perf.data inputs (a .sear holds its names already): the options\n"
    "below, and\n"
    "  --symfs DIR            read the recorded binaries under DIR, as if it were /\n"
    "                         (a copy of the machine or container that recorded)\n";

const char names_options_help[] =
    "Names:\n"
    "  --inline               inlined functions as frames of their own (DWARF)\n"
    "  --srcline              add file:line to each frame (DWARF)\n"
    "  --full-names           keep C++ and Rust parameter lists\n"
    "  --debuginfod[=URLS]    fetch the debug files of stripped binaries from these\n"
    "                         debuginfod servers (default: DEBUGINFOD_URLS, when set;\n"
    "                         cache: DEBUGINFOD_CACHE_PATH)\n"
    "  --no-debuginfod        never ask debuginfod servers\n"
    "  --debuginfod-timeout S wait for them S seconds at most, all files together\n"
    "                         (default 10)\n";

int names_option(struct symbolizer_opts *o, int opt, const char *arg)
{
	double d;

	switch (opt) {
	case OPT_NAMES_INLINE:
		o->inline_frames = true;
		return 1;
	case OPT_NAMES_SRCLINE:
		o->srcline = true;
		return 1;
	case OPT_NAMES_FULL_NAMES:
		o->full_names = true;
		return 1;
	case OPT_NAMES_DEBUGINFOD:
		o->no_debuginfod = false;
		if (arg && !*arg) {
			msg("invalid --debuginfod '': name the servers, e.g. "
			    "--debuginfod=https://debuginfod.debian.net");
			return -1;
		}
		o->debuginfod_urls = arg;
		return 1;
	case OPT_NAMES_NO_DEBUGINFOD:
		o->no_debuginfod = true;
		return 1;
	case OPT_NAMES_DEBUGINFOD_TIMEOUT:
		if (args__seconds(arg, &d) || d <= 0 || d > 3600) {
			msg("invalid --debuginfod-timeout '%s': use seconds, e.g. 10", arg);
			return -1;
		}
		o->debuginfod_timeout = d;
		return 1;
	}
	return 0;
}

/* The --comm lists that filters borrow, for the process's life: held here, they never leak. */
static char *comm_lists[FILTER_MAX];
static int nr_comm_lists;

int load_option(struct load_opts *o, int opt, const char *arg)
{
	int r = names_option(&o->names, opt, arg);

	if (r)
		return r;
	struct sample_filter *f = &o->filter;
	char *copy;
	int n;

	switch (opt) {
	case OPT_LOAD_PID:
	case OPT_LOAD_TID:
		n = args__id_list(arg, opt == OPT_LOAD_PID ? f->pids : f->tids, FILTER_MAX,
				  opt == OPT_LOAD_PID ? f->nr_pids : f->nr_tids);
		if (n < 0) {
			msg("invalid --%s '%s': use up to %d numbers separated by commas",
			    opt == OPT_LOAD_PID ? "pid" : "tid", arg, FILTER_MAX);
			return -1;
		}
		*(opt == OPT_LOAD_PID ? &f->nr_pids : &f->nr_tids) = n;
		return 1;
	case OPT_LOAD_COMM:
		if (nr_comm_lists == FILTER_MAX) {
			msg("invalid --comm '%s': at most %d names", arg, FILTER_MAX);
			return -1;
		}
		copy = strdup(arg);
		if (!copy) {
			msg("out of memory");
			return -1;
		}
		comm_lists[nr_comm_lists++] = copy;
		n = args__split(copy, f->comms + f->nr_comms, FILTER_MAX - f->nr_comms);
		if (n < 0) {
			msg("invalid --comm '%s': at most %d names", arg, FILTER_MAX);
			return -1;
		}
		f->nr_comms += n;
		return 1;
	case OPT_LOAD_FROM:
	case OPT_LOAD_TO:
		if (args__seconds(arg, opt == OPT_LOAD_FROM ? &f->from : &f->to)) {
			msg("invalid --%s '%s': use seconds from the start, e.g. 2.5",
			    opt == OPT_LOAD_FROM ? "from" : "to", arg);
			return -1;
		}
		return 1;
	case OPT_LOAD_PID_ROOTS:
		o->pid_roots = true;
		return 1;
	case OPT_LOAD_REVERSE:
		o->reverse = true;
		return 1;
	case OPT_LOAD_SYMFS:
		if (access(arg, X_OK)) {
			msg("invalid --symfs '%s': %s", arg, errstr(errno));
			return -1;
		}
		o->names.symfs = arg;
		return 1;
	}
	return 0;
}

int load_flame(const char *path, const struct load_opts *o, struct flame *f,
	       struct profile_info *info, bool empty_ok)
{
	int err = load__flame(path, o, f, info);

	if (err == -ENODATA && !empty_ok)
		msg("'%s' is empty: nothing to read", strcmp(path, "-") ? path : "stdin");
	return err && (err != -ENODATA || !empty_ok) ? -1 : 0;
}

const char svg_options_help[] =
    "Flame graph (flamegraph.pl's options, and what they do there):\n"
    "  --title TEXT           the title (default 'Flame Graph')\n"
    "  --subtitle TEXT        a second line under it\n"
    "  --width PX             image width (default 1200)\n"
    "  --height PX            height of each frame (default 16)\n"
    "  --minwidth PX|PCT%     leave out frames narrower than PX pixels, or than PCT% of\n"
    "                         the total (default 0.1)\n"
    "  --fontsize N           font size (default 12)\n"
    "  --fontwidth N          average character width, relative to the size, for\n"
    "                         fitting names (default 0.59)\n"
    "  --fonttype FONT        font family (default Verdana)\n"
    "  --colors PALETTE       sear (by kind: native, kernel, JIT), or flamegraph.pl's hot,\n"
    "                         mem, io, wakeup, chain, java, js, perl, red, green, blue,\n"
    "                         aqua, yellow, purple, orange\n"
    "  --bgcolors BG          background: yellow, blue, green, grey or #rrggbb\n"
    "  --hash                 shades from the name's first characters (flamegraph.pl's\n"
    "                         --hash); by default, from the sum of its characters\n"
    "  --random               random shades\n"
    "  --inverted             icicle graph: the root at the top\n"
    "  --countname NAME       what the counts are (default 'samples')\n"
    "  --nametype LABEL       the details line's label (default 'Function:')\n"
    "  --total N              draw as if there were N samples (if more than there are)\n"
    "  --factor N             multiply the counts shown by N\n"
    "  --notes TEXT           keep TEXT in the SVG (not shown)\n";

/* flamegraph.pl's integer options: digits, an optional sign; here also a range. */
static int svg__int(const char *opt, const char *arg, long lo, long hi, unsigned int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		msg("invalid --%s '%s': use a whole number from %ld to %ld", opt, arg, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

static int svg__float(const char *opt, const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= lo || v > hi) {
		msg("invalid --%s '%s': use a number above %g, at most %g", opt, arg, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

int svg_option(struct flame_svg_opts *o, int opt, const char *arg)
{
	char *end;
	size_t n;

	switch (opt) {
	case OPT_SVG_TITLE:
		o->title = arg;
		return 1;
	case OPT_SVG_SUBTITLE:
		o->subtitle = arg;
		return 1;
	case OPT_SVG_WIDTH:
		return svg__int("width", arg, 1, 1000000, &o->width);
	case OPT_SVG_HEIGHT:
		return svg__int("height", arg, 1, 10000, &o->frame_height);
	case OPT_SVG_FONTSIZE:
		return svg__float("fontsize", arg, 0, 1000, &o->font_size);
	case OPT_SVG_FONTWIDTH:
		return svg__float("fontwidth", arg, 0, 100, &o->font_width);
	case OPT_SVG_FACTOR:
		return svg__float("factor", arg, 0, 1e15, &o->factor);
	case OPT_SVG_MINWIDTH:
		/* As flamegraph.pl reads it: digits and dots, then an optional '%'. */
		n = strspn(arg, "0123456789.");
		if (!n || (arg[n] && strcmp(arg + n, "%"))) {
			msg("invalid --minwidth '%s': use pixels (0.5) or a percentage (1%%)", arg);
			return -1;
		}
		o->min_width = strtod(arg, NULL);
		o->min_width_set = true;
		o->min_width_pct = arg[n] == '%';
		return 1;
	case OPT_SVG_FONTTYPE:
		o->font_type = arg;
		return 1;
	case OPT_SVG_COLORS:
		if (!svg__palette_known(arg)) {
			msg("unknown palette '%s': use sear, hot, mem, io, wakeup, chain, java, "
			    "js, "
			    "perl, red, green, blue, aqua, yellow, purple or orange",
			    arg);
			return -1;
		}
		o->palette = arg;
		return 1;
	case OPT_SVG_BGCOLORS:
		if (!svg__bgcolor_known(arg)) {
			msg("unknown background '%s': use yellow, blue, green, grey or #rrggbb",
			    arg);
			return -1;
		}
		o->bgcolors = arg;
		return 1;
	case OPT_SVG_HASH:
		o->hash = SVG_HASH_NAME;
		return 1;
	case OPT_SVG_RANDOM:
		o->hash = SVG_HASH_RANDOM;
		return 1;
	case OPT_SVG_INVERTED:
		o->inverted = true;
		return 1;
	case OPT_SVG_COUNTNAME:
		o->count_name = arg;
		return 1;
	case OPT_SVG_NAMETYPE:
		o->name_type = arg;
		return 1;
	case OPT_SVG_NOTES:
		o->notes = arg;
		return 1;
	case OPT_SVG_TOTAL:
		errno = 0;
		o->total = strtoull(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-') {
			msg("invalid --total '%s': use a number of samples", arg);
			return -1;
		}
		return 1;
	case OPT_SVG_ENCODING:
		if (strcasecmp(arg, "utf-8") && strcasecmp(arg, "utf8")) {
			msg("invalid --encoding '%s': sear writes UTF-8, and says so", arg);
			return -1;
		}
		return 1;
	case OPT_SVG_NAMEATTR:
		msg("--nameattr is not supported: it puts attributes from a file into the SVG "
		    "unchecked");
		return -1;
	}
	return 0;
}
