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

int target__threads(pid_t pid, pid_t **tids)
{
	char path[64];
	struct dirent *de;
	pid_t *t = NULL, *n;
	int nr = 0, cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(dir))) {
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 16;
			n = realloc(t, cap * sizeof(*t));
			if (!n) {
				free(t);
				closedir(dir);
				return -ENOMEM;
			}
			t = n;
		}
		t[nr++] = tid;
	}
	closedir(dir);
	if (!nr) {
		free(t);
		return -ESRCH;
	}
	*tids = t;
	return nr;
}

pid_t target__tgid(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = -ESRCH;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5)) {
			tgid = atoi(line + 5);
			break;
		}
	fclose(f);
	return tgid;
}

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems. */
static int cgroup2_mount(char *out, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int ret = -ENOENT;

	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 "), mnt[4096];

		/* "id parent maj:min root mountpoint options ... - cgroup2 source opts" */
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(out, size, "%s", mnt);
			ret = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return ret;
}

static bool hex_prefix_of_id(const char *name, const char *prefix)
{
	size_t n = strlen(prefix), run = 0;
	const char *p;

	/* A 64-hex-digit run in the name that starts with prefix. */
	for (p = name; *p; p++) {
		bool hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');

		run = hex ? run + 1 : 0;
		if (run == 64 && !strncmp(p - 63, prefix, n))
			return true;
	}
	return false;
}

/* Searches the cgroup tree under dir (depth-limited) for container id prefix. */
static int cgroup__find(const char *dir, const char *prefix, int depth, char *found, size_t size,
			int *hits)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char sub[4096];

	if (!d)
		return 0;
	while ((de = readdir(d)) && *hits < 2) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		if (hex_prefix_of_id(de->d_name, prefix)) {
			if (!*hits || strcmp(found, sub))
				(*hits)++;
			snprintf(found, size, "%s", sub);
			continue;
		}
		if (depth > 0)
			cgroup__find(sub, prefix, depth - 1, found, size, hits);
	}
	closedir(d);
	return 0;
}

int target__cgroup(const char *spec, char *path, size_t size)
{
	char mnt[4096];
	int fd, hits = 0;

	if (cgroup2_mount(mnt, sizeof(mnt)))
		return -ENOTSUP;
	if (strchr(spec, '/')) {
		if (spec[0] == '/' && !strncmp(spec, mnt, strlen(mnt)))
			snprintf(path, size, "%s", spec);
		else
			snprintf(path, size, "%s/%s", mnt, spec[0] == '/' ? spec + 1 : spec);
	} else if (strlen(spec) >= 4 && strlen(spec) <= 64 &&
		   strspn(spec, "0123456789abcdef") == strlen(spec)) {
		cgroup__find(mnt, spec, 6, path, size, &hits);
		if (!hits)
			return -ENOENT;
		if (hits > 1)
			return -EEXIST;
	} else {
		snprintf(path, size, "%s/%s", mnt, spec);
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int target__pidfd(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}
