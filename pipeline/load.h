/* SPDX-License-Identifier: MIT */
#ifndef SEAR_LOAD_H
#define SEAR_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "filter.h"
#include "flamegraph/folded.h"
#include "info.h"
#include "symbolizer/symbolizer.h"

/*
 * The one loader of profiles, which report, diff and flamegraph share: a
 * .sear recording, a perf.data file, or folded text, told apart by their
 * first bytes, never by their names. Each is handed on as named stacks,
 * root first, with counts.
 *
 * A perf.data file goes through the same session as a live recording, so
 * the naming options of 'sear record' apply to it too. Inputs are
 * streamed, never read whole; a pipe is spooled to an unlinked temporary
 * file first when its format needs random access.
 *
 * Errors are returned as -errno; the one-line reason, naming the input,
 * goes to the log (lib/log.h). Warnings (a recording cut short) go there
 * too, and the complete part is used.
 */

struct load_opts {
	struct sample_filter filter;
	struct symbolizer_opts names; /* perf.data: --inline, --srcline, --full-names */
	bool pid_roots;		      /* "comm [pid]" root frames */
	bool reverse;		      /* leaf first */
};

/*
 * Reads path ("-": stdin) and calls fn for every stack that passes the
 * filters, and fills info. Returns 0, fn's non-zero value, -ENODATA
 * (logging nothing) for an empty input, or another -errno.
 */
int load__profile(const char *path, const struct load_opts *o, folded_fn fn, void *ctx,
		  struct profile_info *info);

/*
 * The same into the graph f: one profile, or a differential one from
 * difffolded's two-column text. A perf.data file is folded straight from
 * the session's tree, naming each caller path once.
 */
int load__flame(const char *path, const struct load_opts *o, struct flame *f,
		struct profile_info *info);

/*
 * The same as pprof (pipeline/pprofout.h), written to out: a perf.data
 * file with its mappings and addresses, the others with names only.
 */
int load__pprof(const char *path, const struct load_opts *o, FILE *out, struct profile_info *info);

/*
 * load__flame() from fd (borrowed, at the start of the input: a file, a memfd
 * or a pipe), named name in messages: for tests and fuzzing, which feed
 * bytes rather than paths. With o->names.no_files, a perf.data's MMAP
 * records open no file.
 */
int load__flame_fd(int fd, const char *name, const struct load_opts *o, struct flame *f,
		   struct profile_info *info);

#endif
