// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"
#include "proc.h"

#define PROC_MAPS_MAX	(64u << 20)
#define PROC_STATUS_MAX (64u << 10) /* /proc/PID/status is 1 to 2 KB */
#define PROC_LINE_MAX	512	    /* the longest status line parsed */

#define PROC_MAX_MAPS 65536 /* vm.max_map_count's default */

struct proc {
	struct ranges maps; /* val: module id; off: file offset */
};

struct procs {
	struct proc *procs;
	size_t nr, cap;
	struct u64map by_pid; /* pid -> index in procs */
	struct u64map comms;  /* tid -> string id */
	struct strtab *strings;
};

struct procs *procs__new(void)
{
	struct procs *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->strings = strtab__new();
	if (!p->strings) {
		free(p);
		return NULL;
	}
	return p;
}

void procs__free(struct procs *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr; i++)
		ranges__release(&p->procs[i].maps);
	free(p->procs);
	u64map__release(&p->by_pid);
	u64map__release(&p->comms);
	strtab__free(p->strings);
	free(p);
}

static struct proc *procs__find(const struct procs *p, pid_t pid)
{
	uint64_t *i = u64map__find(&p->by_pid, (uint32_t)pid);

	return i ? &p->procs[*i] : NULL;
}

static struct proc *procs__findnew(struct procs *p, pid_t pid)
{
	struct proc *pr = procs__find(p, pid);

	if (pr)
		return pr;
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		pr = realloc(p->procs, cap * sizeof(*pr));
		if (!pr)
			return NULL;
		p->procs = pr;
		p->cap = cap;
	}
	if (u64map__set(&p->by_pid, (uint32_t)pid, p->nr))
		return NULL;
	pr = &p->procs[p->nr++];
	memset(pr, 0, sizeof(*pr));
	return pr;
}

int procs__mmap(struct procs *p, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		uint32_t dso)
{
	struct proc *pr = procs__findnew(p, pid);

	if (!pr)
		return -ENOMEM;
	pr->maps.max = PROC_MAX_MAPS;
	return ranges__insert(&pr->maps, start, len, pgoff, dso);
}

void procs__exec(struct procs *p, pid_t pid)
{
	struct proc *pr = procs__find(p, pid);

	if (pr)
		ranges__clear(&pr->maps);
}

int procs__fork(struct procs *p, pid_t pid, pid_t ppid, pid_t tid, pid_t ptid)
{
	uint64_t *comm = u64map__find(&p->comms, (uint32_t)ptid);
	struct proc *parent, *child;

	if (comm && !u64map__find(&p->comms, (uint32_t)tid) &&
	    u64map__set(&p->comms, (uint32_t)tid, *comm))
		return -ENOMEM;
	if (pid == ppid)
		return 0;
	child = procs__findnew(p, pid);
	parent = procs__find(p, ppid); /* after findnew, which may move the array */
	if (!child)
		return -ENOMEM;
	if (!parent)
		return 0;
	return ranges__copy(&child->maps, &parent->maps);
}

int procs__set_comm(struct procs *p, pid_t tid, const char *comm)
{
	int64_t id = strtab__intern(p->strings, comm);

	if (id < 0)
		return id;
	return u64map__set(&p->comms, (uint32_t)tid, id);
}

int64_t procs__comm(struct procs *p, pid_t pid, pid_t tid)
{
	uint64_t *id = u64map__find(&p->comms, (uint32_t)tid);
	char buf[24];

	if (!id)
		id = u64map__find(&p->comms, (uint32_t)pid);
	if (id)
		return *id;
	snprintf(buf, sizeof(buf), ":%d", (int)tid);
	return strtab__intern(p->strings, buf);
}

struct strtab *procs__strings(struct procs *p)
{
	return p->strings;
}

const struct ranges *procs__maps(const struct procs *p, pid_t pid)
{
	const struct proc *pr = procs__find(p, pid);

	return pr ? &pr->maps : NULL;
}

const struct range *procs__find_map(const struct procs *p, pid_t pid, uint64_t addr)
{
	const struct proc *pr = procs__find(p, pid);

	return pr ? ranges__find(&pr->maps, addr) : NULL;
}

static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	*v = 0;
	for (; s < end && digits < 16; s++, digits++) {
		char c = *s;

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (c - 'a' + 10);
		else
			break;
	}
	*p = s;
	return digits > 0;
}

static bool parse_dec(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	*v = 0;
	for (; s < end && *s >= '0' && *s <= '9' && digits < 20; s++, digits++)
		*v = *v * 10 + (*s - '0');
	*p = s;
	return digits > 0;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* "start-end perms offset maj:min inode   path" */
static bool proc_maps__parse_line(const char *s, const char *end, struct proc_maps_entry *e)
{
	uint64_t maj, min;

	memset(e, 0, sizeof(*e));
	if (!parse_hex(&s, end, &e->start) || !expect(&s, end, '-') ||
	    !parse_hex(&s, end, &e->end) || !expect(&s, end, ' ') || end - s < 5)
		return false;
	e->prot = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
		  (s[2] == 'x' ? PROT_EXEC : 0);
	s += 4;
	if (!expect(&s, end, ' ') || !parse_hex(&s, end, &e->pgoff) || !expect(&s, end, ' ') ||
	    !parse_hex(&s, end, &maj) || !expect(&s, end, ':') || !parse_hex(&s, end, &min) ||
	    !expect(&s, end, ' ') || !parse_dec(&s, end, &e->ino))
		return false;
	e->maj = maj;
	e->min = min;
	while (s < end && *s == ' ')
		s++;
	e->path = s;
	e->path_len = end - s;
	return e->end > e->start;
}

int proc_maps__parse_mem(const char *buf, size_t len, proc_maps_fn fn, void *ctx)
{
	const char *p = buf, *end = buf + len, *eol;
	struct proc_maps_entry e;
	int ret;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (!proc_maps__parse_line(p, eol, &e))
			continue;
		ret = fn(ctx, &e);
		if (ret)
			return ret;
	}
	return 0;
}

int proc__threads(pid_t pid, pid_t **tids)
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

/* Copies the line at *p (up to end) into line (size bytes, NUL-terminated); moves *p past it. */
static void next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *eol = memchr(*p, '\n', end - *p);
	size_t n;

	if (!eol)
		eol = end;
	n = eol - *p < (ptrdiff_t)size ? (size_t)(eol - *p) : size - 1;
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = eol < end ? eol + 1 : end;
}

/* A decimal field of a status line: digits after blanks. Returns -1 when there are none. */
static long status_number(const char *s, const char **end)
{
	long v = 0;
	int digits = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9' && digits < 10; s++, digits++)
		v = v * 10 + (*s - '0');
	if (end)
		*end = s;
	return digits && !(*s >= '0' && *s <= '9') ? v : -1;
}

int proc_status__parse_mem(const char *buf, size_t len, struct proc_status *out)
{
	const char *p = buf, *end = buf + len;
	char line[PROC_LINE_MAX];
	bool tgid = false;

	*out = (struct proc_status){ .uid = (uid_t)-1, .euid = (uid_t)-1, .seccomp = -1 };
	while (p < end) {
		const char *f;
		long v;

		next_line(&p, end, line, sizeof(line));
		if (!strncmp(line, "Tgid:", 5) && (v = status_number(line + 5, NULL)) > 0) {
			out->tgid = v;
			tgid = true;
		} else if (!strncmp(line, "NStgid:", 7)) {
			/* One field per pid namespace, ours first: the last is its own. */
			out->ns_depth = 0;
			for (f = line + 7; (v = status_number(f, &f)) > 0; out->ns_depth++)
				out->nstgid = v;
		} else if (!strncmp(line, "Uid:", 4)) {
			long uid = status_number(line + 4, &f), euid = status_number(f, NULL);

			if (uid >= 0 && euid >= 0) {
				out->uid = uid;
				out->euid = euid;
			}
		} else if (!strncmp(line, "Seccomp:", 8) &&
			   (v = status_number(line + 8, NULL)) >= 0) {
			out->seccomp = v;
		}
	}
	return tgid ? 0 : -EINVAL;
}

int proc_status__read(pid_t pid, struct proc_status *out)
{
	char path[64], *buf;
	ssize_t len;
	int err;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	len = io__read_file(path, PROC_STATUS_MAX, &buf);
	if (len < 0)
		return len == -ENOENT ? -ESRCH : len;
	err = proc_status__parse_mem(buf, len, out);
	free(buf);
	return err;
}

pid_t proc__tgid(pid_t tid)
{
	struct proc_status st;

	return proc_status__read(tid, &st) ? -ESRCH : st.tgid;
}

int proc__pidfd(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

/* A record being synthesized: header and body, padded to 8 bytes as the kernel does. */
struct synth {
	pid_t pid;
	proc_record_fn fn;
	void *ctx;
	union {
		struct perf_event_header hdr;
		uint64_t align;
		uint8_t bytes[8192];
	} rec;
};

static void synth__put(struct synth *sy, size_t *at, const void *p, size_t n)
{
	memcpy(sy->rec.bytes + *at, p, n);
	*at += n;
}

static int synth__map(void *ctx, const struct proc_maps_entry *e)
{
	struct synth *sy = ctx;
	uint32_t ids[2] = { sy->pid, sy->pid }, dev[2] = { e->maj, e->min },
		 prot[2] = { e->prot, 0 };
	uint64_t range[3] = { e->start, e->end - e->start, e->pgoff }, ino[2] = { e->ino, 0 };
	size_t at = sizeof(sy->rec.hdr), len = e->path_len;

	if (!(e->prot & PROT_EXEC))
		return 0;
	if (len > 4096)
		len = 4096;
	synth__put(sy, &at, ids, sizeof(ids));
	synth__put(sy, &at, range, sizeof(range));
	synth__put(sy, &at, dev, sizeof(dev));
	synth__put(sy, &at, ino, sizeof(ino));
	synth__put(sy, &at, prot, sizeof(prot));
	synth__put(sy, &at, e->path, len);
	memset(sy->rec.bytes + at, 0, 8 - (at & 7));
	at += 8 - (at & 7);
	sy->rec.hdr = (struct perf_event_header){ PERF_RECORD_MMAP2, 0, at };
	return sy->fn(sy->ctx, &sy->rec.hdr);
}

static int synth__comm(struct synth *sy, pid_t tid, const char *comm)
{
	uint32_t ids[2] = { sy->pid, tid };
	size_t at = sizeof(sy->rec.hdr), len = strnlen(comm, 64);

	synth__put(sy, &at, ids, sizeof(ids));
	synth__put(sy, &at, comm, len);
	memset(sy->rec.bytes + at, 0, 8 - (at & 7));
	at += 8 - (at & 7);
	sy->rec.hdr = (struct perf_event_header){ PERF_RECORD_COMM, 0, at };
	return sy->fn(sy->ctx, &sy->rec.hdr);
}

int proc__synthesize(pid_t pid, proc_record_fn fn, void *ctx)
{
	struct synth *sy = malloc(sizeof(*sy));
	char path[64], comm[64];
	struct dirent *de;
	char *buf = NULL;
	ssize_t len;
	DIR *dir;
	int ret;

	if (!sy)
		return -ENOMEM;
	*sy = (struct synth){ .pid = pid, .fn = fn, .ctx = ctx };
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	len = io__read_file(path, PROC_MAPS_MAX, &buf);
	if (len < 0) {
		free(sy);
		return len == -ENOENT ? -ESRCH : len;
	}
	ret = proc_maps__parse_mem(buf, len, synth__map, sy);
	free(buf);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = ret ? NULL : opendir(path);
	if (!ret && !dir)
		ret = -ESRCH;
	while (dir && !ret && (de = readdir(dir))) {
		int tid = atoi(de->d_name);
		FILE *f;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, tid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			ret = synth__comm(sy, tid, comm);
		}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	free(sy);
	return ret;
}

int proc_stat__field_mem(const char *buf, size_t len, int field, unsigned long long *out)
{
	const char *p = buf + len, *end = buf + len;
	unsigned long long v = 0;
	int i, digits = 0;

	/* "pid (comm) state ...": the comm may hold spaces and ')'; fields count from 1. */
	if (field < 3)
		return -EINVAL;
	while (p > buf && p[-1] != ')')
		p--;
	if (p == buf)
		return -EINVAL;
	/* After ")", the state is field 3: skip to the one asked for. */
	for (i = 3; i <= field; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return -EINVAL;
		if (i < field)
			while (p < end && *p != ' ')
				p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits == 19)
			return -EINVAL; /* more than fits: refused, not wrapped */
		v = v * 10 + (*p - '0');
	}
	if (!digits)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Field `field` of /proc/PID/stat, as proc(5) numbers them. */
static int proc__stat_field(pid_t pid, int field, unsigned long long *out)
{
	char path[64], *buf;
	ssize_t len;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	len = io__read_file(path, 4096, &buf);
	if (len < 0)
		return (int)len;
	err = proc_stat__field_mem(buf, len, field, out);
	free(buf);
	return err;
}

bool proc__is_kernel_thread(pid_t pid)
{
	unsigned long long flags;

	return !proc__stat_field(pid, PROC_STAT_FLAGS, &flags) &&
	       (flags & 0x00200000); /* PF_KTHREAD */
}

int64_t proc__start_time_ns(pid_t pid)
{
	struct timespec real, boot;
	unsigned long long ticks;
	long hz = sysconf(_SC_CLK_TCK);
	int64_t since_start;

	if (hz <= 0 || proc__stat_field(pid, PROC_STAT_STARTTIME, &ticks) ||
	    clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &boot))
		return 0;
	/* starttime counts clock ticks since boot; now minus the time since then. */
	since_start = (boot.tv_sec * 1000000000LL + boot.tv_nsec) -
		      (int64_t)(ticks / hz) * 1000000000LL -
		      (int64_t)(ticks % hz) * (1000000000LL / hz);
	return real.tv_sec * 1000000000LL + real.tv_nsec - since_start;
}

int proc__seccomp(void)
{
	struct proc_status st;

	return proc_status__read(0, &st) ? -1 : st.seccomp;
}
