/* SPDX-License-Identifier: MIT */
#ifndef SEAR_BPF_UNWIND_ABI_H
#define SEAR_BPF_UNWIND_ABI_H

/*
 * The layouts that lib/unwind.bpf.c and lib/bpf_unwind.c share: the BPF
 * maps' values and the ring buffer's records. Included by both sides, so
 * it uses only the kernel's __u* types. Not part of sear's API: callers
 * use lib/bpf_unwind.h.
 *
 * Maps:
 *  - pids (HASH): process id -> struct bpf_unwind_pid, where its mappings
 *    are. A process with no entry is walked by frame pointers alone.
 *  - forks (LRU_HASH, kernel-written): process id -> the process whose
 *    entry in pids it was forked with, 0 once it execs; filled at fork by
 *    the BPF side for the children of targets, removed when they end, so
 *    a child is a target, and walked, before user space hears of it.
 *  - mappings (ARRAY, mmapable): slots of maps_per_pid entries, each
 *    process's executable mappings sorted by start, non-overlapping.
 *  - rows (ARRAY, mmapable): every module's rows (lib/unwind_row.h), each
 *    module a contiguous slice.
 *  - row_index (ARRAY, mmapable): per module, for each BPF_UNWIND_PAGE
 *    bytes of its code, a struct bpf_unwind_page: the rows a lookup in that
 *    page needs to search (a cache line or two instead of the whole table).
 *  - samples (RINGBUF): one struct bpf_unwind_record per sample.
 *  - counters (PERCPU_ARRAY, one entry): struct bpf_unwind_counters.
 *  - waits (TASK_STORAGE): off-CPU, each blocked target thread's stacks and
 *    when it blocked, until it runs again.
 */

#include "unwind_row.h"

#define BPF_UNWIND_MAX_USER   128 /* user frames per sample */
#define BPF_UNWIND_PAGE_SHIFT 10
#define BPF_UNWIND_PAGE	      (1 << BPF_UNWIND_PAGE_SHIFT)
#define BPF_UNWIND_MAX_KERNEL 127 /* kernel frames (kernel.perf_event_max_stack's default) */

struct bpf_unwind_pid {
	__u32 slot; /* the mappings start at index slot * maps_per_pid */
	__u32 nr;   /* how many */
};

struct bpf_unwind_mapping {
	__u64 start, end; /* runtime addresses, [start, end) */
	__u64 base;	  /* runtime address of row pc 0 */
	__u32 row_off;	  /* the module's first row in the rows map */
	__u32 nr_rows;	  /* 0: no table, frame-pointer steps */
	__u32 idx_off;	  /* the module's first entry in the row_index map */
	__u32 nr_idx;	  /* its entries: one per page up to the last row's */
};

/* record flags */
#define BPF_UNWIND_F_TRUNCATED 1 /* the user walk stopped before the outermost frame */
#define BPF_UNWIND_F_KERNEL    2 /* the sample hit in kernel mode */
#define BPF_UNWIND_F_NO_USER   4 /* a kernel thread: no user stack */
#define BPF_UNWIND_F_OFFCPU    8 /* time blocked: period is in ns, time is when it blocked */

/*
 * For page k of a module: lo is how many of its rows have a pc at or below
 * the page's start, hi the same for the next page (all rows, for the last).
 * The row covering an offset in the page is among rows [lo - 1, hi).
 */
struct bpf_unwind_page {
	__u32 lo, hi;
};

struct bpf_unwind_record {
	__u32 pid, tid;
	__u64 time; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 period;
	__u32 cpu;
	__u16 flags;
	__u8 nr_kernel, nr_user;
	/* then nr_kernel kernel ips and nr_user user ips (__u64), each leaf first */
};

struct bpf_unwind_counters {
	__u64 samples;	 /* samples the program saw (sear's own excluded) */
	__u64 drops;	 /* records lost: the ring buffer was full */
	__u64 truncated; /* walks that stopped before the outermost frame */
	__u64 fp_steps;	 /* frame-pointer steps */
	__u64 cfi_steps; /* steps by a CFI row */
	__u64 offcpu;	 /* blocks of target threads seen (off-CPU) */
};

#endif
