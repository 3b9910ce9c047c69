/* SPDX-License-Identifier: MIT */
#ifndef SEAR_WORKLOAD_H
#define SEAR_WORKLOAD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Targets: a command that sear starts, and the threads of running
 * processes.
 *
 * A command is started in two steps so that events can be opened on it
 * before it runs: workload__prepare() forks a child that waits, and
 * workload__start() lets it exec. An exec failure comes back as an errno
 * through a close-on-exec pipe, so "command not found" is reported by the
 * parent, not printed by the child.
 */

struct workload {
	int nice; /* set before prepare: the command's nice value (sear may run at another) */
	pid_t pid;
	int go_fd;  /* write end: one byte lets the child exec */
	int err_fd; /* read end: the child's exec errno, or EOF on success */
};

/* Forks a child that will exec argv[0] (searched in PATH). Returns 0 or -errno. */
int workload__prepare(struct workload *w, char *const argv[]);

/* Lets the child exec. Returns 0, or -errno from the failed exec (-ENOENT: not found). */
int workload__start(struct workload *w);

/* Kills and reaps a child that never started (after a failure to open events). */
void workload__abort(struct workload *w);

/*
 * Lists the threads of process pid into a new array (free() it).
 * Returns the count, or -errno (-ESRCH: no such process).
 */
int target__threads(pid_t pid, pid_t **tids);

/* Returns the process (thread group) id of thread tid, or -errno. */
pid_t target__tgid(pid_t tid);

/*
 * Resolves a cgroup v2 given as a path (absolute, or relative to the
 * cgroup2 mount) or as a container id, full or a unique prefix of at
 * least 4 hex digits (Docker's "docker-ID.scope", "/docker/ID" and the
 * like). Writes the directory to path (size bytes). Returns an open
 * directory fd, -ENOENT when nothing matches, -EEXIST when a prefix
 * matches several, or another -errno.
 */
int target__cgroup(const char *spec, char *path, size_t size);

/* Returns a pidfd for pid (readable once it exits), or -errno. */
int target__pidfd(pid_t pid);

#endif
