// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The in-kernel unwinder: a perf_event program run at every sample of
 * sear's sampling events. It walks the user stack by the CFI rows that
 * lib/ehframe.c compiled (lib/unwind_row.h), and by frame pointers where a
 * module has no table or an address no row (JIT code, V8's builtins), and
 * writes one record per sample to a ring buffer (lib/bpf_unwind_abi.h).
 *
 * It returns 0, so perf writes no sample of its own: the perf ring
 * buffers carry only the side-band records.
 *
 * The user stack is read with bpf_probe_read_user only. Every loop is
 * bounded: 128 frames (bpf_loop), and binary searches of at most 20 steps
 * over the mappings and 32 over the rows.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "lib/bpf_unwind_abi.h"

/* bpf_probe_read_user and bpf_get_stack are GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define NR_IPS (BPF_UNWIND_MAX_KERNEL + BPF_UNWIND_MAX_USER)

/* Set by user space before load. */
const volatile __u32 self_pid = 0;
/*
 * The inode of sear's pid namespace when it is not the initial one (sear
 * in a container): records then carry the pids that perf's side-band
 * records use, those seen from sear's namespace. 0: global pids.
 */
const volatile __u32 ns_ino = 0;
const volatile __u32 maps_per_pid = 1;
const volatile __u64 wakeup_bytes = 1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct bpf_unwind_pid);
} pids SEC(".maps");

/*
 * Processes forked by a target, known here from their first instant and
 * before user space hears of them: pid -> the process whose mappings they
 * have (their parent's, or an earlier one's for a fork of a fork), 0 once
 * they exec. They are targets, and are walked with those mappings until
 * user space gives them their own in pids.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} forks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_unwind_mapping);
} mappings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_row);
} rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_unwind_page);
} row_index SEC(".maps");

#define WINDOW 512 /* bytes of user stack read at once */

struct scratch {
	struct bpf_unwind_record rec;
	__u64 ips[NR_IPS];
	__u8 window[WINDOW]; /* a copy of the user stack from walk.win_base */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_unwind_counters);
} counters SEC(".maps");

struct walk {
	__u64 pc, sp, bp;
	__u32 first_map, nr_maps;
	__u32 pc_map; /* key of the mapping holding pc - 1, found when pc was checked */
	__u32 nk, nu; /* kernel frames already in ips; user frames so far */
	__u32 fp_steps, cfi_steps;
	__u64 win_base;
	__u8 have_maps, bp_ok, truncated, pc_map_ok, win_ok;
};

/*
 * The binary searches are global functions: the verifier checks each once,
 * with unknown arguments, instead of once per call site and loop state.
 */

/* The key of the mapping in [first, first + nr) that holds pc, or -1. */
__noinline int find_mapping(__u32 first, __u32 nr, __u64 pc)
{
	__u32 lo = 0, hi = nr, mid, key;
	struct bpf_unwind_mapping *m;

	for (int i = 0; i < 20 && lo < hi; i++) {
		mid = lo + (hi - lo) / 2;
		key = first + mid;
		m = bpf_map_lookup_elem(&mappings, &key);
		if (!m)
			return -1;
		if (pc < m->start)
			hi = mid;
		else if (pc >= m->end)
			lo = mid + 1;
		else
			return key;
	}
	return -1;
}

/*
 * first + (the number of rows in [first, first + nr) whose pc is <= off) - 1:
 * the key of the last such row, or first - 1 when there is none.
 */
__noinline long find_row(__u32 first, __u32 nr, __u64 off)
{
	__u32 lo = 0, hi = nr, mid, key;
	struct unwind_row *r;

	for (int i = 0; i < 32 && lo < hi; i++) { /* the first row past off */
		mid = lo + (hi - lo) / 2;
		key = first + mid;
		r = bpf_map_lookup_elem(&rows, &key);
		if (!r)
			return -1;
		if (r->pc <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)first + lo - 1;
}

/* The key of m's row covering offset off, or -1: one page's rows, found by the index. */
static __always_inline long find_row_indexed(const struct bpf_unwind_mapping *m, __u64 off)
{
	__u64 page = off >> BPF_UNWIND_PAGE_SHIFT;
	struct bpf_unwind_page *p;
	__u32 key;
	long found;

	if (off > 0xffffffffULL || !m->nr_idx)
		return -1;
	if (page >= m->nr_idx)
		page = m->nr_idx - 1;
	key = m->idx_off + (__u32)page;
	p = bpf_map_lookup_elem(&row_index, &key);
	if (!p || p->lo > p->hi || p->hi > m->nr_rows)
		return -1;
	found = find_row(m->row_off + p->lo, p->hi - p->lo, off);
	return found >= (long)m->row_off ? found : -1;
}

/*
 * Reads a word of the user stack. A user read costs about 100 ns whatever
 * its size, and frames sit next to each other going up: so the stack is
 * read WINDOW bytes at a time from the lowest address asked for, and words
 * come from that copy while they fall in it. Near the top of the stack,
 * where a whole window would cross the end of the mapping, single words.
 */
__noinline int read_u64(struct walk *w, __u64 addr, __u64 *out)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	__u64 off;

	if (!w || !out || !s)
		return -1;
	off = addr - w->win_base;
	if (!w->win_ok || addr < w->win_base || off > WINDOW - sizeof(__u64)) {
		if (bpf_probe_read_user(s->window, WINDOW, (const void *)addr)) {
			w->win_ok = 0;
			return bpf_probe_read_user(out, sizeof(*out), (const void *)addr);
		}
		w->win_base = addr;
		w->win_ok = 1;
		off = 0;
	}
	if (off > WINDOW - sizeof(__u64))
		return -1;
	__builtin_memcpy(out, s->window + off, sizeof(*out));
	return 0;
}

/* One frame: records w->pc and steps to the caller. Returns 1 to stop. */
static long walk_step(__u64 index, void *ctx)
{
	struct walk *w = ctx;
	__u32 zero = 0, idx = w->nk + w->nu, type = UNWIND_CFA_GAP, key;
	long found = -1;
	struct bpf_unwind_mapping *m = NULL;
	struct unwind_row *row = NULL;
	__u64 cfa, ra, bp = w->bp, lookup;
	struct scratch *s;
	__s16 rbp_rule = UNWIND_RBP_SAME;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || idx >= NR_IPS)
		return 1;
	s->ips[idx] = w->pc;
	w->nu++;

	/* A return address points after the call: look up the call itself. */
	lookup = index ? w->pc - 1 : w->pc;
	if (w->pc_map_ok)
		found = w->pc_map;
	else if (w->have_maps)
		found = find_mapping(w->first_map, w->nr_maps, lookup);
	if (found >= 0) {
		key = found;
		m = bpf_map_lookup_elem(&mappings, &key);
	}
	if (m && m->nr_rows && lookup >= m->base) {
		found = find_row_indexed(m, lookup - m->base);
		if (found >= 0) {
			key = found;
			row = bpf_map_lookup_elem(&rows, &key);
		}
	}
	if (row) {
		type = row->cfa & UNWIND_CFA_TYPE_MASK;
		rbp_rule = row->rbp;
	}

	switch (type) {
	case UNWIND_CFA_END:
		return 1; /* the outermost frame */
	case UNWIND_CFA_RSP:
		cfa = w->sp + ((__u64)(row->cfa >> UNWIND_CFA_OFF_SHIFT) << 3);
		break;
	case UNWIND_CFA_RBP:
		if (!w->bp_ok)
			goto truncated;
		cfa = w->bp + ((__u64)(row->cfa >> UNWIND_CFA_OFF_SHIFT) << 3);
		break;
	case UNWIND_CFA_PLT:
		cfa = w->sp + ((__u64)(row->cfa >> UNWIND_CFA_OFF_SHIFT) << 3);
		if ((w->pc & 15) >= (__u64)rbp_rule)
			cfa += 8;
		rbp_rule = UNWIND_RBP_SAME;
		break;
	default: /* no CFI, or CFI the rows cannot express: a frame-pointer step */
		if (!w->bp_ok)
			goto truncated;
		if (!w->bp)
			return 1; /* _start and clone zero RBP: the outermost frame */
		if (w->bp < w->sp || read_u64(w, w->bp, &bp) || read_u64(w, w->bp + 8, &ra))
			goto truncated;
		cfa = w->bp + 16;
		w->fp_steps++;
		goto next;
	}

	/* RBP first when it was saved: it sits below the return address */
	if (rbp_rule == UNWIND_RBP_UNSUPPORTED)
		w->bp_ok = 0;
	else if (rbp_rule != UNWIND_RBP_SAME && read_u64(w, cfa + rbp_rule, &bp))
		goto truncated;
	if (read_u64(w, cfa - 8, &ra))
		goto truncated;
	w->cfi_steps++;
next:
	if (!ra)
		return 1; /* the ABI's end of the call chain */
	if (cfa <= w->sp)
		goto truncated; /* the stack must grow towards the callers */
	/* Where mappings are known, a return address outside them is garbage. */
	w->pc_map_ok = 0;
	if (w->have_maps) {
		found = find_mapping(w->first_map, w->nr_maps, ra - 1);
		if (found < 0)
			goto truncated;
		w->pc_map = found;
		w->pc_map_ok = 1;
	}
	if (w->nu >= BPF_UNWIND_MAX_USER)
		goto truncated;
	w->pc = ra;
	w->sp = cfa;
	w->bp = bp;
	return 0;
truncated:
	w->truncated = 1;
	return 1;
}

#define MAX_NS_DEPTH 8 /* pid namespaces nested deeper than this are not searched */

/* p's number in sear's pid namespace; 0 when p is not visible there. */
static __always_inline __u32 ns_nr(struct pid *p)
{
	__u32 level, i;
	struct upid up;

	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	for (i = 0; i < MAX_NS_DEPTH && i <= level; i++) {
		if (bpf_probe_read_kernel(&up, sizeof(up),
					  (void *)p + bpf_core_field_offset(struct pid, numbers) +
					      i * sizeof(struct upid)))
			return 0;
		if (BPF_CORE_READ(up.ns, ns.inum) == ns_ino)
			return up.nr;
	}
	return 0;
}

/*
 * The current task's pid and tid as perf names them for sear: the host's,
 * or those seen from sear's pid namespace. Returns false for a task to
 * leave out: sear itself, or one outside sear's namespace.
 */
static __always_inline bool current_ids(__u32 *pid, __u32 *tid)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task;

	*pid = id >> 32;
	*tid = (__u32)id;
	if (ns_ino) {
		task = bpf_get_current_task_btf();
		*pid = ns_nr(BPF_CORE_READ(task, group_leader, thread_pid));
		*tid = ns_nr(BPF_CORE_READ(task, thread_pid));
		if (!*pid)
			return false; /* outside sear's namespace: perf does not name it either */
	}
	return *pid != self_pid;
}

/* Where the current task entered the kernel: the user registers to walk from. */
static __always_inline void user_regs(struct scratch *s, struct walk *w)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;

	if (!BPF_CORE_READ(task, mm)) {
		s->rec.flags |= BPF_UNWIND_F_NO_USER; /* a kernel thread */
		return;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	w->pc = BPF_CORE_READ(regs, ip);
	w->sp = BPF_CORE_READ(regs, sp);
	w->bp = BPF_CORE_READ(regs, bp);
}

/* Where pid's mappings are: its own, or, forked and not yet known, those it was forked with. */
static __always_inline struct bpf_unwind_pid *proc_of(__u32 pid)
{
	struct bpf_unwind_pid *p = bpf_map_lookup_elem(&pids, &pid);
	__u32 *from;

	if (p)
		return p;
	from = bpf_map_lookup_elem(&forks, &pid);
	return from && *from ? bpf_map_lookup_elem(&pids, from) : NULL;
}

static __always_inline bool is_target(__u32 pid)
{
	return bpf_map_lookup_elem(&pids, &pid) || bpf_map_lookup_elem(&forks, &pid);
}

/*
 * Walks the user stack from w's registers into s->ips, after the w->nk
 * kernel frames there, and completes s->rec. Returns the record's size.
 */
static __always_inline __u64 walk_user(struct scratch *s, struct walk *w, __u32 pid,
				       struct bpf_unwind_counters *cnt)
{
	struct bpf_unwind_pid *p;
	__u64 size;

	if (!(s->rec.flags & BPF_UNWIND_F_NO_USER) && w->pc) {
		p = proc_of(pid);
		if (p && p->nr) { /* none yet (just exec'd, or not started): frame pointers */
			w->have_maps = 1;
			w->first_map = p->slot * maps_per_pid;
			w->nr_maps = p->nr < maps_per_pid ? p->nr : maps_per_pid;
		}
		w->bp_ok = 1;
		bpf_loop(BPF_UNWIND_MAX_USER, walk_step, w, 0);
	}
	s->rec.nr_kernel = w->nk;
	s->rec.nr_user = w->nu;
	if (w->truncated) {
		s->rec.flags |= BPF_UNWIND_F_TRUNCATED;
		cnt->truncated++;
	}
	cnt->fp_steps += w->fp_steps;
	cnt->cfi_steps += w->cfi_steps;
	size = sizeof(s->rec) + (__u64)(w->nk + w->nu) * sizeof(__u64);
	return size > sizeof(s->rec) + sizeof(s->ips) ? sizeof(s->rec) + sizeof(s->ips) : size;
}

/*
 * A wakeup per record costs an irq_work self-IPI, microseconds in a VM:
 * wake the reader only once a batch is waiting; it also polls on a timer.
 */
static __always_inline void output(void *rec, __u64 size, struct bpf_unwind_counters *cnt)
{
	if (bpf_ringbuf_output(&samples, rec, size,
			       bpf_ringbuf_query(&samples, BPF_RB_AVAIL_DATA) >= wakeup_bytes
				   ? BPF_RB_FORCE_WAKEUP
				   : BPF_RB_NO_WAKEUP))
		cnt->drops++;
}

SEC("perf_event")
int sear_unwind(struct bpf_perf_event_data *ctx)
{
	struct bpf_unwind_counters *cnt;
	struct walk w = {};
	struct scratch *s;
	__u32 pid, tid, zero = 0;
	long n;

	if (!current_ids(&pid, &tid))
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!s || !cnt)
		return 0;
	cnt->samples++;
	s->rec.pid = pid;
	s->rec.tid = tid;
	s->rec.time = bpf_ktime_get_ns();
	s->rec.period = ctx->sample_period;
	s->rec.cpu = bpf_get_smp_processor_id();
	s->rec.flags = 0;

	/* Kernel addresses have the top bit set on x86-64. */
	if ((__s64)ctx->regs.ip < 0) {
		s->rec.flags |= BPF_UNWIND_F_KERNEL;
		n = bpf_get_stack(ctx, s->ips, BPF_UNWIND_MAX_KERNEL * sizeof(__u64), 0);
		if (n > 0)
			w.nk = n / sizeof(__u64);
		user_regs(s, &w);
	} else {
		w.pc = ctx->regs.ip;
		w.sp = ctx->regs.sp;
		w.bp = ctx->regs.bp;
	}
	output(s, walk_user(s, &w, pid, cnt), cnt);
	return 0;
}

/* A target forks: the child is one too, from now, with the mappings its parent has. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sear_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid, tid, pid, from, *pfrom;

	if (!current_ids(&ppid, &tid))
		return 0;
	pid = ns_ino ? ns_nr(BPF_CORE_READ(child, group_leader, thread_pid))
		     : BPF_CORE_READ(child, tgid);
	if (!pid || pid == ppid) /* a new thread, or outside sear's namespace */
		return 0;
	if (bpf_map_lookup_elem(&pids, &ppid)) {
		from = ppid;
	} else {
		pfrom = bpf_map_lookup_elem(&forks, &ppid);
		if (!pfrom)
			return 0;
		from = *pfrom;
	}
	bpf_map_update_elem(&forks, &pid, &from, BPF_ANY);
	return 0;
}

/* A forked target execs: its parent's mappings are no longer its own. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sear_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 pid, tid, *from;

	if (current_ids(&pid, &tid) && (from = bpf_map_lookup_elem(&forks, &pid)))
		*from = 0;
	return 0;
}

/* A process's last thread ends: its pid may come back as another's. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sear_exit, struct task_struct *p)
{
	__u32 pid, tid;

	if (!BPF_CORE_READ(p, signal, live.counter) && current_ids(&pid, &tid))
		bpf_map_delete_elem(&forks, &pid);
	return 0;
}

/*
 * Off-CPU time (sear record --off-cpu). At sched_switch, a target thread
 * that blocks (sleeps, not preempted) has its stacks taken, as at a
 * sample, and kept in task storage with the time; when it is switched in
 * again, the wait, if at least offcpu_min_ns long, goes out as one record
 * whose period is the time blocked (BPF_UNWIND_F_OFFCPU) and whose time is
 * when it blocked. The targets are the processes in pids and in forks.
 */
const volatile __u64 offcpu_min_ns = 0;

struct offcpu_wait {
	__u64 since; /* when the thread blocked; 0: not waiting */
	struct bpf_unwind_record rec;
	__u64 ips[NR_IPS];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_wait);
} waits SEC(".maps");

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The state prev leaves the CPU in: TASK_RUNNING (0) when it was preempted. */
static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* o's wait ended at now: out it goes, if long enough. */
static __always_inline void wait_over(struct offcpu_wait *o, __u64 now,
				      struct bpf_unwind_counters *cnt)
{
	__u64 n;

	o->rec.period = now - o->since;
	o->since = 0;
	if (o->rec.period >= offcpu_min_ns) {
		n = (__u64)o->rec.nr_kernel + o->rec.nr_user;
		output(&o->rec, sizeof(o->rec) + (n < NR_IPS ? n : NR_IPS) * sizeof(__u64), cnt);
	}
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sear_offcpu, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct bpf_unwind_counters *cnt;
	struct offcpu_wait *o;
	struct walk w = {};
	struct scratch *s;
	__u32 pid, tid, zero = 0;
	__u64 now = bpf_ktime_get_ns(), size;
	long k;

	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!cnt)
		return 0;
	/* next runs again: its wait, if it was a target's, is over */
	o = bpf_task_storage_get(&waits, next, 0, 0);
	if (o && o->since)
		wait_over(o, now, cnt);
	/* prev (the current task) blocks: 1 and 2, interruptible and uninterruptible sleep */
	if (preempt || !(task_state(prev) & 3) || !current_ids(&pid, &tid) || !is_target(pid))
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	o = bpf_task_storage_get(&waits, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s || !o)
		return 0;
	cnt->offcpu++;
	s->rec.pid = pid;
	s->rec.tid = tid;
	s->rec.time = now;
	s->rec.period = 0;
	s->rec.cpu = bpf_get_smp_processor_id();
	s->rec.flags = BPF_UNWIND_F_KERNEL | BPF_UNWIND_F_OFFCPU;
	k = bpf_get_stack(ctx, s->ips, BPF_UNWIND_MAX_KERNEL * sizeof(__u64), 0);
	if (k > 0)
		w.nk = k / sizeof(__u64);
	user_regs(s, &w);
	size = walk_user(s, &w, pid, cnt);
	if (bpf_probe_read_kernel(&o->rec, size, &s->rec))
		return 0;
	o->since = now;
	return 0;
}

/*
 * The recording ends (bpf_unwind__end_waits(), with sear_offcpu detached):
 * every task still blocked has its wait counted up to now, as if it ran
 * again, so that a thread blocked through the end is not left out.
 */
SEC("iter/task")
int sear_offcpu_end(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_unwind_counters *cnt;
	struct offcpu_wait *o;
	__u32 zero = 0;

	if (!task)
		return 0;
	cnt = bpf_map_lookup_elem(&counters, &zero);
	o = bpf_task_storage_get(&waits, task, 0, 0);
	if (cnt && o && o->since)
		wait_over(o, bpf_ktime_get_ns(), cnt);
	return 0;
}
