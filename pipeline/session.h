/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SESSION_H
#define SEAR_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/perfrec.h"
#include "lib/profile.h"
#include "names.h"
#include "filter.h"
#include "symbolizer/symbolizer.h"

/*
 * A session turns perf records into named stacks, the same way for every
 * source: the live ring buffers of 'sear record' and a perf.data file of
 * 'perf record' (through session__tool(), perf's struct perf_tool).
 *
 * It keeps the processes' mappings and thread names from the side-band
 * records (MMAP2, COMM, FORK), turns each sample's callchain (or its
 * unwound user stack) into frames of modules, filters, and counts the
 * distinct stacks. Names come last, from the symbolizer, once per
 * distinct stack: session__for_each_stack().
 *
 * Records must arrive in time order, as both sources deliver them.
 */

struct session_stats {
	uint64_t samples;	   /* samples counted (after the filter) */
	uint64_t lost;		   /* samples the kernel dropped (LOST, LOST_SAMPLES) */
	uint64_t throttled;	   /* THROTTLE records */
	uint64_t bad_records;	   /* records that failed to parse; never fatal */
	uint64_t unwind_failed;	   /* dwarf: samples stopped at a frame without CFI */
	uint64_t unwind_truncated; /* dwarf: samples whose walk reached the end of the stack copy */
	uint64_t unwind_bad_regs;  /* dwarf: samples without usable registers */
	uint64_t unwind_deepest;   /* dwarf: bytes of stack the deepest whole walk used */
	uint64_t leaf_callers;	   /* fp: callers of frameless leaves put back */
	uint64_t off_cpu;	   /* of the samples, waits (off-CPU) */
	uint64_t first_time, last_time; /* of samples, in the records' clock (ns) */
};

/* How user stacks are read. */
enum session_unwind {
	SESSION_UNWIND_NONE,  /* the callchain as the kernel gave it */
	SESSION_UNWIND_LEAF,  /* frame pointers, plus the caller a frameless leaf hides */
	SESSION_UNWIND_DWARF, /* CFI over a copy of the user stack (frame pointers in JIT code) */
};

struct session_opts {
	enum session_unwind unwind;
	bool pid_roots;	      /* "comm [pid]" root frames instead of "comm" */
	bool container_roots; /* "[container ID]" below the names of processes in containers */
	/*
	 * Samples of this process are left out (sear's own), and those of the
	 * processes it forks (the symbolizer's helper); 0: none.
	 */
	pid_t exclude_pid;
	bool per_thread; /* keep each thread's stacks apart: session_stack.tid (for pprof) */
	/*
	 * Widths are time (with off-CPU waits): the graph and the sample hook
	 * count microseconds, not samples. On-CPU samples weigh sample_ns, or
	 * their period when 0 (a clock event's, in ns); waits their time blocked.
	 */
	bool time_weights;
	uint64_t sample_ns;
	/*
	 * Off-CPU waits: leave out those of an event loop with nothing to do
	 * (blocked in epoll, poll or select), and those shorter than
	 * offcpu_min_ns.
	 */
	bool offcpu_skip_idle;
	uint64_t offcpu_min_ns;
};

struct session;

/*
 * Returns a new session that names frames with sym (borrowed; it must
 * outlive the session); opts may be NULL. NULL with errno on failure.
 * Free with session__free().
 */
struct session *session__new(struct symbolizer *sym, const struct session_opts *opts);
void session__free(struct session *s);

/* Records in */

/* The layout of the sample records to come (borrowed; it must outlive the session). */
void session__set_layout(struct session *s, const struct perfrec_layout *l);

/*
 * Processes one raw record, in the layout set above. Returns 0, or -ENOMEM.
 * Malformed records are counted in bad_records and skipped.
 */
int session__process(struct session *s, const struct perf_event_header *hdr);

/*
 * Off-CPU waits from context switches: event's samples (an index as
 * set_events' fn gives it) are the stacks of tasks leaving the CPU
 * (lib/sampler.h, switches), each counted as a wait when its task's next
 * PERF_RECORD_SWITCH in comes, unless it was preempted.
 */
void session__set_switches(struct session *s, int event);

/*
 * The recording ends at now (in the records' clock): the waits of tasks
 * still off the CPU are counted up to it, as if they ran again then.
 * Returns 0 or -ENOMEM.
 */
int session__end_waits(struct session *s, uint64_t now);

/* The session's record handlers, for sources that parse records themselves; ctx is the session. */
const struct perf_tool *session__tool(void);

/*
 * With several events: their names (borrowed; they must outlive the
 * session), each stack's root frame, and how a sample's id maps to an
 * index into names (-1: none).
 */
typedef int (*session_event_fn)(const void *ctx, uint64_t id);
void session__set_events(struct session *s, const char *const *names, int nr, session_event_fn fn,
			 const void *ctx);

/*
 * Keeps only the samples f lets through (borrowed; NULL: all). Its times
 * count from base_ns in the records' clock, or from the first sample when
 * base_ns is 0.
 */
void session__set_filter(struct session *s, const struct sample_filter *f, uint64_t base_ns);

/*
 * Told of every change to the processes' executable mappings, as the
 * session learns it (for a source that keeps its own copy: the in-kernel
 * unwinder). dso is the mapping's symbolizer module. Each returns 0, or a
 * negative errno that stops the source.
 */
struct session_maps_hook {
	int (*map)(void *ctx, pid_t pid, uint64_t start, uint64_t end, uint64_t pgoff,
		   uint32_t dso);
	int (*fork)(void *ctx, pid_t pid, pid_t ppid); /* a new process */
	int (*exec)(void *ctx, pid_t pid);	       /* its mappings are gone */
	int (*exit)(void *ctx, pid_t pid);	       /* the process is gone */
};

/* Installs hook (borrowed; NULL: none). */
void session__set_maps_hook(struct session *s, const struct session_maps_hook *hook, void *ctx);

/* A sample as counted, for consumers that keep every sample (the .sear writer). */
struct session_sample {
	uint64_t time;
	uint32_t pid, tid, cpu;
	uint32_t event;	 /* index into the event names */
	uint32_t comm;	 /* thread name: session__comm() */
	uint32_t stack;	 /* session__stack_names() */
	uint32_t weight; /* 1; with time_weights, the microseconds it stands for */
};

/* Calls fn for every sample counted from now on (NULL: none). fn returns 0 or -ENOMEM. */
typedef int (*session_sample_fn)(void *ctx, const struct session_sample *s);
void session__set_sample_hook(struct session *s, session_sample_fn fn, void *ctx);

/* Names out */

/* Returns the counters so far; borrowed. */
const struct session_stats *session__stats(const struct session *s);

/*
 * Says, through the log, why stacks came out short (each cause once, with
 * its share): frames without CFI, samples without registers, and stacks
 * deeper than the copy of copy bytes, with the copy that would do.
 */
void session__log_unwind(const struct session *s, uint64_t copy);

/*
 * Calls fn once per distinct (event, process, thread name, stack) with its
 * names, root frames first (see names.h), and its count. names is borrowed
 * for the call. Returns 0, or fn's non-zero value.
 */
typedef int (*session_stack_fn)(void *ctx, const struct stack_names *names, uint64_t count);
int session__for_each_stack(struct session *s, session_stack_fn fn, void *ctx);

/*
 * Adds every stack to f, the same stacks session__for_each_stack() gives,
 * but naming each distinct caller path once: the stacks share their
 * callers in the session as in the graph. Returns 0 or -ENOMEM.
 */
struct flame;
int session__fold(struct session *s, struct flame *f);

/* A counted stack as it is held: its key and its frames, not yet named. */
struct session_stack {
	const char *event; /* with several events, the sample's; else NULL */
	uint32_t pid;
	uint32_t tid;		    /* with per_thread; else 0 */
	const char *comm;	    /* the thread name */
	const char *container;	    /* the process's container id, or NULL */
	const struct frame *frames; /* innermost first: module ids and addresses (symbolizer.h) */
	uint32_t nr;
	uint64_t count, weight; /* samples, and the sum of their periods */
};

/*
 * Calls fn once per distinct stack with its frames, for outputs that
 * describe addresses and modules (pprof). Borrowed for the call. Returns
 * 0, or fn's non-zero value.
 */
typedef int (*session_frames_fn)(void *ctx, const struct session_stack *st);
int session__for_each_frames(struct session *s, session_frames_fn fn, void *ctx);

/* The symbolizer the session names with (borrowed). */
struct symbolizer *session__symbolizer(const struct session *s);

/*
 * Names stack id's frames alone, outermost caller first, into out (no
 * root frames). Returns the count.
 */
size_t session__stack_names(struct session *s, uint32_t stack, struct stack_names *out);

/* The text of thread-name id comm; borrowed, valid until session__free(). */
const char *session__comm(const struct session *s, uint32_t comm);

/* The container pid runs in, or NULL; borrowed, valid until session__free(). */
const char *session__container(const struct session *s, uint32_t pid);

#endif
