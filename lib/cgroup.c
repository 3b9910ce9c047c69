// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"

#define CGROUP_LINE_MAX 4096 /* longer lines are cut: a cgroup path is at most PATH_MAX */

/* Copies the line at *p (up to end) into line (size bytes, NUL-terminated); moves *p past it. */
static void next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *eol = memchr(*p, '\n', end - *p);
	size_t n;

	if (!eol)
		eol = end;
	n = (size_t)(eol - *p) < size ? (size_t)(eol - *p) : size - 1;
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = eol < end ? eol + 1 : end;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool cgroup__container_id(const char *path, char *out, size_t size)
{
	const char *p;
	size_t run = 0;

	/* docker-<id>.scope, /docker/<id>, cri-containerd-<id>.scope, libpod-<id>.scope, ... */
	for (p = path; *p; p++) {
		run = is_hex(*p) ? run + 1 : 0;
		if (run == 64 && !is_hex(p[1])) {
			snprintf(out, size, "%.64s", p - 63);
			return true;
		}
	}
	return false;
}

bool cgroup__container_of_mem(const char *buf, size_t len, bool own_pidns, char *out, size_t size)
{
	const char *p = buf, *end = buf + len;
	char line[CGROUP_LINE_MAX];
	bool found = false;

	/* "hierarchy-ID:controllers:path" per line; cgroup v2's is "0::/path". */
	while (p < end) {
		char *cg;

		next_line(&p, end, line, sizeof(line));
		cg = strchr(line, ':');
		cg = cg ? strchr(cg + 1, ':') : NULL;
		if (!cg)
			continue;
		cg++;
		if (cgroup__container_id(cg, out, size))
			return true;
		if (!own_pidns && !strncmp(line, "0::", 3) && strcmp(cg, "/")) {
			const char *leaf = strrchr(cg, '/');

			snprintf(out, size, "%s", leaf ? leaf + 1 : cg);
			found = true;
		}
	}
	return found;
}

int cgroup__mount_of_mem(const char *buf, size_t len, char *out, size_t size)
{
	const char *p = buf, *end = buf + len;
	char line[CGROUP_LINE_MAX];

	while (p < end) {
		char *sep, *mnt, *mnt_end;
		int field;

		next_line(&p, end, line, sizeof(line));
		/* "id parent maj:min root mountpoint options ... - cgroup2 source opts" */
		sep = strstr(line, " - cgroup2 ");
		if (!sep)
			continue;
		*sep = '\0';
		mnt = line;
		for (field = 0; field < 4 && mnt; field++) {
			mnt = strchr(mnt, ' ');
			mnt = mnt ? mnt + 1 : NULL;
		}
		if (!mnt || !*mnt || *mnt == ' ')
			continue;
		mnt_end = strchr(mnt, ' ');
		if (mnt_end)
			*mnt_end = '\0';
		snprintf(out, size, "%s", mnt);
		return 0;
	}
	return -ENOENT;
}

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems. */
static int cgroup2_mount(char *out, size_t size)
{
	char *buf;
	ssize_t len = io__read_file("/proc/self/mountinfo", CGROUP_FILE_MAX, &buf);
	int ret;

	if (len < 0)
		return -ENOENT;
	ret = cgroup__mount_of_mem(buf, len, out, size);
	free(buf);
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

int cgroup__open(const char *spec, char *path, size_t size)
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

bool cgroup__engine_of_mem(const char *buf, size_t len)
{
	static const char *const marks[] = { "docker", "kubepods", "containerd", "libpod", "lxc" };
	const char *p = buf, *end = buf + len;
	char line[CGROUP_LINE_MAX];
	size_t i;

	while (p < end) {
		next_line(&p, end, line, sizeof(line));
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if (strstr(line, marks[i]))
				return true;
	}
	return false;
}

bool cgroup__in_container(void)
{
	ssize_t len;
	bool found;
	char *buf;

	if (!access("/.dockerenv", F_OK) || !access("/run/.containerenv", F_OK))
		return true;
	len = io__read_file("/proc/1/cgroup", CGROUP_FILE_MAX, &buf);
	if (len < 0)
		return false;
	found = cgroup__engine_of_mem(buf, len);
	free(buf);
	return found;
}
