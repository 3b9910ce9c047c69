// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/hash.h"
#include "lib/io.h"
#include "lib/proc.h"
#include "target.h"

#define STALE_SLACK_NS 1000000000LL

struct root {
	int fd;
	dev_t dev;
	ino_t ino;
	ino_t mntns;
};

struct targets {
	struct target *v;
	size_t nr, cap;
	struct u64map by_pid; /* pid -> index */
	struct root *roots;   /* distinct pinned roots, each fd held once */
	bool offline;
	int symfs_fd; /* every file is opened in this root instead (--symfs), or -1 */
	size_t nr_roots, cap_roots;
};

struct targets *targets__new(bool offline)
{
	struct targets *t = calloc(1, sizeof(struct targets));

	if (t) {
		t->offline = offline;
		t->symfs_fd = -1;
	}
	return t;
}

void targets__set_symfs(struct targets *t, int dirfd)
{
	t->symfs_fd = dirfd;
}

void targets__free(struct targets *t)
{
	size_t i;

	if (!t)
		return;
	if (t->symfs_fd >= 0)
		close(t->symfs_fd);
	for (i = 0; i < t->nr_roots; i++)
		close(t->roots[i].fd);
	free(t->roots);
	free(t->v);
	u64map__release(&t->by_pid);
	free(t);
}

/* Keeps one fd per distinct (mount namespace, root directory): returns the kept fd. */
static int targets__share_root(struct targets *t, int fd, ino_t mntns)
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	for (i = 0; i < t->nr_roots; i++) {
		struct root *r = &t->roots[i];

		if (r->dev == st.st_dev && r->ino == st.st_ino && r->mntns == mntns) {
			close(fd);
			return r->fd;
		}
	}
	if (t->nr_roots == t->cap_roots) {
		size_t cap = t->cap_roots ? t->cap_roots * 2 : 8;
		struct root *n = realloc(t->roots, cap * sizeof(*n));

		if (!n) {
			close(fd);
			return -1;
		}
		t->roots = n;
		t->cap_roots = cap;
	}
	t->roots[t->nr_roots++] = (struct root){ fd, st.st_dev, st.st_ino, mntns };
	return fd;
}

/* Labels a process by its container: an id in its cgroup, or a cgroup of another pid namespace. */
static void target__read_container(struct target *tg, pid_t pid, bool own_pidns)
{
	char path[64], *buf;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	len = io__read_file(path, CGROUP_FILE_MAX, &buf);
	if (len < 0)
		return;
	cgroup__container_of_mem(buf, len, own_pidns, tg->container, sizeof(tg->container));
	free(buf);
}

/* Reads root, nspid and uids from /proc/PID. Returns false when the process is gone. */
static bool targets__read_proc(struct targets *t, pid_t pid, struct target *tg)
{
	struct proc_status status;
	char path[64];
	struct stat ns;
	int fd;

	if (proc_status__read(pid, &status))
		return false;
	tg->nspid = status.nstgid > 0 ? status.nstgid : pid;
	tg->start_ns = proc__start_time_ns(pid);
	if (status.uid != (uid_t)-1) {
		tg->uid = status.uid;
		tg->euid = status.euid;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	if (stat(path, &ns))
		ns.st_ino = 0;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	tg->root_fd = fd >= 0 ? targets__share_root(t, fd, ns.st_ino) : -1;
	tg->known = tg->root_fd >= 0;
	/* More than one NStgid field: the process is in a pid namespace below ours. */
	target__read_container(tg, pid, status.ns_depth <= 1);
	return tg->known;
}

static struct target *targets__slot(struct targets *t, pid_t pid, bool *created)
{
	uint64_t *i = u64map__find(&t->by_pid, (uint32_t)pid);
	struct target *tg;

	*created = false;
	if (i)
		return &t->v[*i];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		tg = realloc(t->v, cap * sizeof(*tg));
		if (!tg)
			return NULL;
		t->v = tg;
		t->cap = cap;
	}
	if (u64map__set(&t->by_pid, (uint32_t)pid, t->nr))
		return NULL;
	tg = &t->v[t->nr++];
	*tg = (struct target){ .root_fd = -1, .nspid = pid, .uid = (uid_t)-1, .euid = (uid_t)-1 };
	*created = true;
	return tg;
}

const struct target *targets__get(struct targets *t, pid_t pid)
{
	static const struct target none = { .root_fd = -1 };
	bool created;
	struct target *tg = targets__slot(t, pid, &created);

	if (!tg)
		return &none;
	if (!tg->known && !t->offline)
		targets__read_proc(t, pid, tg);
	return tg;
}

void targets__fork(struct targets *t, pid_t pid, pid_t ppid)
{
	const struct target *parent;
	struct target *child;
	bool created;

	if (pid == ppid || t->offline)
		return;
	parent = targets__get(t, ppid);
	if (!parent->known)
		return;
	{
		struct target copy = *parent; /* the slot may move the array */

		child = targets__slot(t, pid, &created);
		if (!child || child->known)
			return;
		/* Alive: read its own. Gone already: it had its parent's root and ids. */
		if (!targets__read_proc(t, pid, child)) {
			*child = copy;
			child->nspid = 0; /* unknown: its parent's nspid is not its own */
			child->known = false;
			child->root_fd = copy.root_fd;
		}
	}
}

void targets__exec(struct targets *t, pid_t pid)
{
	struct target *tg, copy;
	bool created;

	if (t->offline || !(tg = targets__slot(t, pid, &created)))
		return;
	copy = *tg;
	if (!targets__read_proc(t, pid, tg))
		*tg = copy; /* gone already: what it had is the best guess */
}

/* openat2 inside root; where the kernel lacks it (before 5.6), walk with O_NOFOLLOW. */
static int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	char buf[4096], *save, *comp, *next;
	int fd, dir;

	if (root_fd >= 0)
		how.resolve |= RESOLVE_IN_ROOT;
	if (flags & TARGET_OPEN_NO_SYMLINKS)
		how.resolve |= RESOLVE_NO_SYMLINKS;
	fd = syscall(SYS_openat2, root_fd >= 0 ? root_fd : AT_FDCWD, path, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd >= 0 ? fd : -errno;
	/* No openat2: allow no symlink at all, and no "..". */
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	dir = root_fd >= 0 ? dup(root_fd) : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, "..")) {
			close(dir);
			return -EPERM;
		}
		fd = openat(dir, comp,
			    next ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
				 : O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
		close(dir);
		if (fd < 0)
			return -errno;
		dir = fd;
	}
	return dir;
}

int targets__open(struct targets *t, pid_t pid, const char *path, int flags, size_t max_size,
		  size_t *size, const char **why)
{
	const struct target *tg = targets__get(t, pid);
	struct stat st;
	int fd, err;

	if (why)
		*why = NULL;
	fd = open_in_root(t->symfs_fd >= 0	       ? t->symfs_fd
			  : (flags & TARGET_OPEN_HOST) ? -1
						       : tg->root_fd,
			  path, flags);
	if (fd < 0) {
		if (fd == -ELOOP && why)
			*why = "it is a symlink";
		return fd;
	}
	err = fstat(fd, &st) ? -errno : 0;
	if (!err && !S_ISREG(st.st_mode)) {
		err = -EINVAL;
		if (why)
			*why = "it is not a regular file";
	}
	if (!err && (flags & TARGET_OPEN_CHECK_OWNER) && st.st_uid != 0 && st.st_uid != tg->uid &&
	    st.st_uid != tg->euid) {
		err = -EPERM;
		if (why)
			*why = "its owner is neither root nor the process's user";
	}
	/* Its start is known to the clock tick; the slack covers that and the clocks' rounding. */
	if (!err && (flags & TARGET_OPEN_NOT_STALE) && tg->start_ns &&
	    st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec < tg->start_ns - STALE_SLACK_NS) {
		err = -ESTALE;
		if (why)
			*why = "it is older than the process: an earlier process with the same pid "
			       "left it";
	}
	if (!err && max_size && (uint64_t)st.st_size > max_size) {
		err = -EFBIG;
		if (why)
			*why = "it is too large";
	}
	if (err) {
		close(fd);
		return err;
	}
	if (size)
		*size = st.st_size;
	return fd;
}

char *target_file__read(int fd, uint64_t offset, size_t max, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *p;
	ssize_t r;

	if (!buf)
		return NULL;
	while (n < max) {
		if (n == cap) {
			cap = cap * 2 > max ? max : cap * 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		r = pread(fd, buf + n, cap - n, offset + n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (!r)
			break;
		n += r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
