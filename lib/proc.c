// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hash.h"
#include "proc.h"

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
