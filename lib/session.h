/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SESSION_H
#define SEAR_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "records.h"
#include "../symbolizer/symbolizer.h"

/*
 * A session turns perf records into a profile: it keeps the processes'
 * mappings and thread names up to date from side-band records, turns each
 * sample's callchain into module-relative frames, and counts the distinct
 * stacks. Names are attached at the end, by session__for_each_stack().
 *
 * The records may come from the live sampler or from a file; they must be
 * fed in time order.
 */

struct session_stats {
	uint64_t samples;	   /* samples counted */
	uint64_t lost;		   /* samples the kernel dropped (LOST, LOST_SAMPLES) */
	uint64_t throttled;	   /* THROTTLE records */
	uint64_t bad_records;	   /* records that failed to parse; never fatal */
	uint64_t unwind_failed;	   /* dwarf: samples that could not be unwound past their IP */
	uint64_t unwind_truncated; /* dwarf: samples whose walk reached the end of the stack copy */
	uint64_t leaf_callers;	   /* fp: callers of frameless leaves put back */
	uint64_t first_time, last_time; /* of samples, perf clock ns */
};

/* How user stacks are read. */
enum session_unwind {
	SESSION_UNWIND_NONE,  /* the callchain as the kernel gave it */
	SESSION_UNWIND_LEAF,  /* frame pointers, plus the caller a frameless leaf hides */
	SESSION_UNWIND_DWARF, /* CFI over a copy of the user stack (and frame pointers in JIT code)
			       */
};

/* Extra root frames, above each stack's thread name, and the unwinding. */
struct session_opts {
	enum session_unwind unwind;
	bool pid_roots;	      /* "comm [pid]" instead of "comm" */
	bool container_roots; /* "[container ID]" below the names of processes in containers */
};

struct session;

/*
 * Returns a new session that uses sym (borrowed; it must outlive the
 * session); opts may be NULL. Free with session__free().
 */
struct session *session__new(struct symbolizer *sym, const struct session_opts *opts);
void session__free(struct session *s);

/*
 * Processes one record. Returns 0, or -ENOMEM. Malformed records are
 * counted in bad_records and skipped.
 */
int session__process(struct session *s, const struct perf_event_header *hdr,
		     const struct record_layout *l);

/*
 * Reads pid's current mappings and thread names from /proc, for a process
 * that was running before recording began. Returns 0 or -errno (-ESRCH: gone).
 */
int session__synthesize(struct session *s, pid_t pid);

/* The same for every process in /proc, for system-wide recording. Returns 0 or -errno. */
int session__synthesize_all(struct session *s);

/*
 * With several events: their names (borrowed; they must outlive the
 * session), each stack's root frame, and how a sample's id maps to one
 * (an index into names, or -1).
 */
typedef int (*session_event_fn)(const void *ctx, uint64_t id);
void session__set_events(struct session *s, const char *const *names, int nr, session_event_fn fn,
			 const void *ctx);

/* The root frames above a stack, shared by record and report so both name roots alike. */
struct session_roots {
	const char *event;     /* with several events, the sample's; else NULL */
	const char *container; /* with container_roots, the process's container id; else NULL */
	const char *comm;      /* the thread name */
	uint32_t pid;
	bool pid_roots;
};

/* Root label storage for session__roots(). */
struct session_root_buf {
	char event[80], container[32], comm[224];
};

/*
 * Fills names and kinds (room for 3) with the roots for in, using buf
 * for their text. Returns how many were written.
 */
size_t session__roots(const struct session_roots *in, const char **names, enum frame_kind *kinds,
		      struct session_root_buf *buf);

/*
 * Records every sample into w (borrowed; it must outlive the session, or
 * be detached with NULL) as well as into the profile. Stacks are named and
 * written at each session__flush_recording(), not on the sample path.
 */
struct rec_writer;
void session__set_recording(struct session *s, struct rec_writer *w);

/* Names the stacks of the samples taken since the last call and writes a chunk. Returns 0 or
 * -errno. */
int session__flush_recording(struct session *s);

/* Samples waiting for the next chunk. */
size_t session__recording_pending(const struct session *s);

/* What a sample filter sees. comm is borrowed for the call. */
struct session_sample_info {
	uint32_t pid, tid;
	uint64_t time;
	const char *comm;
};

/* Keeps only the samples for which fn returns true (NULL: all). */
typedef bool (*session_filter_fn)(void *ctx, const struct session_sample_info *s);
void session__set_filter(struct session *s, session_filter_fn fn, void *ctx);

/* Returns the counters so far; borrowed. */
const struct session_stats *session__stats(const struct session *s);

/*
 * Calls fn once per distinct (thread name, stack) with its frames named
 * root first: the container and the thread name (see session_opts), then
 * the outermost caller down to the sampled function. names and kinds are borrowed for the call.
 */
typedef int (*session_stack_fn)(void *ctx, const char *const *names, const enum frame_kind *kinds,
				size_t nr, uint64_t count);
int session__for_each_stack(struct session *s, session_stack_fn fn, void *ctx);

#endif
