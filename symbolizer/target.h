/* SPDX-License-Identifier: MIT */
#ifndef SEAR_TARGET_H
#define SEAR_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The profiled processes as the symbolizer sees them: each one's root
 * directory, pinned by an open fd so that its files stay reachable after
 * it exits (a container's files included), its pid in its own pid
 * namespace (perf-PID.map is named with it), and its uids.
 *
 * Processes that share a root (same mount namespace and root directory)
 * share one pinned fd, so a system-wide recording holds one per container.
 *
 * Files a target controls are opened only through targets__open(): inside
 * its root (openat2 RESOLVE_IN_ROOT, no magic links), regular files only,
 * never blocking on a FIFO, size-capped, and with the owner checked where
 * asked. sear runs as root: these files are hostile input.
 */

struct targets;

struct target {
	int root_fd; /* O_PATH directory fd of the process's root, or -1 */
	pid_t nspid; /* innermost pid (last NStgid field), or the pid itself */
	uid_t uid, euid;
	int64_t start_ns; /* when it started (CLOCK_REALTIME), 0 unknown */
	bool known;	  /* /proc was read while the process was alive */
	/*
	 * The container it runs in: a Docker/containerd/podman id (64 hex
	 * digits in its cgroup path), or the cgroup's name for a process in
	 * another pid namespace; "" for none.
	 */
	char container[65];
};

/*
 * Returns a new registry; free with targets__free(), which closes the
 * pinned roots. An offline registry never reads /proc: its pids are from a
 * recording, and may belong to other processes now.
 */
struct targets *targets__new(bool offline);
void targets__free(struct targets *t);

/*
 * Returns what is known of pid, reading /proc/PID now if it was never
 * seen; a process already gone gets its parent's root (see
 * targets__fork()) or none. Borrowed, valid until targets__free().
 */
const struct target *targets__get(struct targets *t, pid_t pid);

/*
 * Opens every file inside dirfd (an O_PATH directory, owned from now on)
 * instead of the processes' roots and the host: perf's --symfs, for
 * reading a recording against a copy of another machine's files.
 */
void targets__set_symfs(struct targets *t, int dirfd);

/* pid was forked by ppid: it starts with ppid's root, until seen alive. */
void targets__fork(struct targets *t, pid_t pid, pid_t ppid);

/*
 * pid called exec: reads its root, ids and container again while it runs
 * (a chroot, a setuid program, a container's entry point all change them
 * at exec). Keeps what was known when it is gone.
 */
void targets__exec(struct targets *t, pid_t pid);

enum target_open_flags {
	TARGET_OPEN_NO_SYMLINKS = 1 << 0, /* refuse any symlink on the way */
	TARGET_OPEN_CHECK_OWNER = 1 << 1, /* owner must be root or the target's uid */
	TARGET_OPEN_HOST = 1 << 2,	  /* the path is on the host, not in the target's root */
	TARGET_OPEN_NOT_STALE = 1 << 3,	  /* last written after the target started */
};

/*
 * Opens path for reading as process pid sees it. Returns an fd, or -errno.
 * On refusal (-EPERM, -EINVAL, -EFBIG, -ELOOP, -ESTALE) *why, if not NULL,
 * says why in a few words. -ESTALE, a file older than the process (left
 * by an earlier one with the same pid), may pass later, once rewritten. *size gets the file's size.
 */
int targets__open(struct targets *t, pid_t pid, const char *path, int flags, size_t max_size,
		  size_t *size, const char **why);

/*
 * Reads up to max bytes of fd from offset with pread (the file may shrink
 * under us; mmap would SIGBUS). Returns a new NUL-terminated buffer (free()
 * it) and sets *len, or NULL with errno set.
 */
char *target_file__read(int fd, uint64_t offset, size_t max, size_t *len);

#endif
