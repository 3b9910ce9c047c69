// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/log.h"
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
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && (buf[1] < 'A' || buf[1] > 'Z'))
		buf[0] += 'a' - 'A';
	return buf;
}

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	return dot && (!slash || dot > slash) ? dot + 1 : "";
}

int output__open(struct output *o, const char *path, const char *format)
{
	const char *fmt = format ? format : extension(path);

	o->path = path;
	if (!strcmp(fmt, "svg")) {
		o->format = OUT_SVG;
	} else if (!strcmp(fmt, "folded") || !strcmp(fmt, "txt") || !strcmp(fmt, "collapsed")) {
		o->format = OUT_FOLDED;
	} else if (!strcmp(fmt, "sear")) {
		o->format = OUT_SEAR;
	} else if (format) {
		msg("unknown format '%s': use --format svg, folded or sear", format);
		return -1;
	} else if (!strcmp(path, "-")) {
		o->format = OUT_FOLDED;
	} else {
		msg("cannot tell the format of '%s' from its extension: name it .svg, .folded or "
		    ".sear, or pass --format",
		    path);
		return -1;
	}
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (o->format == OUT_SEAR && isatty(STDOUT_FILENO) && !strcmp(path, "/dev/stdout")) {
		msg("a .sear recording is binary: write it to a file");
		return -1;
	}
	o->f = fopen(path, "we");
	if (!o->f) {
		msg("cannot write '%s': %s", path, errstr(errno));
		return -1;
	}
	return 0;
}

int output__write(struct output *o, const struct flame *f, const struct flame_svg_opts *svg)
{
	int ret;

	if (o->format == OUT_SVG)
		ret = flame__render_svg(f, svg, o->f);
	else
		ret = flame__write_folded(f, o->f, svg ? svg->before_scale : 1);
	if (o->f != stdout) {
		if (fclose(o->f) && !ret)
			ret = -errno;
	} else if (fflush(o->f) && !ret) {
		ret = -errno;
	}
	o->f = NULL;
	if (ret == -EIO) {
		msg("cannot write '%s': write failed (is the disk full?)", o->path);
		return -1;
	}
	if (ret) {
		msg("cannot write '%s': %s", o->path, errstr(-ret));
		return -1;
	}
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int read_input(const char *path, char **buf, size_t *len)
{
	bool std = !path || !strcmp(path, "-");
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 20, n = 0;
	char *b, *nb;
	ssize_t r;

	if (fd < 0) {
		msg("cannot open '%s': %s", path, errstr(errno));
		return -1;
	}
	b = malloc(cap + 1);
	for (;;) {
		if (!b) {
			msg("out of memory reading '%s'", std ? "stdin" : path);
			break;
		}
		if (n == cap) {
			nb = realloc(b, (cap *= 2) + 1);
			if (!nb) {
				free(b);
				b = NULL;
				continue;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			msg("cannot read '%s': %s", std ? "stdin" : path, errstr(errno));
			free(b);
			b = NULL;
			break;
		}
		if (!r) {
			b[n] = '\0';
			break;
		}
		n += r;
	}
	if (!std)
		close(fd);
	if (!b)
		return -1;
	*buf = b;
	*len = n;
	return 0;
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
		if (parse_seconds(arg, &d) || d < (opt == OPT_SVG_WIDTH ? 100 : 4) || d > 100000) {
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
		if (parse_seconds(arg, &d)) {
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
