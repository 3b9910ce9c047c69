// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
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
	} else if (format) {
		msg("unknown format '%s': use --format svg or --format folded", format);
		return -1;
	} else if (!strcmp(path, "-")) {
		o->format = OUT_FOLDED;
	} else {
		msg("cannot tell the format of '%s' from its extension: name it .svg or .folded, "
		    "or pass --format",
		    path);
		return -1;
	}
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
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
		ret = flame__write_folded(f, o->f);
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
