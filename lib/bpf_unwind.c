// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "array.h"
#include "bpf_unwind.h"
#include "hash.h"
#include "log.h"
#include "ranges.h"
#include "unwind.skel.h"

#define DEFAULT_ROWS	     (4u << 20)
#define DEFAULT_PIDS	     1024
#define DEFAULT_MAPS_PER_PID 256
#define DEFAULT_RINGBUF	     (4u << 20)

_Static_assert(sizeof(struct unwind_row) == 8, "rows are 8 bytes");
/* Array maps space their elements by 8 bytes: values must be multiples of 8 to be mmapped. */
_Static_assert(sizeof(struct bpf_unwind_mapping) == 40, "the BPF side indexes by this size");
_Static_assert(sizeof(struct bpf_unwind_page) == 8, "the BPF side indexes by this size");

struct table {
	uint32_t off, nr;
	uint32_t idx_off, nr_idx;
	uint64_t base;
};

/*
 * A process's mappings: ranges of [start, end) whose off is the image
 * address of start (so that trims keep the bias) and val the table id.
 */
struct proc {
	pid_t pid; /* 0: this index is free */
	uint8_t which;
	struct ranges maps;
};

struct bpf_unwind {
	struct unwind_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_unwind_mapping *maps_mem;
	size_t maps_len;
	struct unwind_row *rows_mem;
	size_t rows_len;
	struct bpf_unwind_page *idx_mem;
	size_t idx_len;
	uint32_t max_rows, rows_used, max_idx, idx_used, max_pids, maps_per_pid;
	struct table *tables;
	size_t nr_tables, cap_tables;
	struct proc *procs;   /* max_pids of them; index i owns slots 2i and 2i + 1 */
	struct u64map by_pid; /* pid -> index + 1 (0: none) */
	uint32_t *free_idx;
	size_t nr_free;
	uint64_t pool_full;
	/* the drain in progress */
	bpf_unwind_fn fn;
	void *fn_ctx;
	int fn_ret;
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	/* The verifier's log is long: it is for -v, not for every run. */
	(void)level;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	pr_debug("libbpf: %s", buf);
	return 0;
}

static void *map_mmap(struct bpf_map *m, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)bpf_map__value_size(m) * bpf_map__max_entries(m);
	void *p;

	n = (n + page - 1) / page * page;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED)
		return NULL;
	*len = n;
	return p;
}

static int bpf_unwind__sample(void *ctx, void *data, size_t size);

/* Says why BPF cannot be used, and returns the errno to set. */
static int bpf_unwind__check(void)
{
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		pr_warn("bpf: kernel has no BTF (/sys/kernel/btf/vmlinux): the in-kernel "
			"unwinder needs CONFIG_DEBUG_INFO_BTF");
		return ENOTSUP;
	}
	r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, BPF_FUNC_loop, NULL);
	if (r == -EPERM || r == -EACCES) {
		pr_warn("bpf: operation not permitted: the in-kernel unwinder needs root, or "
			"CAP_BPF and CAP_PERFMON");
		return EPERM;
	}
	if (r == 0) {
		pr_warn("bpf: kernel has no bpf_loop: the in-kernel unwinder needs Linux 5.17 "
			"or later");
		return ENOTSUP;
	}
	return 0;
}

#define PROC_PID_INIT_INO 0xEFFFFFFCu /* the initial pid namespace's inode */

struct bpf_unwind *bpf_unwind__new(const struct bpf_unwind_opts *opts)
{
	struct stat st;
	struct bpf_unwind_opts o = opts ? *opts : (struct bpf_unwind_opts){ 0 };
	struct bpf_unwind *u;
	uint32_t i;
	int err;

	libbpf_set_print(libbpf_log);
	err = bpf_unwind__check();
	if (err) {
		errno = err;
		return NULL;
	}
	o.self_pid = o.self_pid ? o.self_pid : getpid();
	o.max_rows = o.max_rows ? o.max_rows : DEFAULT_ROWS;
	o.max_pids = o.max_pids ? o.max_pids : DEFAULT_PIDS;
	o.maps_per_pid = o.maps_per_pid ? o.maps_per_pid : DEFAULT_MAPS_PER_PID;
	o.ringbuf_bytes = o.ringbuf_bytes ? o.ringbuf_bytes : DEFAULT_RINGBUF;
	if (o.maps_per_pid > 65536 || (uint64_t)o.max_pids * 2 * o.maps_per_pid > UINT32_MAX ||
	    o.max_pids > (1u << 22) || (o.ringbuf_bytes & (o.ringbuf_bytes - 1))) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->max_rows = o.max_rows;
	/* one entry per KiB of code: a quarter of the rows' count covers the usual density */
	u->max_idx = o.max_rows / 4 + 1024;
	u->max_pids = o.max_pids;
	u->maps_per_pid = o.maps_per_pid;
	u->procs = calloc(o.max_pids, sizeof(*u->procs));
	u->free_idx = malloc(o.max_pids * sizeof(*u->free_idx));
	if (!u->procs || !u->free_idx) {
		err = -ENOMEM;
		goto out_free_u;
	}
	for (i = 0; i < o.max_pids; i++)
		u->free_idx[u->nr_free++] = o.max_pids - 1 - i;

	u->skel = unwind_bpf__open();
	if (!u->skel) {
		err = -errno;
		pr_warn("bpf: cannot open the unwinder's BPF object: %s", sear_strerror(-err));
		goto out_free_u;
	}
	u->skel->rodata->self_pid = o.self_pid;
	/* sear in a pid namespace of its own: the program names tasks as perf does, from it */
	if (!stat("/proc/self/ns/pid", &st) && st.st_ino != PROC_PID_INIT_INO)
		u->skel->rodata->ns_ino = st.st_ino;
	u->skel->rodata->maps_per_pid = o.maps_per_pid;
	u->skel->rodata->wakeup_bytes = o.ringbuf_bytes / 8;
	u->skel->rodata->offcpu_min_ns = o.offcpu_min_ns;
	if (!o.offcpu) {
		bpf_program__set_autoload(u->skel->progs.sear_offcpu, false);
		bpf_program__set_autoload(u->skel->progs.sear_offcpu_end, false);
		bpf_map__set_autocreate(u->skel->maps.waits, false);
	}
	if ((err = bpf_map__set_max_entries(u->skel->maps.rows, o.max_rows)) ||
	    (err = bpf_map__set_max_entries(u->skel->maps.row_index, u->max_idx)) ||
	    (err = bpf_map__set_max_entries(u->skel->maps.mappings,
					    o.max_pids * 2 * o.maps_per_pid)) ||
	    (err = bpf_map__set_max_entries(u->skel->maps.pids, o.max_pids)) ||
	    (err = bpf_map__set_max_entries(u->skel->maps.forks, o.max_pids)) ||
	    (err = bpf_map__set_max_entries(u->skel->maps.samples, o.ringbuf_bytes)))
		goto out_destroy;
	err = unwind_bpf__load(u->skel);
	if (err) {
		pr_warn("bpf: cannot load the unwinder: %s%s", sear_strerror(-err),
			err == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		goto out_destroy;
	}
	u->rows_mem = map_mmap(u->skel->maps.rows, &u->rows_len);
	u->maps_mem = map_mmap(u->skel->maps.mappings, &u->maps_len);
	u->idx_mem = map_mmap(u->skel->maps.row_index, &u->idx_len);
	if (!u->rows_mem || !u->maps_mem || !u->idx_mem) {
		err = -errno;
		pr_warn("bpf: cannot map the unwinder's tables: %s", sear_strerror(-err));
		goto out_unmap;
	}
	u->rb = ring_buffer__new(bpf_map__fd(u->skel->maps.samples), bpf_unwind__sample, u, NULL);
	if (!u->rb) {
		err = -errno;
		goto out_unmap;
	}
	/*
	 * All three or none: a fork hook without the exit hook would leave entries for pids
	 * that come back as other processes. Without them, a forked process is a target
	 * once user space hears of it.
	 */
	if (!(u->skel->links.sear_fork = bpf_program__attach(u->skel->progs.sear_fork)) ||
	    !(u->skel->links.sear_exec = bpf_program__attach(u->skel->progs.sear_exec)) ||
	    !(u->skel->links.sear_exit = bpf_program__attach(u->skel->progs.sear_exit))) {
		pr_debug("bpf: cannot follow forks in the kernel: %s", sear_strerror(errno));
		bpf_link__destroy(u->skel->links.sear_fork);
		bpf_link__destroy(u->skel->links.sear_exec);
		u->skel->links.sear_fork = u->skel->links.sear_exec = NULL;
	}
	if (o.offcpu) {
		u->skel->links.sear_offcpu = bpf_program__attach(u->skel->progs.sear_offcpu);
		if (!u->skel->links.sear_offcpu) {
			err = -errno;
			pr_warn("bpf: cannot attach the off-CPU program to sched_switch: %s",
				sear_strerror(-err));
			ring_buffer__free(u->rb);
			goto out_unmap;
		}
	}
	return u;
out_unmap:
	if (u->idx_mem)
		munmap(u->idx_mem, u->idx_len);
	if (u->rows_mem)
		munmap(u->rows_mem, u->rows_len);
	if (u->maps_mem)
		munmap(u->maps_mem, u->maps_len);
out_destroy:
	unwind_bpf__destroy(u->skel);
out_free_u:
	free(u->procs);
	free(u->free_idx);
	free(u);
	errno = -err;
	return NULL;
}

void bpf_unwind__free(struct bpf_unwind *u)
{
	uint32_t i;

	if (!u)
		return;
	ring_buffer__free(u->rb);
	munmap(u->rows_mem, u->rows_len);
	munmap(u->maps_mem, u->maps_len);
	munmap(u->idx_mem, u->idx_len);
	unwind_bpf__destroy(u->skel);
	for (i = 0; i < u->max_pids; i++)
		ranges__release(&u->procs[i].maps);
	free(u->procs);
	free(u->free_idx);
	free(u->tables);
	u64map__release(&u->by_pid);
	free(u);
}

int bpf_unwind__attach(struct bpf_unwind *u, int perf_fd)
{
	if (ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(u->skel->progs.sear_unwind)))
		return -errno;
	return 0;
}

int bpf_unwind__add_table(struct bpf_unwind *u, const struct unwind_row *rows, size_t nr,
			  uint64_t base, uint32_t *table_id)
{
	uint64_t nr_idx = nr ? ((uint64_t)rows[nr - 1].pc >> BPF_UNWIND_PAGE_SHIFT) + 1 : 0;
	struct bpf_unwind_page *idx = u->idx_mem + u->idx_used;
	size_t i, r = 0;

	if (nr > u->max_rows - u->rows_used || nr_idx > u->max_idx - u->idx_used) {
		u->pool_full++;
		return -ENOSPC;
	}
	for (i = 1; i < nr; i++)
		if (rows[i].pc <= rows[i - 1].pc)
			return -EINVAL; /* the index and the BPF searches need them sorted */
	if (u->nr_tables >= UINT32_MAX - 1)
		return -ENOSPC;
	if (array__grow((void **)&u->tables, &u->cap_tables, u->nr_tables + 1, sizeof(*u->tables)))
		return -ENOMEM;
	if (nr)
		memcpy(u->rows_mem + u->rows_used, rows, nr * sizeof(*rows));
	/* how many rows have a pc at or below each page's start */
	for (i = 0; i < nr_idx; i++) {
		uint64_t page_start = (uint64_t)i << BPF_UNWIND_PAGE_SHIFT;

		while (r < nr && rows[r].pc <= page_start)
			r++;
		idx[i].lo = r;
		if (i)
			idx[i - 1].hi = r;
	}
	if (nr_idx)
		idx[nr_idx - 1].hi = nr;
	u->tables[u->nr_tables] =
	    (struct table){ u->rows_used, (uint32_t)nr, u->idx_used, (uint32_t)nr_idx, base };
	u->rows_used += nr;
	u->idx_used += nr_idx;
	*table_id = u->nr_tables++;
	return 0;
}

static struct proc *proc_find(struct bpf_unwind *u, pid_t pid)
{
	uint64_t *v = u64map__find(&u->by_pid, (uint32_t)pid);

	return v && *v ? &u->procs[*v - 1] : NULL;
}

static struct proc *proc_get(struct bpf_unwind *u, pid_t pid)
{
	struct proc *p = proc_find(u, pid);
	uint32_t idx;

	if (p)
		return p;
	if (!u->nr_free) {
		errno = ENOSPC;
		return NULL;
	}
	idx = u->free_idx[u->nr_free - 1];
	if (u64map__set(&u->by_pid, (uint32_t)pid, idx + 1)) {
		errno = ENOMEM;
		return NULL;
	}
	u->nr_free--;
	p = &u->procs[idx];
	p->pid = pid;
	p->maps.max = u->maps_per_pid;
	return p;
}

/* Writes p's mappings to its spare slot, then points the BPF side at it. */
static int proc_publish(struct bpf_unwind *u, struct proc *p)
{
	uint32_t key = (uint32_t)p->pid, idx = p - u->procs;
	struct bpf_unwind_pid v;
	struct bpf_unwind_mapping *m;
	size_t i, n = 0;

	p->which ^= 1;
	v.slot = idx * 2 + p->which;
	m = u->maps_mem + (size_t)v.slot * u->maps_per_pid;
	for (i = 0; i < p->maps.nr && n < u->maps_per_pid; i++) {
		const struct range *r = &p->maps.v[i];
		uint64_t bias = r->start - r->off;

		m[n] = (struct bpf_unwind_mapping){ .start = r->start, .end = r->end };
		if (r->val != BPF_UNWIND_NO_TABLE && r->val < u->nr_tables) {
			const struct table *t = &u->tables[r->val];

			m[n].base = bias + t->base;
			m[n].row_off = t->off;
			m[n].nr_rows = t->nr;
			m[n].idx_off = t->idx_off;
			m[n].nr_idx = t->nr_idx;
		}
		n++;
	}
	v.nr = n;
	/* The syscall orders the writes above before the switch. */
	if (bpf_map__update_elem(u->skel->maps.pids, &key, sizeof(key), &v, sizeof(v), BPF_ANY))
		return -errno;
	return 0;
}

int bpf_unwind__map(struct bpf_unwind *u, pid_t pid, uint64_t start, uint64_t end, int64_t bias,
		    uint32_t table_id)
{
	struct proc *p;
	int err;

	if (end <= start || (table_id != BPF_UNWIND_NO_TABLE && table_id >= u->nr_tables))
		return -EINVAL;
	p = proc_get(u, pid);
	if (!p)
		return -errno;
	/* An insert can split a range in three: near the cap, try it on a copy first. */
	if (p->maps.nr + 2 > u->maps_per_pid) {
		struct ranges tmp = { 0 };

		err = ranges__copy(&tmp, &p->maps);
		if (!err)
			err = ranges__insert(&tmp, start, end - start, start - (uint64_t)bias,
					     table_id);
		if (!err && tmp.nr > u->maps_per_pid)
			err = -E2BIG;
		if (err) {
			ranges__release(&tmp);
			return err;
		}
		ranges__release(&p->maps);
		p->maps = tmp;
		p->maps.max = u->maps_per_pid;
		return proc_publish(u, p);
	}
	err = ranges__insert(&p->maps, start, end - start, start - (uint64_t)bias, table_id);
	if (err)
		return err;
	return proc_publish(u, p);
}

int bpf_unwind__fork(struct bpf_unwind *u, pid_t pid, pid_t ppid)
{
	struct proc *parent = proc_find(u, ppid), *p;
	int err;

	if (!parent || pid == ppid)
		return 0;
	p = proc_get(u, pid);
	if (!p)
		return -errno;
	parent = proc_find(u, ppid); /* the lookup table may have grown */
	err = ranges__copy(&p->maps, &parent->maps);
	if (err)
		return err;
	return proc_publish(u, p);
}

int bpf_unwind__watch(struct bpf_unwind *u, pid_t pid)
{
	struct proc *p = proc_get(u, pid);

	return p ? proc_publish(u, p) : -errno;
}

int bpf_unwind__exec(struct bpf_unwind *u, pid_t pid)
{
	struct proc *p = proc_find(u, pid);

	if (!p)
		return 0;
	ranges__clear(&p->maps);
	return proc_publish(u, p);
}

int bpf_unwind__exit(struct bpf_unwind *u, pid_t pid)
{
	struct proc *p = proc_find(u, pid);
	uint32_t key = (uint32_t)pid;

	if (!p)
		return 0;
	bpf_map__delete_elem(u->skel->maps.pids, &key, sizeof(key), 0);
	ranges__release(&p->maps);
	memset(p, 0, sizeof(*p));
	u->free_idx[u->nr_free++] = p - u->procs;
	u64map__set(&u->by_pid, (uint32_t)pid, 0); /* present keys never allocate */
	return 0;
}

int bpf_unwind__end_waits(struct bpf_unwind *u)
{
	struct bpf_link *it;
	char buf[64];
	ssize_t n;
	int fd, err = 0;

	if (!u->skel->links.sear_offcpu)
		return 0;
	/* No wait may start, or end twice, while the iterator counts them. */
	bpf_link__destroy(u->skel->links.sear_offcpu);
	u->skel->links.sear_offcpu = NULL;
	it = bpf_program__attach_iter(u->skel->progs.sear_offcpu_end, NULL);
	if (!it)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(it));
	if (fd < 0) {
		err = -errno;
	} else {
		while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			;
		if (n < 0)
			err = -errno;
		close(fd);
	}
	bpf_link__destroy(it);
	return err;
}

int bpf_unwind__fd(const struct bpf_unwind *u)
{
	return ring_buffer__epoll_fd(u->rb);
}

static int bpf_unwind__sample(void *ctx, void *data, size_t size)
{
	struct bpf_unwind *u = ctx;
	const struct bpf_unwind_record *rec = data;
	struct bpf_unwind_sample s;

	if (size < sizeof(*rec) ||
	    (size - sizeof(*rec)) / 8 < (size_t)rec->nr_kernel + rec->nr_user)
		return 0;
	s = (struct bpf_unwind_sample){
		.pid = rec->pid,
		.tid = rec->tid,
		.time = rec->time,
		.period = rec->period,
		.cpu = rec->cpu,
		.flags = rec->flags,
		.nr_kernel = rec->nr_kernel,
		.nr_user = rec->nr_user,
		.ips = (const uint64_t *)(rec + 1),
	};
	u->fn_ret = u->fn(u->fn_ctx, &s);
	/* libbpf stops on a negative value, having consumed this record. */
	return u->fn_ret ? -ECANCELED : 0;
}

int bpf_unwind__drain(struct bpf_unwind *u, bpf_unwind_fn fn, void *ctx)
{
	int n;

	u->fn = fn;
	u->fn_ctx = ctx;
	u->fn_ret = 0;
	n = ring_buffer__consume(u->rb);
	if (u->fn_ret)
		return u->fn_ret;
	return n < 0 ? n : 0;
}

void bpf_unwind__stats(const struct bpf_unwind *u, struct bpf_unwind_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct bpf_unwind_counters *c;
	uint32_t zero = 0;

	memset(out, 0, sizeof(*out));
	out->pool_full = u->pool_full;
	out->rows = u->rows_used;
	if (ncpu <= 0)
		return;
	c = calloc(ncpu, sizeof(*c));
	if (!c)
		return;
	if (!bpf_map__lookup_elem(u->skel->maps.counters, &zero, sizeof(zero), c, ncpu * sizeof(*c),
				  0)) {
		for (i = 0; i < ncpu; i++) {
			out->samples += c[i].samples;
			out->drops += c[i].drops;
			out->truncated += c[i].truncated;
			out->fp_steps += c[i].fp_steps;
			out->cfi_steps += c[i].cfi_steps;
			out->offcpu += c[i].offcpu;
		}
	}
	free(c);
}
