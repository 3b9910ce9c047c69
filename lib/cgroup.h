/* SPDX-License-Identifier: MIT */
#ifndef SEAR_CGROUP_H
#define SEAR_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Control groups (v2), as container engines lay them out: a container's
 * processes share a cgroup whose path holds the container's id.
 */

/* The most of /proc/PID/cgroup or /proc/self/mountinfo read. */
#define CGROUP_FILE_MAX (1u << 20)

/*
 * Finds the container id in a cgroup path (a line of /proc/PID/cgroup or a
 * directory), writing at most size - 1 characters to out. Returns true when
 * one was found.
 */
bool cgroup__container_id(const char *path, char *out, size_t size);

/*
 * Labels a process by its container from its /proc/PID/cgroup text (len
 * bytes): the container id in one of its cgroups, or else, for a process
 * in a pid namespace of its own (own_pidns false), the last part of its
 * cgroup v2 path. Writes at most size - 1 characters to out; returns true
 * when it wrote a label.
 */
bool cgroup__container_of_mem(const char *buf, size_t len, bool own_pidns, char *out, size_t size);

/*
 * Finds where cgroup v2 is mounted in /proc/self/mountinfo text (len
 * bytes). Writes the mount point to out (size bytes). Returns 0, or
 * -ENOENT when there is none.
 */
int cgroup__mount_of_mem(const char *buf, size_t len, char *out, size_t size);

/* True when /proc/1/cgroup text (len bytes) names a container engine. */
bool cgroup__engine_of_mem(const char *buf, size_t len);

/*
 * Resolves a cgroup v2 given as a path (absolute, or relative to the
 * cgroup2 mount) or as a container id, full or a unique prefix of at
 * least 4 hex digits (Docker's "docker-ID.scope", "/docker/ID" and the
 * like). Writes the directory to path (size bytes). Returns an open
 * directory fd, -ENOENT when nothing matches, -EEXIST when a prefix
 * matches several, or another -errno.
 */
int cgroup__open(const char *spec, char *path, size_t size);

/*
 * True when this process seems to run in a container: Docker's or
 * Podman's marker file, or a container engine's name in init's cgroup.
 */
bool cgroup__in_container(void);

#endif
