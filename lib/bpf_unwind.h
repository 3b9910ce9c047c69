/* SPDX-License-Identifier: MIT */
#ifndef SEAR_BPF_UNWIND_H
#define SEAR_BPF_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf_unwind_abi.h"
#include "unwind_row.h"

/*
 * The in-kernel unwinder, user-space side: loads lib/unwind.bpf.c, attaches
 * it to sear's sampling perf events, keeps its tables in step with the
 * profiled processes, and hands over the samples it unwound.
 *
 * At each sample the BPF program walks the user stack by the CFI rows of
 * the module holding each address (lib/ehframe.h compiles them), or by
 * frame pointers where there are none (JIT code, code with no FDE), takes
 * the kernel stack with bpf_get_stack, and writes one record to a BPF ring
 * buffer. It returns 0, so perf writes no sample record of its own: the
 * perf ring buffers carry only the side-band records (MMAP2, COMM, FORK,
 * EXIT), which the caller turns into bpf_unwind__map/fork/exec/exit calls.
 *
 * Invariants and caveats:
 *  - sample times are bpf_ktime_get_ns(), CLOCK_MONOTONIC. The perf events
 *    must be opened with use_clockid = 1, clockid = CLOCK_MONOTONIC so that
 *    their side-band records sort with the samples (tests/unit/
 *    test-bpf-unwind.c checks this on the running kernel: 6.18).
 *  - open the events with exclude_callchain_user (or without
 *    PERF_SAMPLE_CALLCHAIN): as the program calls bpf_get_stack, the kernel
 *    builds the event's perf callchain before running it, and a user half
 *    would be a frame-pointer walk for nothing.
 *  - attach before enabling: events inherited into threads and children
 *    created later carry the program (checked on 6.18 by the same test).
 *  - a process with no mappings here is walked by frame pointers only;
 *    once it has some, a return address outside them ends the walk (it is
 *    garbage, or a mapping not told yet).
 *  - the targets of off-CPU time are the processes told of here (by a
 *    mapping, a fork, or bpf_unwind__watch()), from then until their exit.
 *  - rows are added to one pool and never freed; a full pool fails
 *    bpf_unwind__add_table with -ENOSPC, and that module is then walked by
 *    frame pointers.
 *  - each process's mappings are written to a spare slot, then switched to:
 *    a walk running at that moment sees the old or the new set, whole
 *    (unless two changes land within the few microseconds of one walk).
 *
 * Needs CAP_BPF and CAP_PERFMON (or root), a kernel with BTF and bpf_loop
 * (5.17 or later).
 */

struct bpf_unwind;

struct bpf_unwind_opts {
	pid_t self_pid;	   /* samples of this process are dropped; 0: the caller's; -1: none */
	uint32_t max_rows; /* rows in the shared pool; 0: 4 Mi (32 MiB, and 8 MiB of index) */
	uint32_t max_pids; /* processes with mappings; 0: 1024 */
	/* executable mappings per process; 0: 256 (20 MiB for 1024: two slots of 40 bytes) */
	uint32_t maps_per_pid;
	uint32_t ringbuf_bytes; /* ring buffer size, a power of two; 0: 4 MiB */
	/*
	 * Off-CPU: also the waits of the threads of processes with mappings,
	 * from sched_switch, as samples with BPF_UNWIND_F_OFFCPU whose period
	 * is the time blocked (in ns, offcpu_min_ns at least) and whose time is
	 * when the thread blocked. Preemptions are not waits.
	 */
	bool offcpu;
	uint64_t offcpu_min_ns;
};

/*
 * Loads the BPF program and creates its maps, sized from opts (NULL: the
 * defaults). Returns a new unwinder; free with bpf_unwind__free(). NULL
 * with errno when BPF cannot be used, after a one-line reason through the
 * log: EPERM (no CAP_BPF/CAP_PERFMON), ENOTSUP (no BTF, or no bpf_loop:
 * kernel older than 5.17), or the loader's error.
 */
struct bpf_unwind *bpf_unwind__new(const struct bpf_unwind_opts *opts);

/*
 * Frees u, its maps and its program (events still attached keep the program
 * until their fds close). NULL does nothing.
 */
void bpf_unwind__free(struct bpf_unwind *u);

/*
 * Attaches the program to one perf event (PERF_EVENT_IOC_SET_BPF), before
 * it is enabled. The program stays until the event's fd is closed.
 * Returns 0 or -errno.
 */
int bpf_unwind__attach(struct bpf_unwind *u, int perf_fd);

/* Mapped code with no table: frame-pointer steps. */
#define BPF_UNWIND_NO_TABLE UINT32_MAX

/*
 * Copies one module's rows (sorted, as ehframe_table__rows() gives them;
 * base is ehframe_table__base()) into the shared pool. *table_id gets the
 * id to name in bpf_unwind__map(); tables are shared by every process that
 * maps the module. Also builds the rows' page index. Returns 0, -EINVAL
 * for rows not strictly sorted, or -ENOSPC when the pool (rows or index)
 * is full: then map the module with BPF_UNWIND_NO_TABLE.
 */
int bpf_unwind__add_table(struct bpf_unwind *u, const struct unwind_row *rows, size_t nr,
			  uint64_t base, uint32_t *table_id);

/*
 * pid mapped [start, end) of executable code, where runtime address =
 * image address + bias, with table_id's rows (or BPF_UNWIND_NO_TABLE). It
 * replaces what it overlaps, as mmap does. Returns 0, -EINVAL for an
 * unknown table or an empty range, -ENOSPC when max_pids processes already
 * have mappings, or -E2BIG past maps_per_pid.
 */
int bpf_unwind__map(struct bpf_unwind *u, pid_t pid, uint64_t start, uint64_t end, int64_t bias,
		    uint32_t table_id);

/* pid was forked from ppid: it starts with a copy of ppid's mappings. Returns 0 or -errno. */
int bpf_unwind__fork(struct bpf_unwind *u, pid_t pid, pid_t ppid);

/*
 * pid is a target before any of its mappings is known (a command about to
 * exec): its waits are watched, its stacks walked by frame pointers until
 * its mappings come. Returns 0 or -errno.
 */
int bpf_unwind__watch(struct bpf_unwind *u, pid_t pid);

/*
 * pid called exec: its mappings are gone (frame pointers until new ones
 * come); it stays a target. Returns 0.
 */
int bpf_unwind__exec(struct bpf_unwind *u, pid_t pid);

/*
 * With offcpu, at the end of a recording: stops watching sched_switch and
 * writes the waits still pending to the ring buffer, each as if its thread
 * ran again now (bpf_unwind__drain() then hands them over). Returns 0 or
 * -errno; without offcpu, 0.
 */
int bpf_unwind__end_waits(struct bpf_unwind *u);

/* pid exited: forgets it. Returns 0. */
int bpf_unwind__exit(struct bpf_unwind *u, pid_t pid);

/*
 * A file descriptor that polls readable once an eighth of the ring buffer
 * is waiting: the program wakes the reader per batch, not per sample (a
 * wakeup costs an IPI). Poll it with a timeout (100 ms, say) and drain on
 * the timeout too. Borrowed, valid until bpf_unwind__free().
 */
int bpf_unwind__fd(const struct bpf_unwind *u);

/* One sample. */
struct bpf_unwind_sample {
	pid_t pid, tid;
	uint64_t time; /* CLOCK_MONOTONIC, ns */
	uint64_t period;
	uint32_t cpu;
	uint32_t flags; /* BPF_UNWIND_F_* */
	uint32_t nr_kernel, nr_user;
	/*
	 * nr_kernel kernel ips then nr_user user ips, each leaf first; the user
	 * ips after the first are return addresses (look up ip - 1). Borrowed
	 * for the callback only.
	 */
	const uint64_t *ips;
};

/* Returning non-zero stops the drain after this sample (which is consumed). */
typedef int (*bpf_unwind_fn)(void *ctx, const struct bpf_unwind_sample *s);

/* Hands every sample now in the ring buffer to fn. Returns 0, fn's non-zero value, or -errno. */
int bpf_unwind__drain(struct bpf_unwind *u, bpf_unwind_fn fn, void *ctx);

struct bpf_unwind_stats {
	uint64_t samples;   /* samples the program saw */
	uint64_t drops;	    /* lost because the ring buffer was full */
	uint64_t truncated; /* walks that ended before the outermost frame */
	uint64_t fp_steps;  /* frame-pointer steps */
	uint64_t cfi_steps; /* steps by CFI rows */
	uint64_t pool_full; /* tables refused for lack of room */
	uint64_t rows;	    /* rows in the pool */
	uint64_t offcpu;    /* off-CPU: blocks of target threads seen */
};

/* Fills *out with the counters so far (the BPF ones summed over CPUs). */
void bpf_unwind__stats(const struct bpf_unwind *u, struct bpf_unwind_stats *out);

#endif
