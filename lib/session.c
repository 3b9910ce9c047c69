// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "array.h"
#include "hash.h"
#include "proc.h"
#include "profile.h"
#include "recording.h"
#include "session.h"
#include "unwind.h"
#include "../symbolizer/symtab.h"

/* perf_event_max_stack is at most 127 by default and 65535 at the most; keep this many. */
#define SESSION_MAX_FRAMES 1024
#define SESSION_MAX_NAMES  (4 * SESSION_MAX_FRAMES) /* with inline chains */
#define PROC_MAPS_MAX	   (64u << 20)

struct session {
	struct session_opts opts;
	uint64_t regs_mask;
	struct symbolizer *sym;
	struct procs *procs;
	struct profile *profile;
	struct session_stats stats;
	struct frame frames[SESSION_MAX_FRAMES];
	/* Naming: each frame may expand to an inline chain. */
	const char *names[SESSION_MAX_NAMES];
	enum frame_kind kinds[SESSION_MAX_NAMES];
	struct sym_frame sf[SESSION_MAX_NAMES];
	struct session_root_buf roots;
	const char *const *event_names;
	int nr_events;
	session_event_fn event_of;
	const void *event_ctx;
	session_filter_fn filter;
	void *filter_ctx;
	/* recording: raw samples until the next chunk, and the ids already written */
	struct rec_writer *rec;
	struct pending_sample *pending;
	size_t nr_pending, cap_pending;
	int64_t *rec_stack; /* profile stack id -> recording stack id + 1 */
	size_t cap_rec_stack;
	int64_t *rec_comm; /* procs string id -> recording string id + 1 */
	size_t cap_rec_comm;
	struct u64map rec_tasks; /* pids whose container was written */
	struct unwinder *unwinder;
	uint32_t unwind_pid; /* the sample being unwound */
	uint64_t unwound[SESSION_MAX_FRAMES];
	uint32_t rec_names[SESSION_MAX_NAMES];
};

struct pending_sample {
	uint64_t time;
	uint32_t pid, tid, cpu, event, comm, stack;
};

void session__set_filter(struct session *s, session_filter_fn fn, void *ctx)
{
	s->filter = fn;
	s->filter_ctx = ctx;
}

void session__set_events(struct session *s, const char *const *names, int nr, session_event_fn fn,
			 const void *ctx)
{
	s->event_names = names;
	s->nr_events = nr;
	s->event_of = fn;
	s->event_ctx = ctx;
}

/* The unwinder asks which module holds an address of the sample's process. */
static bool session__find_module(void *ctx, uint64_t ip, struct unwind_module *out)
{
	struct session *s = ctx;
	const struct range *m = procs__find_map(s->procs, s->unwind_pid, ip);
	struct symtab_section hdr, eh;
	int64_t delta;
	int r;

	if (!m)
		return false;
	memset(out, 0, sizeof(*out));
	out->start = m->start;
	out->end = m->end;
	r = symbolizer__unwind_info(s->sym, m->val, &hdr, &eh, &delta);
	if (r == -EAGAIN) {
		out->jit = true;
		return true;
	}
	if (r)
		return false;
	/* runtime = start + (file offset - pgoff), image address = file offset + delta */
	out->bias = (int64_t)(m->start - m->off) - delta;
	out->eh_frame_hdr = hdr.data;
	out->eh_frame_hdr_vaddr = hdr.vaddr;
	out->eh_frame_hdr_size = hdr.size;
	out->eh_frame = eh.data;
	out->eh_frame_vaddr = eh.vaddr;
	out->eh_frame_size = eh.size;
	return true;
}

struct session *session__new(struct symbolizer *sym, const struct session_opts *opts)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (opts)
		s->opts = *opts;
	s->sym = sym;
	s->procs = procs__new();
	s->profile = profile__new();
	if (s->opts.unwind != SESSION_UNWIND_NONE)
		s->unwinder = unwinder__new(session__find_module, s);
	if (!s->procs || !s->profile || (s->opts.unwind != SESSION_UNWIND_NONE && !s->unwinder)) {
		session__free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	procs__free(s->procs);
	profile__free(s->profile);
	unwinder__free(s->unwinder);
	free(s->pending);
	free(s->rec_stack);
	free(s->rec_comm);
	u64map__release(&s->rec_tasks);
	free(s);
}

const struct session_stats *session__stats(const struct session *s)
{
	return &s->stats;
}

/*
 * The user part of a sample's stack, in place of the callchain's: unwound
 * from the stack copy (dwarf), or the callchain with the caller of a
 * frameless leaf put back (leaf). Returns how many ips, or -1 to keep the
 * callchain as it is.
 */
static int session__user_ips(struct session *s, const struct record_sample *r,
			     const uint64_t *chain, uint64_t nr_chain)
{
	struct unwind_sample us = { r->regs, r->nr_regs, s->regs_mask, r->stack, r->stack_dyn };
	uint64_t caller;
	int n;

	if (!s->unwinder || !r->regs_abi || !r->nr_regs)
		return -1;
	s->unwind_pid = r->pid;
	if (s->opts.unwind == SESSION_UNWIND_DWARF) {
		n = unwinder__unwind(s->unwinder, &us, s->unwound, SESSION_MAX_FRAMES);
		s->stats.unwind_failed = unwinder__stats(s->unwinder)->failed;
		s->stats.unwind_truncated = unwinder__stats(s->unwinder)->truncated;
		return n ? n : -1;
	}
	if (!nr_chain || !unwinder__frameless_caller(s->unwinder, &us, &caller))
		return -1;
	/* The walk already has it when the leaf did make a frame after all. */
	if (nr_chain > 1 && chain[1] == caller)
		return -1;
	n = 0;
	s->unwound[n++] = chain[0];
	s->unwound[n++] = caller;
	while ((uint64_t)(n - 1) < nr_chain && n < SESSION_MAX_FRAMES) {
		s->unwound[n] = chain[n - 1];
		n++;
	}
	s->stats.leaf_callers++;
	return n;
}

/* True for "jit-1234.dump": a jitdump file that a runtime maps so that profilers find it. */
static bool is_jitdump(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	if (strncmp(base, "jit-", 4))
		return false;
	n = strspn(base + 4, "0123456789");
	return n > 0 && !strcmp(base + 4 + n, ".dump");
}

/* Picks the module for a mapping's name, as the kernel shows it. Returns 0 for no code. */
static uint32_t session__dso(struct session *s, pid_t pid, const char *name, uint32_t maj,
			     uint32_t min, uint64_t ino, uint64_t start, uint64_t end)
{
	if (name[0] == '/' && is_jitdump(name)) {
		symbolizer__jitdump(s->sym, pid, name);
		return 0;
	}
	/* "//anon" is how MMAP records name anonymous memory: it is no file. */
	if (name[0] == '/' && name[1] != '/' && strncmp(name, "/memfd:", 7))
		return symbolizer__file(s->sym, pid, name, maj, min, ino, start, end);
	if (!strcmp(name, "[vdso]") || !strcmp(name, "[vsyscall]"))
		return symbolizer__file(s->sym, pid, name, 0, 0, 0, start, end);
	/* //anon, [anon:...], memfd:, "": code made at run time */
	return symbolizer__anon(s->sym, pid);
}

static int session__mmap(struct session *s, const struct perf_event_header *hdr)
{
	struct record_mmap m;
	uint32_t dso;

	if (record__parse_mmap(hdr, &m)) {
		s->stats.bad_records++;
		return 0;
	}
	if (!(m.prot & PROT_EXEC) || (int32_t)m.pid <= 0)
		return 0; /* data, or the kernel's own maps: kernel frames use kallsyms */
	symbolizer__see(s->sym, m.pid);
	dso = session__dso(s, m.pid, m.filename, m.maj, m.min, m.ino, m.addr, m.addr + m.len);
	if (!dso)
		return 0;
	return procs__mmap(s->procs, m.pid, m.addr, m.len, m.pgoff, dso);
}

/*
 * Turns a user address into a frame. Returns 1 when the walk should stop
 * here (an address in no mapping: what follows is garbage), with the frame
 * written as [unknown].
 */
static int session__user_frame(struct session *s, uint32_t pid, uint64_t ip, struct frame *f)
{
	const struct range *m = procs__find_map(s->procs, pid, ip);

	if (!m) {
		/*
		 * A frame-pointer walk that leaves mapped code is reading garbage
		 * from here on: keep one [unknown] and stop, rather than draw a
		 * tower of them.
		 */
		*f = (struct frame){ .addr = 0, .dso = 0 };
		return 1;
	}
	if (symbolizer__uses_file_offset(s->sym, m->val))
		*f = (struct frame){ .addr = ip - m->start + m->off, .dso = m->val };
	else
		*f = (struct frame){ .addr = ip, .dso = m->val };
	return 0;
}

static int session__sample(struct session *s, const struct perf_event_header *hdr,
			   const struct record_layout *l)
{
	uint64_t ctx = PERF_CONTEXT_USER, i, ip;
	int nr_user;
	struct record_sample r;
	uint32_t nr = 0, kernel = 0;
	bool first = true;
	int64_t stack, comm;
	int event = 0;

	if (record__parse_sample(hdr, l, &r)) {
		s->stats.bad_records++;
		return 0;
	}
	s->regs_mask = l->regs_user_mask;
	if (!r.nr) {
		/* No callchain: the sampled IP alone. */
		r.ips = &r.ip;
		r.nr = 1;
		ctx = (hdr->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL
			  ? PERF_CONTEXT_KERNEL
			  : PERF_CONTEXT_USER;
	}
	/* The user part may come from the unwinder instead of the callchain. */
	for (i = 0; i < r.nr && r.ips[i] != PERF_CONTEXT_USER; i++)
		;
	nr_user = s->unwinder ? session__user_ips(s, &r, i < r.nr ? r.ips + i + 1 : NULL,
						  i < r.nr ? r.nr - i - 1 : 0)
			      : -1;
	for (i = 0; i < r.nr && nr < SESSION_MAX_FRAMES; i++) {
		struct frame *f = &s->frames[nr];

		ip = r.ips[i];
		if (ip >= RECORD_CONTEXT_MAX) {
			ctx = ip;
			first = true;
			if (ip == PERF_CONTEXT_USER && nr_user >= 0)
				break; /* the unwound user frames follow */
			continue;
		}
		/* Past the first frame of a context, ips are return addresses: step back into the
		 * call. */
		if (!first && ip)
			ip--;
		first = false;
		if (ctx == PERF_CONTEXT_KERNEL) {
			if (!kernel)
				kernel = symbolizer__kernel(s->sym);
			*f = (struct frame){ .addr = ip, .dso = kernel };
		} else if (ctx == PERF_CONTEXT_USER) {
			if (nr_user >= 0)
				continue; /* the unwound frames replace these */
			if (session__user_frame(s, r.pid, ip, f)) {
				nr++;
				break;
			}
		} else {
			continue; /* hypervisor and guest contexts */
		}
		nr++;
	}
	/* Unwound user frames: the sampled IP first, then return addresses. */
	for (i = 0; nr_user > 0 && i < (uint64_t)nr_user && nr < SESSION_MAX_FRAMES; i++) {
		ip = s->unwound[i];
		if (i && ip)
			ip--;
		if (session__user_frame(s, r.pid, ip, &s->frames[nr])) {
			nr++;
			break;
		}
		nr++;
	}
	comm = procs__comm(s->procs, r.pid, r.tid);
	if (comm < 0)
		return -ENOMEM;
	if (s->filter) {
		struct session_sample_info info = { r.pid, r.tid, r.time,
						    strtab__str(procs__strings(s->procs), comm) };

		if (!s->filter(s->filter_ctx, &info))
			return 0;
	}
	stack = profile__stack(s->profile, s->frames, nr);
	if (stack < 0)
		return -ENOMEM;
	if (!s->stats.samples || r.time < s->stats.first_time)
		s->stats.first_time = r.time;
	if (r.time > s->stats.last_time)
		s->stats.last_time = r.time;
	s->stats.samples++;
	if (s->nr_events > 1) {
		event = s->event_of(s->event_ctx, r.id);
		if (event < 0 || event >= s->nr_events) {
			s->stats.bad_records++;
			return 0;
		}
	}
	if (s->rec) {
		if (s->nr_pending == s->cap_pending) {
			size_t cap = s->cap_pending ? s->cap_pending * 2 : 4096;
			struct pending_sample *p = realloc(s->pending, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			s->pending = p;
			s->cap_pending = cap;
		}
		s->pending[s->nr_pending++] =
		    (struct pending_sample){ r.time, r.pid, r.tid, r.cpu, event, comm, stack };
	}
	return profile__add(s->profile, event, r.pid, comm, stack, 1);
}

int session__process(struct session *s, const struct perf_event_header *hdr,
		     const struct record_layout *l)
{
	struct record_comm c;
	struct record_task t;
	uint64_t lost;

	switch (hdr->type) {
	case PERF_RECORD_SAMPLE:
		return session__sample(s, hdr, l);
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		return session__mmap(s, hdr);
	case PERF_RECORD_COMM:
		if (record__parse_comm(hdr, &c))
			break;
		if (c.exec && c.pid == c.tid) {
			procs__exec(s->procs, c.pid);
			if (s->unwinder)
				unwinder__flush(s->unwinder); /* new code at old addresses */
		}
		symbolizer__see(s->sym, c.pid);
		return procs__set_comm(s->procs, c.tid, c.comm);
	case PERF_RECORD_FORK:
		if (record__parse_task(hdr, &t))
			break;
		symbolizer__fork(s->sym, t.pid, t.ppid);
		return procs__fork(s->procs, t.pid, t.ppid, t.tid, t.ptid);
	case PERF_RECORD_EXIT:
		/* Keep the maps: samples of other threads may still name them. */
		return 0;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		if (record__parse_lost(hdr, &lost))
			break;
		s->stats.lost += lost;
		return 0;
	case PERF_RECORD_THROTTLE:
		s->stats.throttled++;
		return 0;
	default:
		return 0;
	}
	s->stats.bad_records++;
	return 0;
}

/* Reads a whole /proc file (size 0 in stat) into a new buffer. Returns its length, or -errno. */
static ssize_t read_proc_file(const char *path, char **out, size_t max)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *n;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (cap - len < 4096) {
			if (cap >= max)
				break;
			n = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!n) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	*out = buf;
	return len;
}

struct synth {
	struct session *s;
	pid_t pid;
};

static int session__synth_map(void *ctx, const struct proc_maps_entry *e)
{
	struct synth *sy = ctx;
	char name[4096];
	size_t len = e->path_len < sizeof(name) - 1 ? e->path_len : sizeof(name) - 1;
	uint32_t dso;

	if (!(e->prot & PROT_EXEC))
		return 0;
	memcpy(name, e->path, len);
	name[len] = '\0';
	dso = session__dso(sy->s, sy->pid, name, e->maj, e->min, e->ino, e->start, e->end);
	if (!dso)
		return 0;
	return procs__mmap(sy->s->procs, sy->pid, e->start, e->end - e->start, e->pgoff, dso);
}

int session__synthesize(struct session *s, pid_t pid)
{
	struct synth sy = { s, pid };
	char path[64], comm[64];
	struct dirent *de;
	char *buf = NULL;
	ssize_t len;
	DIR *dir;
	int ret;

	symbolizer__see(s->sym, pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	len = read_proc_file(path, &buf, PROC_MAPS_MAX);
	if (len < 0)
		return len == -ENOENT ? -ESRCH : len;
	ret = proc_maps__parse_mem(buf, len, session__synth_map, &sy);
	free(buf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -ESRCH;
	while ((de = readdir(dir))) {
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
			ret = procs__set_comm(s->procs, tid, comm);
		}
		fclose(f);
		if (ret)
			break;
	}
	closedir(dir);
	return ret;
}

int session__synthesize_all(struct session *s)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && ret != -ENOMEM) {
		int pid = atoi(de->d_name);

		if (pid > 0)
			ret = session__synthesize(s, pid);
	}
	closedir(dir);
	return ret == -ENOMEM ? ret : 0;
}

struct stack_walk {
	struct session *s;
	session_stack_fn fn;
	void *ctx;
};

size_t session__roots(const struct session_roots *in, const char **names, enum frame_kind *kinds,
		      struct session_root_buf *buf)
{
	size_t n = 0;

	if (in->event) {
		snprintf(buf->event, sizeof(buf->event), "[%.64s]", in->event);
		names[n] = buf->event;
		kinds[n++] = FRAME_ROOT;
	}
	if (in->container) {
		snprintf(buf->container, sizeof(buf->container), "[container %.12s]",
			 in->container);
		names[n] = buf->container;
		kinds[n++] = FRAME_ROOT;
	}
	if (in->pid_roots) {
		snprintf(buf->comm, sizeof(buf->comm), "%.200s [%u]", in->comm, in->pid);
		names[n] = buf->comm;
	} else {
		names[n] = in->comm;
	}
	kinds[n++] = FRAME_ROOT;
	return n;
}

/* Names a profile stack's frames, outermost first, into names/kinds from index n. */
static size_t session__name_frames(struct session *s, uint32_t stack, size_t n)
{
	const struct frame *f;
	uint32_t nr, i;

	f = profile__frames(s->profile, stack, &nr);
	for (i = nr; i-- > 0 && n < SESSION_MAX_NAMES;) {
		int k, got = symbolizer__symbolize(s->sym, f[i].dso, f[i].addr, s->sf,
						   SESSION_MAX_NAMES - n);

		for (k = 0; k < got; k++) {
			s->names[n] = s->sf[k].name;
			s->kinds[n++] = s->sf[k].kind;
		}
	}
	return n;
}

static int session__name_stack(void *ctx, uint16_t event, uint32_t pid, uint32_t comm,
			       uint32_t stack, uint64_t count)
{
	struct stack_walk *w = ctx;
	struct session *s = w->s;
	struct session_roots roots = {
		.event = s->nr_events > 1 ? s->event_names[event] : NULL,
		.container = s->opts.container_roots ? symbolizer__container(s->sym, pid) : NULL,
		.comm = strtab__str(procs__strings(s->procs), comm),
		.pid = pid,
		.pid_roots = s->opts.pid_roots,
	};
	size_t n = session__roots(&roots, s->names, s->kinds, &s->roots);

	n = session__name_frames(s, stack, n);
	return w->fn(w->ctx, s->names, s->kinds, n, count);
}

void session__set_recording(struct session *s, struct rec_writer *w)
{
	s->rec = w;
}

size_t session__recording_pending(const struct session *s)
{
	return s->nr_pending;
}

/* The recording's id for a profile stack: named and written the first time. */
static int64_t session__rec_stack(struct session *s, uint32_t stack)
{
	size_t n, i;
	int64_t id;

	if (array__grow((void **)&s->rec_stack, &s->cap_rec_stack, stack + 1,
			sizeof(*s->rec_stack)))
		return -ENOMEM;
	if (s->rec_stack[stack])
		return s->rec_stack[stack] - 1;
	n = session__name_frames(s, stack, 0);
	if (n > REC_MAX_FRAMES)
		n = REC_MAX_FRAMES;
	for (i = 0; i < n; i++) {
		id = rec_writer__string(s->rec, s->names[i]);
		if (id < 0)
			return id;
		s->rec_names[i] = id;
	}
	id = rec_writer__stack(s->rec, s->rec_names, s->kinds, n);
	if (id >= 0)
		s->rec_stack[stack] = id + 1;
	return id;
}

static int64_t session__rec_comm(struct session *s, uint32_t comm)
{
	int64_t id;

	if (array__grow((void **)&s->rec_comm, &s->cap_rec_comm, comm + 1, sizeof(*s->rec_comm)))
		return -ENOMEM;
	if (s->rec_comm[comm])
		return s->rec_comm[comm] - 1;
	id = rec_writer__string(s->rec, strtab__str(procs__strings(s->procs), comm));
	if (id >= 0)
		s->rec_comm[comm] = id + 1;
	return id;
}

int session__flush_recording(struct session *s)
{
	size_t i;
	int err;

	if (!s->rec)
		return 0;
	for (i = 0; i < s->nr_pending; i++) {
		const struct pending_sample *p = &s->pending[i];
		int64_t stack = session__rec_stack(s, p->stack),
			comm = session__rec_comm(s, p->comm);
		struct rec_sample r;

		if (stack < 0 || comm < 0)
			return stack < 0 ? stack : comm;
		if (!u64map__find(&s->rec_tasks, p->pid)) {
			const char *c = symbolizer__container(s->sym, p->pid);
			int64_t cid = c ? rec_writer__string(s->rec, c) : -1;

			if ((c && cid < 0) || rec_writer__task(s->rec, p->pid, cid) ||
			    u64map__set(&s->rec_tasks, p->pid, 1))
				return -ENOMEM;
		}
		r = (struct rec_sample){
			p->time, p->pid, p->tid, p->cpu, p->event, comm, stack, 1
		};
		err = rec_writer__sample(s->rec, &r);
		if (err)
			return err;
	}
	s->nr_pending = 0;
	return rec_writer__flush(s->rec);
}

int session__for_each_stack(struct session *s, session_stack_fn fn, void *ctx)
{
	struct stack_walk w = { s, fn, ctx };

	return profile__for_each(s->profile, session__name_stack, &w);
}
