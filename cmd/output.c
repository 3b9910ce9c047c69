// SPDX-License-Identifier: MIT
/*
 * Outputs that never destroy what is on disk: each is written to a new
 * file beside its target, created exclusively, and renamed over the target
 * only once complete. Devices, FIFOs and stdout are written in place, and
 * only at the end, when everything is known to have worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

/* The temporary files of the outputs being written, for the exit path to remove. */
static char *pending[8];

static void output__forget(const char *tmp)
{
	size_t i;

	for (i = 0; i < sizeof(pending) / sizeof(pending[0]); i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

void output__cleanup(void)
{
	size_t i;

	for (i = 0; i < sizeof(pending) / sizeof(pending[0]); i++)
		if (pending[i]) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t len = strlen(path);

	/* pprof's name for its files: profile.pb.gz */
	if (len > 6 && !strcmp(path + len - 6, ".pb.gz") && (!slash || slash < path + len - 6))
		return "pprof";
	return dot && (!slash || dot > slash) ? dot + 1 : "";
}

/* True for a path that names a file descriptor: /dev/stdout, /dev/fd/3, /proc/self/fd/1. */
static bool output__is_fd(const char *path)
{
	char target[PATH_MAX];
	ssize_t n;

	if (!strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6))
		return true;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strncmp(target, "/dev/", 5) || !strncmp(target, "/proc/", 6);
}

int output__open(struct output *o, const char *path, const char *format)
{
	const char *fmt = format ? format : extension(path);
	char dir[PATH_MAX];
	struct stat st, lst;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fd = -1;
	if (!strcmp(fmt, "svg")) {
		o->format = OUT_SVG;
	} else if (!strcmp(fmt, "folded") || !strcmp(fmt, "txt") || !strcmp(fmt, "collapsed")) {
		o->format = OUT_FOLDED;
	} else if (!strcmp(fmt, "sear")) {
		o->format = OUT_SEAR;
	} else if (!strcmp(fmt, "pprof")) {
		o->format = OUT_PPROF;
	} else if (format) {
		msg("unknown format '%s': use --format svg, folded, sear or pprof", format);
		return -1;
	} else if (!strcmp(path, "-")) {
		o->format = OUT_FOLDED;
	} else {
		msg("cannot tell the format of '%s' from its extension: name it .svg, .folded, "
		    ".sear or .pb.gz (pprof), or pass --format",
		    path);
		return -1;
	}
	if (!strcmp(path, "-")) {
		o->special = true;
		o->stdout_ = true;
	} else if (!lstat(path, &lst)) {
		if (S_ISDIR(lst.st_mode)) {
			msg("cannot write '%s': it is a directory", path);
			return -1;
		}
		if (stat(path, &st) && S_ISLNK(lst.st_mode))
			st = lst; /* a dangling link: the rename replaces the link */
		/*
		 * A device, FIFO or socket is written in place, and so is a descriptor
		 * (/dev/stdout, /proc/self/fd/N), whatever it points at; a regular file,
		 * or a link to one, is replaced.
		 */
		o->special = (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) || output__is_fd(path);
		o->dev = st.st_dev;
		o->ino = st.st_ino;
		o->exists = true;
	} else if (errno != ENOENT) {
		msg("cannot write '%s': %s", path, errstr(errno));
		return -1;
	}
	if ((o->format == OUT_SEAR || o->format == OUT_PPROF) &&
	    (o->stdout_ || !strcmp(path, "/dev/stdout")) && isatty(STDOUT_FILENO)) {
		msg("a %s is binary: write it to a file",
		    o->format == OUT_SEAR ? ".sear recording" : "pprof profile");
		return -1;
	}
	if (!o->special) {
		/* The directory must take a new file: say so now, not after the recording. */
		snprintf(dir, sizeof(dir), "%s", path);
		if (access(dirname(dir), W_OK | X_OK)) {
			msg("cannot write '%s': %s", path, errstr(errno));
			return -1;
		}
	}
	return 0;
}

bool output__is(const struct output *o, const char *input)
{
	struct stat st;

	if (!o->exists || !input || !strcmp(input, "-") || stat(input, &st))
		return false;
	return st.st_dev == o->dev && st.st_ino == o->ino;
}

FILE *output__begin(struct output *o)
{
	char tmp[PATH_MAX];
	size_t i;
	int fd;

	if (o->stdout_) {
		o->f = stdout;
		return o->f;
	}
	if (o->special) {
		struct stat st;

		/*
		 * In place, and only now: the run worked. A regular file behind it must
		 * come through a descriptor's name (the shell's '>' of /dev/stdout).
		 */
		fd = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 &&
		    (fstat(fd, &st) || (S_ISREG(st.st_mode) && !output__is_fd(o->path)))) {
			close(fd);
			fd = -1;
			errno = EEXIST;
		}
	} else {
		const char *slash = strrchr(o->path, '/');
		int n = slash ? (int)(slash - o->path + 1) : 0;

		snprintf(tmp, sizeof(tmp), "%.*s.%s.sear-XXXXXX", n, o->path, o->path + n);
		/* mkostemp: O_CREAT | O_EXCL, so nothing that is there is ever followed. */
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd >= 0) {
			mode_t mask = umask(0);

			umask(mask);
			fchmod(fd, 0666 & ~mask);
			o->tmp = strdup(tmp);
			for (i = 0; o->tmp && i < sizeof(pending) / sizeof(pending[0]); i++)
				if (!pending[i]) {
					pending[i] = o->tmp;
					break;
				}
		}
	}
	if (fd < 0) {
		msg("cannot write '%s': %s", o->path, errstr(errno));
		return NULL;
	}
	o->fd = fd;
	o->f = fdopen(fd, "w");
	if (!o->f) {
		msg("cannot write '%s': %s", o->path, errstr(errno));
		output__abort(o);
		return NULL;
	}
	return o->f;
}

int output__publish(struct output *o)
{
	if (!o->tmp)
		return 0;
	if (fflush(o->f) || rename(o->tmp, o->path)) {
		msg("cannot write '%s': %s", o->path, errstr(errno));
		return -1;
	}
	output__forget(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void output__abort(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (!o->f && o->fd >= 0)
		close(o->fd);
	if (o->tmp) {
		unlink(o->tmp);
		output__forget(o->tmp);
		free(o->tmp);
	}
	o->f = NULL;
	o->fd = -1;
	o->tmp = NULL;
}

int output__commit(struct output *o)
{
	int err = 0;

	if (!o->f)
		return -1;
	if (fflush(o->f) || ferror(o->f))
		err = errno ? errno : EIO;
	/* On disk before the name points at it: a crash leaves the old file or the new one. */
	if (!err && o->tmp && fsync(fileno(o->f)))
		err = errno;
	if (o->f == stdout) {
		o->f = NULL;
		if (err == EPIPE)
			return -EPIPE; /* the reader went away: nothing to say */
	} else if (fclose(o->f) && !err) {
		err = errno;
	}
	o->f = NULL;
	o->fd = -1;
	if (!err && o->tmp && rename(o->tmp, o->path))
		err = errno;
	if (err) {
		if (err == ENOSPC || err == EDQUOT || err == EIO)
			msg("cannot write '%s': %s (is the disk full?); what was there is kept",
			    o->path, errstr(err));
		else
			msg("cannot write '%s': %s", o->path, errstr(err));
		if (o->tmp)
			unlink(o->tmp);
	}
	if (o->tmp) {
		output__forget(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	return err ? -err : 0;
}

int output__write(struct output *o, const struct flame *f, const struct flame_svg_opts *svg)
{
	FILE *out = output__begin(o);
	int ret;

	if (!out)
		return -1;
	errno = 0;
	if (o->format == OUT_SVG)
		ret = flame__render_svg(f, svg, out);
	else
		ret = flame__write_folded(f, out, svg ? svg->before_scale : 1);
	if (ret) {
		if (errno == EPIPE)
			; /* the reader went away: nothing to say */
		else if (ret == -EIO)
			msg("cannot write '%s': write failed (is the disk full?); what was there "
			    "is "
			    "kept",
			    o->path);
		else
			msg("cannot write '%s': %s", o->path, errstr(-ret));
		output__abort(o);
		return -1;
	}
	return output__commit(o) ? -1 : 0;
}
