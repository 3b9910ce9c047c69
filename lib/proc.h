/* SPDX-License-Identifier: MIT */
#ifndef SEAR_PROC_H
#define SEAR_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/perf_event.h>

#include "ranges.h"
#include "strtab.h"

/*
 * What sear knows about the profiled processes: each process's executable
 * mappings and each thread's name, kept up to date from MMAP2, COMM, FORK
 * and EXIT records (or from /proc when attaching).
 *
 * Mappings hold a module id from the symbolizer and are kept sorted
 * (ranges.h), so an address is found by binary search with no allocation.
 */

struct proc_map {
	uint64_t start, end; /* [start, end) */
	uint64_t pgoff;	     /* file offset of start */
	uint32_t dso;	     /* symbolizer module id */
};

struct procs;

/* Returns a new, empty table; free with procs__free(). NULL with errno on failure. */
struct procs *procs__new(void);
void procs__free(struct procs *p);

/* Adds a mapping to pid, replacing whatever it overlaps. Returns 0 or -ENOMEM. */
int procs__mmap(struct procs *p, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		uint32_t dso);

/* pid called exec: its old mappings are gone. */
void procs__exec(struct procs *p, pid_t pid);

/* tid was created by ptid; a new process (pid != ppid) starts with a copy of ppid's maps. */
int procs__fork(struct procs *p, pid_t pid, pid_t ppid, pid_t tid, pid_t ptid);

/* Sets thread tid's name. Returns 0 or -ENOMEM. */
int procs__set_comm(struct procs *p, pid_t tid, const char *comm);

/*
 * Returns the string id of tid's name, or of pid's, or of ":TID" when
 * neither is known (as perf shows such threads). Strings: procs__strings().
 */
int64_t procs__comm(struct procs *p, pid_t pid, pid_t tid);

/* The table holding thread names; borrowed, valid until procs__free(). */
struct strtab *procs__strings(struct procs *p);

/*
 * Returns pid's mapping holding addr, or NULL: a range whose off is the
 * file offset of its start and val the module id. Borrowed, valid until
 * the next change.
 */
const struct range *procs__find_map(const struct procs *p, pid_t pid, uint64_t addr);

/* pid's mappings, for many lookups in a row; NULL when pid is unknown. Borrowed until the next
 * change. */
const struct ranges *procs__maps(const struct procs *p, pid_t pid);

/* One line of /proc/PID/maps. path points into the parsed buffer and is not NUL-terminated. */
struct proc_maps_entry {
	uint64_t start, end, pgoff;
	uint32_t maj, min;
	uint64_t ino;
	int prot; /* PROT_* */
	const char *path;
	size_t path_len;
};

typedef int (*proc_maps_fn)(void *ctx, const struct proc_maps_entry *e);

/*
 * Parses /proc/PID/maps text, calling fn per well-formed line (others are
 * skipped). Returns 0, or fn's non-zero value.
 */
int proc_maps__parse_mem(const char *buf, size_t len, proc_maps_fn fn, void *ctx);

/* Processes and threads, from /proc. */

/*
 * Describes process pid as the kernel would have, had it been recorded
 * from its start, as perf synthesizes: one MMAP2 record per executable
 * mapping and one COMM per thread, each handed to fn (borrowed for the
 * call). Returns 0, fn's non-zero value, or -errno (-ESRCH: gone).
 */
typedef int (*proc_record_fn)(void *ctx, const struct perf_event_header *hdr);
int proc__synthesize(pid_t pid, proc_record_fn fn, void *ctx);

/*
 * Lists the threads of process pid into a new array (free() it).
 * Returns the count, or -errno (-ESRCH: no such process).
 */
int proc__threads(pid_t pid, pid_t **tids);

/* What sear reads of /proc/PID/status. */
struct proc_status {
	pid_t tgid;	 /* Tgid: the process of the thread */
	pid_t nstgid;	 /* the last NStgid field: the pid in its own namespace; 0 when absent */
	int ns_depth;	 /* NStgid fields: more than one, a pid namespace below ours */
	uid_t uid, euid; /* (uid_t)-1 when absent */
	int seccomp;	 /* Seccomp: 0 none, 1 strict, 2 a filter; -1 when absent */
};

/*
 * Parses /proc/PID/status text (len bytes, no NUL needed; lines longer
 * than 512 bytes are cut). Returns 0, or -EINVAL when it has no Tgid.
 */
int proc_status__parse_mem(const char *buf, size_t len, struct proc_status *out);

/* Reads /proc/PID/status (this process's with pid 0). Returns 0 or -errno (-ESRCH: gone). */
int proc_status__read(pid_t pid, struct proc_status *out);

/* Fields of /proc/PID/stat, numbered from 1 as in proc(5). */
#define PROC_STAT_FLAGS	    9  /* PF_* */
#define PROC_STAT_STARTTIME 22 /* clock ticks after boot */

/*
 * Parses /proc/PID/stat text for one numeric field (>= 3), past a comm
 * that may hold anything. Returns 0, or -EINVAL.
 */
int proc_stat__field_mem(const char *buf, size_t len, int field, unsigned long long *out);

/* Returns the process (thread group) id of thread tid, or -errno. */
pid_t proc__tgid(pid_t tid);

/* True when pid is a kernel thread: it has no user space, hence no user stack. */
bool proc__is_kernel_thread(pid_t pid);

/*
 * When process pid started, in CLOCK_REALTIME nanoseconds (to the clock
 * tick, 10 ms), comparable with file times. 0 when unknown (gone).
 */
int64_t proc__start_time_ns(pid_t pid);

/* This process's seccomp mode: 0 none, 1 strict, 2 a filter (Docker's profile), -1 unknown. */
int proc__seccomp(void);

/* Returns a pidfd for pid (readable once it exits), or -errno. */
int proc__pidfd(pid_t pid);

#endif
