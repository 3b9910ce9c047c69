/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SAMPLER_H
#define SEAR_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/perf_event.h>

#include "perfrec.h"

/*
 * The sampler: perf_event_open events on tasks or CPUs, and their mmap ring
 * buffers.
 *
 * Events are always per CPU: the kernel refuses to mmap an inherited
 * per-task event, and inheritance is what follows a command's children and
 * a process's new threads. All events on one CPU write to that CPU's single
 * ring buffer (PERF_EVENT_IOC_SET_OUTPUT), so the number of buffers is the
 * number of CPUs, whatever the number of tasks.
 *
 * sampler__drain() hands records to a callback in timestamp order across
 * all buffers, so that side-band records (MMAP2, COMM, FORK) are seen
 * before the samples that depend on them. It never allocates: a record
 * that wraps around a buffer's end is copied into a per-buffer scratch
 * area sized for the largest record.
 */

struct sampler;

/* The most CPUs a list may name: the kernel's NR_CPUS is at most 8192. */
#define CPULIST_MAX 16384

/*
 * Parses a CPU list such as "0-3,8,10-11" (the format of
 * /sys/devices/system/cpu/online), up to a newline, a NUL or len bytes,
 * into a new array of ids (free() it). Returns the count, -EINVAL for a
 * malformed list, or -ENOMEM.
 */
int cpulist__parse_mem(const char *buf, size_t len, int **cpus);

#define SAMPLER_MAX_EVENTS 8

struct sampler_opts {
	/* type, config and the exclude_* bits; sampling fields are filled in. */
	struct perf_event_attr events[SAMPLER_MAX_EVENTS];
	int nr_events;		 /* 0 is taken as 1 */
	unsigned int freq;	 /* samples per second; used when period is 0 */
	uint64_t period;	 /* events per sample, or 0 */
	unsigned int mmap_pages; /* data pages per CPU buffer, a power of two; 0: default */
	bool enable_on_exec;	 /* start counting when the target calls exec */
	uint64_t sample_type;	 /* extra PERF_SAMPLE_* bits (e.g. REGS_USER|STACK_USER) */
	uint64_t regs_user_mask;
	uint32_t stack_user_size;
	bool exclude_callchain_user; /* no kernel walk of the user stack (dwarf unwinds it) */
	bool no_callchain;	     /* no callchain at all: a BPF program takes the stacks */
	/*
	 * Wake the reader at every record, not when a quarter of a buffer is
	 * full: for buffers that carry side-band records only (no_callchain and
	 * a BPF program that returns 0), whose reader needs mappings at once.
	 */
	bool wake_each;
	/*
	 * One more event after opts.events: every context switch of the
	 * targets (the software event, period 1), with PERF_RECORD_SWITCH
	 * records in and out. Its samples are the stacks where tasks leave the
	 * CPU; sampler__switch_event() gives its index.
	 */
	bool switches;
	/*
	 * Called with every event's fd as soon as it is opened, before it is
	 * enabled (to attach a BPF program); non-zero fails the open.
	 */
	int (*on_open)(void *ctx, int fd);
	void *on_open_ctx;
};

/* Which step failed, for the caller's error message. */
enum sampler_op {
	SAMPLER_OP_NONE,
	SAMPLER_OP_OPEN,  /* perf_event_open */
	SAMPLER_OP_MMAP,  /* mmap of a ring buffer: locked-memory limits */
	SAMPLER_OP_IOCTL, /* redirect or enable */
};

/* Returns a new sampler with no events; free with sampler__free(). NULL and errno on failure. */
struct sampler *sampler__new(const struct sampler_opts *opts);
void sampler__free(struct sampler *s);

/*
 * Opens one event per online CPU for task tid (inherit: also its future
 * children and threads). Returns 0 or -errno; sampler__failed_op() tells
 * which call failed. -ESRCH means the task is gone.
 */
int sampler__open_task(struct sampler *s, pid_t tid, bool inherit);

/* Opens one event on cpu for every task (system-wide). Returns 0 or -errno. */
int sampler__open_cpu(struct sampler *s, int cpu);

/*
 * Opens one event per online CPU for the tasks of a cgroup (v2), given as
 * an open directory fd (kept open by the caller). Returns 0 or -errno.
 */
int sampler__open_cgroup(struct sampler *s, int cgroup_fd);

/*
 * With several events, each sample names its event by id
 * (PERF_SAMPLE_IDENTIFIER; inherited events report their parent's).
 * Returns the index in opts.events of the event with that id, or -1.
 */
int sampler__event_of(const struct sampler *s, uint64_t id);

/* The index sampler__event_of() gives the context-switch event's samples, or -1. */
int sampler__switch_event(const struct sampler *s);

/* Returns the step that failed in the last open. */
enum sampler_op sampler__failed_op(const struct sampler *s);

/* Enables or disables every event. Returns 0 or -errno. */
int sampler__enable(struct sampler *s);
int sampler__disable(struct sampler *s);

/* The online CPUs, as an array of ids; borrowed, valid until sampler__free(). */
const int *sampler__cpus(const struct sampler *s, int *nr);

/* The frequency or period actually requested, after the kernel's limit was applied. */
unsigned int sampler__freq(const struct sampler *s);

/* Describes the records in the buffers. Borrowed, valid until sampler__free(). */
const struct perfrec_layout *sampler__layout(const struct sampler *s);

/* Fills fds (up to max) with the ring buffers' fds, for poll(). Returns the count. */
int sampler__pollfds(const struct sampler *s, int *fds, int max);

/*
 * Called once per record, in time order. hdr is borrowed for the call only
 * and is 8-byte aligned. Returning non-zero stops the drain, leaving the
 * rest of the records in place.
 */
typedef int (*sampler_fn)(void *ctx, const struct perf_event_header *hdr);

/* Consumes every record now in the buffers. Returns the callback's non-zero value, or 0. */
int sampler__drain(struct sampler *s, sampler_fn fn, void *ctx);

#endif
