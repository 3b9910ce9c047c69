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
    "Names (perf.data inputs; a .sear holds its names already):\n"
    "  --inline               inlined functions as frames of their own (DWARF)\n"
    "  --srcline              add file:line to each frame (DWARF)\n"
    "  --full-names           keep C++ and Rust parameter lists\n"
    "  --symfs DIR            read the recorded binaries under DIR, as if it were /\n"
    "                         (a copy of the machine or container that recorded)\n";

/* The --comm lists that filters borrow, for the process's life: held here, they never leak. */
static char *comm_lists[FILTER_MAX];
static int nr_comm_lists;

int load_option(struct load_opts *o, int opt, const char *arg)
{
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
	case OPT_LOAD_INLINE:
		o->names.inline_frames = true;
		return 1;
	case OPT_LOAD_SRCLINE:
		o->names.srcline = true;
		return 1;
	case OPT_LOAD_FULL_NAMES:
		o->names.full_names = true;
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
    "Flame graph (as flamegraph.pl names them):\n"
    "  --title TEXT           the title (default 'Flame Graph')\n"
    "  --subtitle TEXT        a second line under it\n"
    "  --width PX             image width (default 1200)\n"
    "  --height PX            height of each frame (default 16)\n"
    "  --minwidth PX          leave out frames narrower than PX (default 0.1)\n"
    "  --fontsize N           font size (default 12)\n"
    "  --colors PALETTE       sear (by kind: native, kernel, JIT), hot, mem, io, red,\n"
    "                         green, blue, yellow, purple, aqua, orange, java, js\n"
    "  --hash                 colour by name (always so; accepted for flamegraph.pl)\n"
    "  --inverted             icicle graph: the root at the top\n"
    "  --countname NAME       what the counts are (default 'samples')\n"
    "  --nametype LABEL       the details line's label (default 'Function:')\n";

int svg_option(struct flame_svg_opts *o, int opt, const char *arg)
{
	double d;

	switch (opt) {
	case OPT_SVG_TITLE:
		o->title = arg;
		return 1;
	case OPT_SVG_SUBTITLE:
		o->subtitle = arg;
		return 1;
	case OPT_SVG_WIDTH:
	case OPT_SVG_HEIGHT:
	case OPT_SVG_FONTSIZE:
		if (args__seconds(arg, &d) || d < (opt == OPT_SVG_WIDTH ? 100 : 4) || d > 100000) {
			msg("invalid --%s '%s': use a number of pixels",
			    opt == OPT_SVG_WIDTH    ? "width"
			    : opt == OPT_SVG_HEIGHT ? "height"
						    : "fontsize",
			    arg);
			return -1;
		}
		if (opt == OPT_SVG_WIDTH)
			o->width = d;
		else if (opt == OPT_SVG_HEIGHT)
			o->frame_height = d;
		else
			o->font_size = d;
		return 1;
	case OPT_SVG_MINWIDTH:
		if (args__seconds(arg, &d)) {
			msg("invalid --minwidth '%s': use pixels, e.g. 0.5", arg);
			return -1;
		}
		o->min_width = d;
		return 1;
	case OPT_SVG_COLORS:
		if (!svg__palette_known(arg)) {
			msg("unknown palette '%s': use sear, hot, mem, io, red, green, blue, "
			    "yellow, "
			    "purple, aqua, orange, java or js",
			    arg);
			return -1;
		}
		o->palette = strcmp(arg, "sear") ? arg : NULL;
		return 1;
	case OPT_SVG_HASH:
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
	}
	return 0;
}
