/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PERFDATA_H
#define SEAR_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_kind.h"

/*
 * Reading perf.data files (perf record, perf 4.x to 6.x, file mode): the
 * header, the attrs and their ids, the data records, and the build-id,
 * cmdline and event-name features. Records are replayed through a session
 * (session.h) round by round, sorted by time as perf report does, and the
 * binaries are read from this machine: a build-id that differs from the
 * recorded one is reported.
 *
 * The file is untrusted: every offset and size is checked against the
 * buffer. What sear cannot read (pipe mode, compressed data, AUX traces,
 * big-endian files) is an error that says so.
 */

/* A sample, as a filter sees it. */
struct perfdata_sample {
	uint32_t pid, tid;
	double seconds; /* from the first sample */
	const char *comm;
};

struct perfdata_opts {
	bool pid_roots;
	/* Keeps a sample when it returns true; NULL keeps all. */
	bool (*filter)(void *ctx, const struct perfdata_sample *s);
	void *filter_ctx;
};

struct perfdata_result {
	uint64_t samples, lost;
	char event[128];   /* the events' names, comma-separated */
	char command[256]; /* perf's command line, from the cmdline feature */
};

/* True when buf begins with perf.data's magic. */
bool perfdata__is_perfdata(const void *buf, size_t len);

/* Called once per distinct stack, root first. Returns non-zero to stop. */
typedef int (*perfdata_stack_fn)(void *ctx, const char *const *names, const enum frame_kind *kinds,
				 size_t nr, uint64_t count);

/*
 * Reads a perf.data file held in memory and calls fn for each stack.
 * Returns 0, or -1 with a one-line reason in err.
 */
int perfdata__load_mem(const void *buf, size_t len, const struct perfdata_opts *opts,
		       perfdata_stack_fn fn, void *ctx, struct perfdata_result *res, char *err,
		       size_t errlen);

#endif
