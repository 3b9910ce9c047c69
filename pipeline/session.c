// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/profile.h"
#include "lib/strtab.h"
#include "lib/unwind.h"
#include "flamegraph/flame.h"
#include "session.h"
#include "symbolizer/symtab.h"

/* perf_event_max_stack is at most 127 by default and 65535 at the most; keep this many. */
#define SESSION_MAX_FRAMES SEAR_MAX_FRAMES

/*
 * Where an event loop waits with nothing to do: epoll, poll and select. ep_poll is
 * inlined into do_epoll_wait by some builds, so both are looked up.
 */
#define NR_IDLE_WAITS 4
static const char *const idle_waits[NR_IDLE_WAITS] = { "ep_poll", "do_epoll_wait", "do_sys_poll",
						       "do_select" };

struct session {
	struct session_opts opts;
	const struct perfrec_layout *layout;
	struct symbolizer *sym;
	struct procs *procs;
	struct profile *profile;
	struct session_stats stats;
	struct frame frames[SESSION_MAX_FRAMES]; /* the sample being counted */
	struct frame named[SESSION_MAX_FRAMES];	 /* the stack being named */
	struct stack_names names;		 /* naming scratch */
	struct sym_frame sf[STACK_NAMES_MAX];
	const char *const *event_names;
	int nr_events;
	session_event_fn event_of;
	const void *event_ctx;
	const struct sample_filter *filter;
	uint64_t time_base;
	pid_t own[8]; /* opts.exclude_pid and the processes it forked: left out */
	int nr_own;
	session_sample_fn hook;
	void *hook_ctx;
	const struct session_maps_hook *maps_hook;
	void *maps_hook_ctx;
	struct unwinder *unwinder;
	uint32_t unwind_pid;	/* the sample being unwound */
	bool truncated;		/* its walk reached the end of the stack copy */
	uint32_t truncated_dso; /* the "[truncated]" marker's module, once needed */
	uint32_t offcpu_dso;	/* the "[off-cpu]" marker's, once needed */
	uint32_t prefetched;	/* profile nodes whose frames the symbolizer has named ahead */
	uint64_t unwound[SESSION_MAX_FRAMES];
	/* Off-CPU: the kernel functions waits are read against, once looked up */
	bool marks_looked;
	uint64_t sched[2];		 /* __schedule's [start, end) */
	uint64_t idle[NR_IDLE_WAITS][2]; /* idle_waits[]' */
	uint32_t skip_kernel;		 /* kernel frames above __schedule to leave out */
	/* switch_event: each task's stack as it left the CPU, until it comes back */
	bool switches;
	int switch_event;
	struct u64map waits; /* tid -> index in wait[] */
	struct wait {
		uint64_t time; /* when it left; 0: no wait pending */
		int64_t stack, comm;
		uint32_t pid, tid, cpu;
		int event;
		bool gone; /* the task exited: its last switch out is no wait */
	} * wait;
	size_t nr_wait, cap_wait;
};

void session__set_filter(struct session *s, const struct sample_filter *f, uint64_t base_ns)
{
	s->filter = f && sample_filter__active(f) ? f : NULL;
	s->time_base = base_ns;
}

void session__set_sample_hook(struct session *s, session_sample_fn fn, void *ctx)
{
	s->hook = fn;
	s->hook_ctx = ctx;
}

void session__set_maps_hook(struct session *s, const struct session_maps_hook *hook, void *ctx)
{
	s->maps_hook = hook;
	s->maps_hook_ctx = ctx;
}

void session__set_layout(struct session *s, const struct perfrec_layout *l)
{
	s->layout = l;
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
	struct sym_unwind ui;
	int r;

	if (!m)
		return false;
	memset(out, 0, sizeof(*out));
	out->start = m->start;
	out->end = m->end;
	r = symbolizer__unwind_info(s->sym, m->val, &ui);
	if (r == -EAGAIN) {
		out->jit = true;
		return true;
	}
	if (r)
		return false;
	/* runtime = start + (file offset - pgoff), image address = file offset + delta */
	out->bias = (int64_t)(m->start - m->off) - ui.delta;
	out->eh_frame_hdr = ui.eh_frame_hdr;
	out->eh_frame_hdr_vaddr = ui.eh_frame_hdr_vaddr;
	out->eh_frame_hdr_size = ui.eh_frame_hdr_size;
	out->eh_frame = ui.eh_frame;
	out->eh_frame_vaddr = ui.eh_frame_vaddr;
	out->eh_frame_size = ui.eh_frame_size;
	out->image_lo = ui.image_lo;
	out->image_hi = ui.image_hi;
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
	if (s->opts.exclude_pid) {
		pid_t helper = sym ? symbolizer__helper_pid(sym) : 0;

		s->own[s->nr_own++] = s->opts.exclude_pid;
		if (helper) /* forked before any record could say so */
			s->own[s->nr_own++] = helper;
	}
	return s;
}

static bool session__own(const struct session *s, uint32_t pid)
{
	for (int i = 0; i < s->nr_own; i++)
		if ((uint32_t)s->own[i] == pid)
			return true;
	return false;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	procs__free(s->procs);
	profile__free(s->profile);
	unwinder__free(s->unwinder);
	u64map__release(&s->waits);
	free(s->wait);
	free(s);
}

void session__set_switches(struct session *s, int event)
{
	s->switches = true;
	s->switch_event = event;
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
static int session__user_ips(struct session *s, const struct perfrec_sample *r,
			     const uint64_t *chain, uint64_t nr_chain)
{
	struct unwind_sample us = { r->regs, r->nr_regs, s->layout->regs_user_mask, r->stack,
				    r->stack_dyn };
	uint64_t caller;
	int n;

	if (!s->unwinder || !r->regs_abi || !r->nr_regs || !s->layout)
		return -1;
	s->unwind_pid = r->pid;
	if (s->opts.unwind == SESSION_UNWIND_DWARF) {
		const struct unwind_stats *us_stats;

		n = unwinder__unwind(s->unwinder, &us, s->unwound, SESSION_MAX_FRAMES - 1,
				     &s->truncated);
		us_stats = unwinder__stats(s->unwinder);
		s->stats.unwind_failed = us_stats->no_cfi;
		s->stats.unwind_truncated = us_stats->truncated;
		s->stats.unwind_bad_regs = us_stats->bad_regs;
		s->stats.unwind_deepest = us_stats->deepest;
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

static int session__mmap(void *ctx, const struct perfrec_mmap *m)
{
	struct session *s = ctx;
	uint32_t dso;

	if (!(m->prot & PROT_EXEC) || (int32_t)m->pid <= 0)
		return 0; /* data, or the kernel's own maps: kernel frames use kallsyms */
	symbolizer__see(s->sym, m->pid);
	dso =
	    session__dso(s, m->pid, m->filename, m->maj, m->min, m->ino, m->addr, m->addr + m->len);
	if (!dso)
		return 0;
	if (s->maps_hook && s->maps_hook->map) {
		int err = s->maps_hook->map(s->maps_hook_ctx, m->pid, m->addr, m->addr + m->len,
					    m->pgoff, dso);

		if (err)
			return err;
	}
	return procs__mmap(s->procs, m->pid, m->addr, m->len, m->pgoff, dso);
}

/* A sample's process's mappings, as its frames are looked up in them. */
struct user_maps {
	const struct ranges *maps;  /* the sample's process's, or NULL */
	const struct range *hit[2]; /* the last two found: frames alternate between few maps */
	bool file_offset[2];	    /* whether hit[i]'s frames are file offsets */
};

/*
 * Turns a user address into a frame. Returns 1 when the walk should stop
 * here (an address in no mapping: what follows is garbage), with the frame
 * written as [unknown].
 */
static int session__user_frame(struct session *s, struct user_maps *u, uint64_t ip, struct frame *f)
{
	const struct range *m;
	int i;

	for (i = 0; i < 2; i++)
		if (u->hit[i] && ip >= u->hit[i]->start && ip < u->hit[i]->end)
			break;
	if (i == 2) {
		m = u->maps ? ranges__find(u->maps, ip) : NULL;
		if (!m) {
			/*
			 * A frame-pointer walk that leaves mapped code is reading
			 * garbage from here on: keep one [unknown] and stop, rather
			 * than draw a tower of them.
			 */
			*f = (struct frame){ .addr = 0, .dso = 0 };
			return 1;
		}
		u->hit[1] = u->hit[0];
		u->file_offset[1] = u->file_offset[0];
		u->hit[0] = m;
		u->file_offset[0] = symbolizer__uses_file_offset(s->sym, m->val);
		i = 0;
	}
	m = u->hit[i];
	*f = (struct frame){ .addr = u->file_offset[i] ? ip - m->start + m->off : ip,
			     .dso = m->val };
	return 0;
}

/* The frames of a sample's callchain, leaf first. Returns how many. */
static uint32_t session__frames(struct session *s, const struct perfrec_sample *in)
{
	struct perfrec_sample r = *in;
	uint64_t ctx = PERF_CONTEXT_USER, i, ip;
	struct user_maps u = { .maps = procs__maps(s->procs, in->pid) };
	uint32_t nr = 0, kernel = 0, skip = in->off_cpu ? s->skip_kernel : 0;
	bool first = true;
	int nr_user;

	if (!r.nr) {
		/* No callchain: the sampled IP alone. */
		r.ips = &r.ip;
		r.nr = 1;
		ctx = (r.misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL
			  ? PERF_CONTEXT_KERNEL
			  : PERF_CONTEXT_USER;
	}
	/* A wait: its marker is the leaf, above the frames where it blocked. */
	if (in->off_cpu) {
		if (!s->offcpu_dso)
			s->offcpu_dso = symbolizer__label(s->sym, "[off-cpu]", FRAME_OFFCPU);
		s->frames[nr++] = (struct frame){ .addr = 0, .dso = s->offcpu_dso };
	}
	/* The user part may come from the unwinder instead of the callchain. */
	s->truncated = false;
	for (i = 0; i < r.nr && r.ips[i] != PERF_CONTEXT_USER; i++)
		;
	nr_user = s->unwinder ? session__user_ips(s, &r, i < r.nr ? r.ips + i + 1 : NULL,
						  i < r.nr ? r.nr - i - 1 : 0)
			      : -1;
	for (i = 0; i < r.nr && nr < SESSION_MAX_FRAMES; i++) {
		struct frame *f = &s->frames[nr];

		ip = r.ips[i];
		if (ip >= PERFREC_CONTEXT_MAX) {
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
			if (skip) {
				skip--; /* the switch's own frames, above __schedule */
				continue;
			}
			if (!kernel)
				kernel = symbolizer__kernel(s->sym);
			*f = (struct frame){ .addr = ip, .dso = kernel };
		} else if (ctx == PERF_CONTEXT_USER) {
			if (nr_user >= 0)
				continue; /* the unwound frames replace these */
			if (session__user_frame(s, &u, ip, f)) {
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
		if (session__user_frame(s, &u, ip, &s->frames[nr])) {
			nr++;
			break;
		}
		nr++;
	}
	/* A stack cut short says so, at its outer end, rather than look complete. */
	if ((nr_user > 0 && s->truncated) || r.truncated) {
		if (!s->truncated_dso)
			s->truncated_dso = symbolizer__label(s->sym, "[truncated]", FRAME_USER);
		if (nr < SESSION_MAX_FRAMES)
			s->frames[nr++] = (struct frame){ .addr = 0, .dso = s->truncated_dso };
	}
	return nr;
}

/* The kernel functions off-CPU stacks are read against, once. */
static void session__kernel_marks(struct session *s)
{
	size_t i, found = 0;

	if (s->marks_looked)
		return;
	s->marks_looked = true;
	if (symbolizer__kernel_function(s->sym, "__schedule", &s->sched[0], &s->sched[1]))
		s->sched[0] = s->sched[1] = 0;
	for (i = 0; s->opts.offcpu_skip_idle && i < NR_IDLE_WAITS; i++)
		if (!symbolizer__kernel_function(s->sym, idle_waits[i], &s->idle[i][0],
						 &s->idle[i][1]))
			found++;
	if (s->opts.offcpu_skip_idle && !found)
		pr_warn("no epoll, poll or select functions in the kernel's symbols: idle event "
			"loops' waits are kept");
}

/*
 * Reads a wait's kernel frames: false for an idle event loop's, to be left
 * out; else sets skip_kernel to the frames down to __schedule (the
 * tracing's own, and __schedule, which a context switch's sample does not
 * show), so that a wait ends in "schedule;[off-cpu]" however measured.
 */
static bool session__wait_kernel(struct session *s, const struct perfrec_sample *r)
{
	uint64_t i, k = 0, j;
	bool kernel = false;

	session__kernel_marks(s);
	s->skip_kernel = 0;
	for (i = 0; i < r->nr; i++) {
		uint64_t ip = r->ips[i];

		if (ip >= PERFREC_CONTEXT_MAX) {
			kernel = ip == PERF_CONTEXT_KERNEL;
			continue;
		}
		if (!kernel)
			continue;
		if (!s->skip_kernel && k < 16 && ip >= s->sched[0] && ip < s->sched[1])
			s->skip_kernel = k + 1;
		for (j = 0; s->opts.offcpu_skip_idle && j < NR_IDLE_WAITS; j++)
			if (ip >= s->idle[j][0] && ip < s->idle[j][1])
				return false;
		k++;
	}
	return true;
}

/* Counts one sample, or one wait, of stack: the stats, the hook, the profile. */
static int session__count(struct session *s, const struct perfrec_sample *r, int event,
			  int64_t comm, int64_t stack, uint64_t weight)
{
	int err;

	if (!s->stats.samples || r->time < s->stats.first_time)
		s->stats.first_time = r->time;
	if (r->time > s->stats.last_time)
		s->stats.last_time = r->time;
	s->stats.samples++;
	s->stats.off_cpu += r->off_cpu;
	/* Time: on-CPU samples stand for the time between samples, waits for theirs,
	 * counted in whole microseconds per sample, as a .sear holds them, so that a
	 * report of the .sear adds up to the same totals. */
	if (s->opts.time_weights) {
		if (!r->off_cpu && s->opts.sample_ns)
			weight = s->opts.sample_ns;
		weight = (weight + 500) / 1000;
		weight = weight < 1 ? 1 : weight > UINT32_MAX ? UINT32_MAX : weight;
	}
	if (s->hook) {
		struct session_sample ss = {
			r->time, r->pid, r->tid, r->cpu, event, comm, stack, 1
		};

		if (s->opts.time_weights)
			ss.weight = weight;
		err = s->hook(s->hook_ctx, &ss);
		if (err)
			return err;
	}
	return profile__add(s->profile, stack, 1, weight);
}

/* tid's wait slot, made on first use; NULL when out of memory. */
static struct wait *session__wait_slot(struct session *s, uint32_t tid)
{
	uint64_t *at = u64map__find(&s->waits, tid);

	if (at)
		return &s->wait[*at];
	if (array__grow((void **)&s->wait, &s->cap_wait, s->nr_wait + 1, sizeof(*s->wait)) ||
	    u64map__set(&s->waits, tid, s->nr_wait))
		return NULL;
	s->wait[s->nr_wait] = (struct wait){ .tid = tid };
	return &s->wait[s->nr_wait++];
}

/* A task left the CPU (switch_event): its stack waits for the task's return. */
static int session__left(struct session *s, const struct perfrec_sample *r, int event, int64_t comm)
{
	struct perfrec_sample w = *r;
	struct wait *slot;
	int64_t stack;

	w.off_cpu = true;
	/* Kernel threads map nothing: their waits are the kernel's idling, not the targets' */
	if (!procs__maps(s->procs, r->pid) || !session__wait_kernel(s, &w))
		return 0;
	stack = profile__stack(s->profile, event, r->pid, comm, s->opts.per_thread ? r->tid : 0,
			       s->frames, session__frames(s, &w));
	if (stack < 0)
		return -ENOMEM;
	slot = session__wait_slot(s, r->tid);
	if (!slot)
		return -ENOMEM;
	if (!slot->gone)
		*slot = (struct wait){ .time = r->time ? r->time : 1,
				       .stack = stack,
				       .comm = comm,
				       .pid = r->pid,
				       .tid = r->tid,
				       .cpu = r->cpu,
				       .event = event };
	return 0;
}

/* w's wait ends at time end: counted when long enough. */
static int session__wait_over(struct session *s, struct wait *w, uint64_t end)
{
	struct perfrec_sample r = {
		.pid = w->pid, .tid = w->tid, .cpu = w->cpu, .time = w->time, .off_cpu = true
	};

	w->time = 0;
	if (end < r.time || end - r.time < s->opts.offcpu_min_ns)
		return 0;
	return session__count(s, &r, w->event, w->comm, w->stack, end - r.time);
}

static int session__switch(void *ctx, const struct perfrec_switch *sw)
{
	struct session *s = ctx;
	uint64_t *at = s->switches ? u64map__find(&s->waits, sw->tid) : NULL;
	struct wait *w = at ? &s->wait[*at] : NULL;

	if (!w || !w->time || sw->time < w->time)
		return 0;
	if (sw->out) {
		if (sw->preempt)
			w->time = 0; /* still runnable: no wait */
		return 0;
	}
	return session__wait_over(s, w, sw->time);
}

int session__end_waits(struct session *s, uint64_t now)
{
	int err;

	for (size_t i = 0; i < s->nr_wait; i++)
		if (s->wait[i].time && (err = session__wait_over(s, &s->wait[i], now)))
			return err;
	return 0;
}

static int session__sample(void *ctx, const struct perfrec_sample *r)
{
	struct session *s = ctx;
	int64_t stack, comm;
	uint32_t nr;
	int event = 0;

	if (s->nr_own && session__own(s, r->pid))
		return 0;
	if (s->nr_events > 1 || s->switches) {
		event = s->event_of(s->event_ctx, r->id);
		if (event < 0 ||
		    (event >= s->nr_events && !(s->switches && event == s->switch_event))) {
			s->stats.bad_records++;
			return 0;
		}
	}
	comm = procs__comm(s->procs, r->pid, r->tid);
	if (comm < 0)
		return -ENOMEM;
	if (!s->time_base)
		s->time_base = r->time;
	if (s->filter && !sample_filter__match(
			     s->filter, r->pid, r->tid, strtab__str(procs__strings(s->procs), comm),
			     r->time >= s->time_base ? (r->time - s->time_base) / 1e9 : 0))
		return 0;
	if (s->switches && event == s->switch_event)
		return session__left(s, r, 0, comm); /* the first event's roots: waits are none's */
	if (r->off_cpu) {			     /* a wait the in-kernel unwinder measured */
		if (!session__wait_kernel(s, r))
			return 0;
	}
	nr = session__frames(s, r);
	stack = profile__stack(s->profile, event, r->pid, comm, s->opts.per_thread ? r->tid : 0,
			       s->frames, nr);
	if (stack < 0)
		return -ENOMEM;
	return session__count(s, r, event, comm, stack, r->period);
}

static int session__comm_record(void *ctx, const struct perfrec_comm *c)
{
	struct session *s = ctx;

	if (c->exec && c->pid == c->tid) {
		procs__exec(s->procs, c->pid);
		symbolizer__exec(s->sym, c->pid);
		if (s->unwinder)
			unwinder__flush(s->unwinder); /* new code at old addresses */
		if (s->maps_hook && s->maps_hook->exec) {
			int err = s->maps_hook->exec(s->maps_hook_ctx, c->pid);

			if (err)
				return err;
		}
	}
	symbolizer__see(s->sym, c->pid);
	return procs__set_comm(s->procs, c->tid, c->comm);
}

static int session__fork(void *ctx, const struct perfrec_task *t)
{
	struct session *s = ctx;

	symbolizer__fork(s->sym, t->pid, t->ppid);
	if (s->switches) { /* a tid used again */
		uint64_t *at = u64map__find(&s->waits, t->tid);

		if (at)
			s->wait[*at].gone = false;
	}
	/* A helper sear starts again is sear's work too (earlier ones are dead by then). */
	if (t->pid != t->ppid && t->pid == t->tid && s->nr_own && session__own(s, t->ppid)) {
		if (s->nr_own == (int)(sizeof(s->own) / sizeof(s->own[0])))
			s->nr_own = 1;
		s->own[s->nr_own++] = t->pid;
	}
	if (t->pid != t->ppid && t->pid == t->tid && s->maps_hook && s->maps_hook->fork) {
		int err = s->maps_hook->fork(s->maps_hook_ctx, t->pid, t->ppid);

		if (err)
			return err;
	}
	return procs__fork(s->procs, t->pid, t->ppid, t->tid, t->ptid);
}

/* The maps stay: samples of other threads may still name them. Only a hook hears of it. */
static int session__exit(void *ctx, const struct perfrec_task *t)
{
	struct session *s = ctx;

	/* A task's last switch out (per-CPU events see it) comes after its exit. */
	if (s->switches) {
		struct wait *w = session__wait_slot(s, t->tid);

		if (!w)
			return -ENOMEM;
		w->time = 0;
		w->gone = true;
	}
	if (t->pid == t->tid && s->maps_hook && s->maps_hook->exit)
		return s->maps_hook->exit(s->maps_hook_ctx, t->pid);
	return 0;
}

static int session__lost(void *ctx, uint64_t lost)
{
	struct session *s = ctx;

	s->stats.lost += lost;
	return 0;
}

static int session__throttle(void *ctx)
{
	struct session *s = ctx;

	s->stats.throttled++;
	return 0;
}

static const struct perf_tool session_tool = {
	.sample = session__sample,
	.mmap = session__mmap,
	.comm = session__comm_record,
	.fork = session__fork,
	.exit = session__exit,
	.lost = session__lost,
	.throttle = session__throttle,
	.context_switch = session__switch,
};

const struct perf_tool *session__tool(void)
{
	return &session_tool;
}

int session__process(struct session *s, const struct perf_event_header *hdr)
{
	static const struct perfrec_layout none;
	int err = perfrec__deliver(&session_tool, s, hdr, s->layout ? s->layout : &none);

	if (err == -EINVAL) {
		s->stats.bad_records++;
		return 0;
	}
	return err;
}

/*
 * Before naming: the frames of the nodes added since the last time go to
 * the symbolizer at once, which names them in one batch per module.
 */
static void session__prefetch(struct session *s)
{
	uint32_t to = profile__nodes(s->profile);
	struct frame *f;

	if (to <= s->prefetched)
		return;
	f = malloc((to - s->prefetched) * sizeof(*f));
	if (f)
		symbolizer__prefetch(s->sym, f,
				     profile__node_frames(s->profile, s->prefetched, to, f));
	free(f);
	s->prefetched = to;
}

/* Names a profile stack's frames, outermost first, onto out. */
static void session__name_frames(struct session *s, uint32_t stack, struct stack_names *out)
{
	struct frame *f = s->named;
	uint32_t nr = profile__frames(s->profile, stack, f, SESSION_MAX_FRAMES), i;

	for (i = nr; i-- > 0 && out->nr < STACK_NAMES_MAX;) {
		int k, got = symbolizer__symbolize(s->sym, f[i].dso, f[i].addr, s->sf,
						   STACK_NAMES_MAX - out->nr);

		for (k = 0; k < got; k++)
			stack_names__push(out, s->sf[k].name, s->sf[k].kind);
	}
}

size_t session__stack_names(struct session *s, uint32_t stack, struct stack_names *out)
{
	session__prefetch(s);
	out->nr = 0;
	session__name_frames(s, stack, out);
	return out->nr;
}

const char *session__comm(const struct session *s, uint32_t comm)
{
	return strtab__str(procs__strings(s->procs), comm);
}

const char *session__container(const struct session *s, uint32_t pid)
{
	return symbolizer__container(s->sym, pid);
}

struct stack_walk {
	struct session *s;
	session_stack_fn fn;
	void *ctx;
};

static int session__name_stack(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
			       uint32_t stack, uint64_t count, uint64_t weight)
{
	struct stack_walk *w = ctx;
	struct session *s = w->s;
	struct stack_roots roots = {
		.event = s->nr_events > 1 ? s->event_names[event] : NULL,
		.container = s->opts.container_roots ? symbolizer__container(s->sym, pid) : NULL,
		.comm = session__comm(s, comm),
		.pid = pid,
		.pid_roots = s->opts.pid_roots,
	};

	(void)weight, (void)tid;
	stack_names__set_roots(&s->names, &roots);
	session__name_frames(s, stack, &s->names);
	return w->fn(w->ctx, &s->names, count);
}

int session__for_each_stack(struct session *s, session_stack_fn fn, void *ctx)
{
	struct stack_walk w = { s, fn, ctx };

	session__prefetch(s);
	return profile__for_each(s->profile, session__name_stack, &w);
}

/* Folding the tree: each profile node is named once and mapped to its flame node. */
struct fold {
	struct session *s;
	struct flame *f;
	uint32_t *node;	 /* profile node -> flame node */
	uint32_t *depth; /* profile node -> names above it, for the same cap as naming */
	/*
	 * The names each frame got, as the flame's string ids: a frame comes
	 * back under many callers (recursion, shared helpers). named maps its
	 * address to an entry in seq: its module, the count of names, then
	 * (name id, kind) for each.
	 */
	struct u64map named;
	uint32_t *seq;
	size_t nr_seq, cap_seq;
};

/*
 * Adds the frame (dso, addr)'s names below *at, *depth deep, moving both
 * down: from fo->named when the frame was named before, else from the
 * symbolizer (then kept). Returns 0 or -ENOMEM.
 */
static int session__fold_frame(struct fold *fo, uint32_t dso, uint64_t addr, uint32_t *at,
			       uint32_t *depth)
{
	struct session *s = fo->s;
	uint64_t *known = u64map__find(&fo->named, addr);
	uint32_t room = STACK_NAMES_MAX - *depth, off, i;
	int64_t child, id;
	int got;

	/* An entry made with less room than this frame has may lack names: not it. */
	if (known && fo->seq[*known] == dso && fo->seq[*known + 1] < room) {
		const uint32_t *e = &fo->seq[*known];

		for (i = 0; i < e[1]; i++, (*depth)++) {
			child = flame__child_id(fo->f, *at, e[2 + 2 * i], e[3 + 2 * i]);
			if (child < 0)
				return child;
			*at = child;
		}
		return 0;
	}
	got = symbolizer__symbolize(s->sym, dso, addr, s->sf, room);
	if (got < 0)
		got = 0;
	off = fo->nr_seq;
	/* Kept when every name fitted and the address has no entry yet (another module's). */
	if (!known && (uint32_t)got < room &&
	    array__grow((void **)&fo->seq, &fo->cap_seq, off + 2 + 2 * got, sizeof(*fo->seq)) ==
		0 &&
	    u64map__set(&fo->named, addr, off) == 0) {
		fo->seq[off] = dso;
		fo->seq[off + 1] = got;
		fo->nr_seq += 2 + 2 * got;
	} else {
		off = UINT32_MAX;
	}
	for (i = 0; i < (uint32_t)got && *depth < STACK_NAMES_MAX; i++, (*depth)++) {
		id = flame__name_id(fo->f, s->sf[i].name);
		if (id < 0)
			return id;
		child = flame__child_id(fo->f, *at, id, s->sf[i].kind);
		if (child < 0)
			return child;
		*at = child;
		if (off != UINT32_MAX) {
			fo->seq[off + 2 + 2 * i] = id;
			fo->seq[off + 3 + 2 * i] = s->sf[i].kind;
		}
	}
	return 0;
}

static int session__fold_node(void *ctx, const struct profile_node *n)
{
	struct fold *fo = ctx;
	struct session *s = fo->s;
	uint32_t at = 0, depth = 0;
	int64_t child;
	size_t i;

	if (n->key && n->parent_key) {
		/* A thread kept apart: the graph does not part threads of one name. */
		at = fo->node[n->parent];
		depth = fo->depth[n->parent];
	} else if (n->key) {
		struct stack_roots roots = {
			.event = s->nr_events > 1 ? s->event_names[n->event] : NULL,
			.container =
			    s->opts.container_roots ? symbolizer__container(s->sym, n->pid) : NULL,
			.comm = session__comm(s, n->comm),
			.pid = n->pid,
			.pid_roots = s->opts.pid_roots,
		};

		stack_names__set_roots(&s->names, &roots);
		for (i = 0; i < s->names.nr; i++) {
			child = flame__child_named(fo->f, at, s->names.names[i], s->names.kinds[i]);
			if (child < 0)
				return child;
			at = child;
		}
		depth = s->names.nr;
	} else {
		int err;

		at = fo->node[n->parent];
		depth = fo->depth[n->parent];
		err = session__fold_frame(fo, n->frame.dso, n->frame.addr, &at, &depth);
		if (err)
			return err;
	}
	fo->node[n->id] = at;
	fo->depth[n->id] = depth;
	if (s->opts.time_weights) /* microseconds */
		return n->weight ? flame__add_self(fo->f, at, n->weight) : 0;
	return n->count ? flame__add_self(fo->f, at, n->count) : 0;
}

int session__fold(struct session *s, struct flame *f)
{
	uint32_t nodes = profile__nodes(s->profile);
	struct fold fo = { .s = s,
			   .f = f,
			   .node = calloc(nodes, sizeof(uint32_t)),
			   .depth = calloc(nodes, sizeof(uint32_t)) };
	int err = -ENOMEM;

	session__prefetch(s);
	if (fo.node && fo.depth)
		err = profile__walk(s->profile, session__fold_node, &fo);
	if (!err)
		err = flame__sum(f);
	free(fo.node);
	free(fo.depth);
	u64map__release(&fo.named);
	free(fo.seq);
	return err;
}

void session__log_unwind(const struct session *s, uint64_t copy)
{
	const struct session_stats *st = &s->stats;
	double n = st->samples ? st->samples : 1;
	uint64_t want;

	if (st->unwind_failed)
		pr_warn("%llu samples (%.1f%%) stopped at a frame with no unwind information (CFI) "
			"and no frame pointer: their stacks end there",
			(unsigned long long)st->unwind_failed, 100.0 * st->unwind_failed / n);
	if (st->unwind_bad_regs)
		pr_warn(
		    "%llu samples (%.1f%%) came with no user registers: no user stack to unwind",
		    (unsigned long long)st->unwind_bad_regs, 100.0 * st->unwind_bad_regs / n);
	if (!st->unwind_truncated)
		return;
	if (copy >= 65528) {
		pr_warn(
		    "%llu stacks (%.1f%%) were deeper than even the largest stack copy (65528 "
		    "bytes) and end in [truncated]: the default mode unwinds in the kernel, with "
		    "no copy to run out of",
		    (unsigned long long)st->unwind_truncated, 100.0 * st->unwind_truncated / n);
		return;
	}
	/* At least twice the copy, and more than the deepest whole stack seen, in 4 KiB steps. */
	want = 2 * copy > st->unwind_deepest + 4096 ? 2 * copy : st->unwind_deepest + 4096;
	want = (want + 4095) & ~4095ULL;
	if (want > 65528)
		want = 65528;
	pr_warn("%llu stacks (%.1f%%) were deeper than the %llu-byte stack copy and end in "
		"[truncated]: --call-graph dwarf,%llu copies more, or the default mode unwinds in "
		"the kernel with no copy",
		(unsigned long long)st->unwind_truncated, 100.0 * st->unwind_truncated / n,
		(unsigned long long)copy, (unsigned long long)want);
}

struct frames_walk {
	struct session *s;
	session_frames_fn fn;
	void *ctx;
};

static int session__frames_of(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
			      uint32_t stack, uint64_t count, uint64_t weight)
{
	struct frames_walk *w = ctx;
	struct session *s = w->s;
	struct session_stack st = {
		.event = s->nr_events > 1 ? s->event_names[event] : NULL,
		.pid = pid,
		.tid = tid,
		.comm = session__comm(s, comm),
		.container = symbolizer__container(s->sym, pid),
		.frames = s->named,
		.nr = profile__frames(s->profile, stack, s->named, SESSION_MAX_FRAMES),
		.count = count,
		.weight = weight,
	};

	return w->fn(w->ctx, &st);
}

int session__for_each_frames(struct session *s, session_frames_fn fn, void *ctx)
{
	struct frames_walk w = { s, fn, ctx };

	return profile__for_each(s->profile, session__frames_of, &w);
}

struct symbolizer *session__symbolizer(const struct session *s)
{
	return s->sym;
}
