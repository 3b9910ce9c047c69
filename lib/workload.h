/* SPDX-License-Identifier: MIT */
#ifndef SEAR_WORKLOAD_H
#define SEAR_WORKLOAD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * A command that sear starts.
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

#endif
