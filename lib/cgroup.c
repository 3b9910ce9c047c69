// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

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

bool cgroup__in_container(void)
{
	static const char *const marks[] = { "docker", "kubepods", "containerd", "libpod", "lxc" };
	char line[512];
	bool found = false;
	size_t i;
	FILE *f;

	if (!access("/.dockerenv", F_OK) || !access("/run/.containerenv", F_OK))
		return true;
	f = fopen("/proc/1/cgroup", "re");
	while (f && !found && fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if (strstr(line, marks[i]))
				found = true;
	if (f)
		fclose(f);
	return found;
}
