// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

int workload__prepare(struct workload *w, char *const argv[])
{
	int go[2], err[2];
	sigset_t none;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	w->pid = fork();
	if (w->pid < 0) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (!w->pid) {
		int e;

		close(go[1]);
		close(err[0]);
		/* The parent blocks signals it waits for in ppoll; the command must not inherit
		 * that. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL); /* sear ignores it; exec keeps what is ignored */
		setpriority(PRIO_PROCESS, 0, w->nice);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* the parent gave up */
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	w->go_fd = go[1];
	w->err_fd = err[0];
	return 0;
}

int workload__start(struct workload *w)
{
	ssize_t n;
	int e = 0;

	if (write(w->go_fd, "g", 1) != 1)
		e = errno;
	close(w->go_fd);
	w->go_fd = -1;
	do {
		n = read(w->err_fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(w->err_fd);
	w->err_fd = -1;
	if (n == sizeof(e)) {
		waitpid(w->pid, NULL, 0);
		return -e;
	}
	return 0;
}

void workload__abort(struct workload *w)
{
	if (w->go_fd >= 0)
		close(w->go_fd);
	if (w->err_fd >= 0)
		close(w->err_fd);
	w->go_fd = w->err_fd = -1;
	/* Closing go_fd makes the child's read return 0, and it exits. */
	waitpid(w->pid, NULL, 0);
}
