// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "sampler.h"

#define SAMPLER_DEFAULT_PAGES 128   /* 512 KiB per CPU, as perf uses for root */
#define RECORD_MAX	      65536 /* perf_event_header.size is a u16 */

struct ring {
	int cpu;
	int fd; /* the event that owns the buffer; others on this CPU redirect here */
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	uint64_t size; /* bytes of data, a power of two */
	/* drain state */
	uint64_t head, tail, next_time;
	const struct perf_event_header *next;
	uint8_t *scratch; /* RECORD_MAX bytes for records that wrap */
};

struct sampler {
	struct perf_event_attr attrs[SAMPLER_MAX_EVENTS];
	int (*on_open)(void *ctx, int fd);
	void *on_open_ctx;
	int nr_events;
	int switch_event;  /* the context-switch event's index, or -1 */
	struct u64map ids; /* event id -> index in attrs */
	struct perfrec_layout layout;
	size_t pages;
	int *cpus;
	int nr_cpus;
	struct ring *rings; /* one per entry of cpus */
	int *fds;
	size_t nr_fds, cap_fds;
	enum sampler_op failed;
};

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group,
			       unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group, flags);
}

/* A decimal number at *p (below end), at most 7 digits. Returns it, or -1. */
static long cpulist__number(const char **p, const char *end)
{
	long v = 0;
	int digits = 0;

	for (; *p < end && **p >= '0' && **p <= '9'; (*p)++)
		if (++digits <= 7)
			v = v * 10 + (**p - '0');
	return digits && digits <= 7 ? v : -1;
}

int cpulist__parse_mem(const char *buf, size_t len, int **out)
{
	const char *p = buf, *end = buf + len;
	int *cpus = NULL, n = 0, cap = 0;

	while (p < end && *p != '\n' && *p) {
		long a = cpulist__number(&p, end), b = a;

		if (a < 0 || a >= CPULIST_MAX)
			goto out_inval;
		if (p < end && *p == '-') {
			p++;
			b = cpulist__number(&p, end);
			if (b < a || b >= CPULIST_MAX)
				goto out_inval;
		}
		for (; a <= b; a++) {
			if (n == CPULIST_MAX)
				goto out_inval; /* repeats: no machine has more */
			if (n == cap) {
				int *c = realloc(cpus, (cap = cap ? cap * 2 : 16) * sizeof(*c));

				if (!c) {
					free(cpus);
					return -ENOMEM;
				}
				cpus = c;
			}
			cpus[n++] = a;
		}
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p != '\n' && *p)
			goto out_inval;
	}
	*out = cpus;
	return n;
out_inval:
	free(cpus);
	return -EINVAL;
}

static int online_cpus(int **cpus)
{
	char buf[4096];
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	long n;

	if (f && fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return cpulist__parse_mem(buf, strlen(buf), cpus);
	}
	if (f)
		fclose(f);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(buf, sizeof(buf), "0-%ld", n > 0 ? n - 1 : 0);
	return cpulist__parse_mem(buf, strlen(buf), cpus);
}

static unsigned int max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	unsigned int rate = 0;

	if (f) {
		if (fscanf(f, "%u", &rate) != 1)
			rate = 0;
		fclose(f);
	}
	return rate;
}

/* Each (task, CPU) pair costs one fd: take all the process may have. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

struct sampler *sampler__new(const struct sampler_opts *opts)
{
	struct sampler *s = calloc(1, sizeof(*s));
	struct perf_event_attr *a;
	unsigned int maxrate;
	int n;

	if (!s)
		return NULL;
	n = online_cpus(&s->cpus);
	if (n <= 0) {
		free(s);
		errno = n < 0 ? -n : ENODEV;
		return NULL;
	}
	s->nr_cpus = n;
	s->rings = calloc(n, sizeof(*s->rings));
	if (!s->rings) {
		free(s->cpus);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	for (n = 0; n < s->nr_cpus; n++) {
		s->rings[n].cpu = s->cpus[n];
		s->rings[n].fd = -1;
	}
	s->pages = opts->mmap_pages ? opts->mmap_pages : SAMPLER_DEFAULT_PAGES;
	s->on_open = opts->on_open;
	s->on_open_ctx = opts->on_open_ctx;

	s->nr_events = opts->nr_events > 0 ? opts->nr_events : 1;
	if (s->nr_events > SAMPLER_MAX_EVENTS - opts->switches)
		s->nr_events = SAMPLER_MAX_EVENTS - opts->switches; /* room for the switch event */
	s->switch_event = -1;
	a = &s->attrs[0];
	*a = opts->events[0];
	a->size = sizeof(*a);
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_PERIOD | opts->sample_type;
	if (!opts->no_callchain)
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
	/* Several events in one buffer: every record says which event wrote it. */
	if (s->nr_events > 1 || opts->switches)
		a->sample_type |= PERF_SAMPLE_IDENTIFIER;
	a->sample_regs_user = opts->regs_user_mask;
	a->sample_stack_user = opts->stack_user_size;
	a->exclude_callchain_user = opts->exclude_callchain_user;
	if (opts->period) {
		a->sample_period = opts->period;
	} else {
		a->freq = 1;
		a->sample_freq = opts->freq ? opts->freq : 999;
		maxrate = max_sample_rate();
		if (maxrate && a->sample_freq > maxrate) {
			pr_warn(
			    "-F %llu is above kernel.perf_event_max_sample_rate; sampling at %u Hz",
			    (unsigned long long)a->sample_freq, maxrate);
			a->sample_freq = maxrate;
		}
	}
	a->disabled = 1;
	a->enable_on_exec = opts->enable_on_exec;
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	/* Sample times on CLOCK_MONOTONIC: comparable with sear's own clock and across runs'
	 * starts. */
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->watermark = 1;
	a->wakeup_watermark = opts->wake_each ? 1 : s->pages * sysconf(_SC_PAGESIZE) / 4;

	s->layout.sample_type = a->sample_type;
	s->layout.regs_user_mask = a->sample_regs_user;
	s->layout.sample_id_all = true;
	/* The others sample alike; side-band records come from the first event only. */
	for (n = 1; n < s->nr_events; n++) {
		struct perf_event_attr e = *a;

		e.type = opts->events[n].type;
		e.config = opts->events[n].config;
		e.config1 = opts->events[n].config1;
		e.config2 = opts->events[n].config2;
		e.exclude_user = opts->events[n].exclude_user;
		e.exclude_kernel = opts->events[n].exclude_kernel;
		e.exclude_hv = opts->events[n].exclude_hv;
		e.precise_ip = opts->events[n].precise_ip;
		e.mmap = e.mmap2 = e.comm = e.comm_exec = e.task = 0;
		s->attrs[n] = e;
	}
	if (opts->switches) {
		struct perf_event_attr e = *a;

		e.type = PERF_TYPE_SOFTWARE;
		e.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
		e.config1 = e.config2 = 0;
		e.freq = 0;
		e.sample_period = 1;
		e.exclude_user = e.exclude_kernel = 0;
		e.precise_ip = 0;
		e.mmap = e.mmap2 = e.comm = e.comm_exec = e.task = 0;
		e.context_switch = 1;
		s->switch_event = s->nr_events;
		s->attrs[s->nr_events++] = e;
	}
	raise_nofile();
	return s;
}

static void ring__unmap(struct ring *r)
{
	if (r->meta)
		munmap(r->meta, r->size + sysconf(_SC_PAGESIZE));
	free(r->scratch);
	r->meta = NULL;
	r->scratch = NULL;
}

void sampler__free(struct sampler *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < (size_t)s->nr_cpus; i++)
		ring__unmap(&s->rings[i]);
	for (i = 0; i < s->nr_fds; i++)
		close(s->fds[i]);
	free(s->fds);
	u64map__release(&s->ids);
	free(s->rings);
	free(s->cpus);
	free(s);
}

static int sampler__keep_fd(struct sampler *s, int fd)
{
	if (s->nr_fds == s->cap_fds) {
		size_t cap = s->cap_fds ? s->cap_fds * 2 : 64;
		int *fds = realloc(s->fds, cap * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		s->fds = fds;
		s->cap_fds = cap;
	}
	s->fds[s->nr_fds++] = fd;
	return 0;
}

static int ring__map(struct ring *r, int fd, size_t pages)
{
	long page = sysconf(_SC_PAGESIZE);
	void *base;

	r->scratch = malloc(RECORD_MAX);
	if (!r->scratch)
		return -ENOMEM;
	base = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int err = -errno;

		free(r->scratch);
		r->scratch = NULL;
		return err;
	}
	/*
	 * Shared and writable: a child must not inherit it, least of all the
	 * sandboxed ELF reader (symbolizer/sandbox.h), which could write the
	 * tail and the records behind sear's back.
	 */
	madvise(base, (pages + 1) * page, MADV_DONTFORK);
	r->fd = fd;
	r->meta = base;
	r->data = (uint8_t *)base + page;
	r->size = pages * page;
	return 0;
}

/* Opens event ev for (pid or cgroup, ring's CPU) and attaches it to the ring. */
static int sampler__open_event(struct sampler *s, int ev, struct ring *r, pid_t pid, bool inherit,
			       unsigned long flags)
{
	struct perf_event_attr attr = s->attrs[ev];
	uint64_t id;
	int fd, err;

	attr.inherit = inherit;
	fd = sys_perf_event_open(&attr, pid, r->cpu, -1, PERF_FLAG_FD_CLOEXEC | flags);
	if (fd < 0) {
		s->failed = SAMPLER_OP_OPEN;
		return -errno;
	}
	err = sampler__keep_fd(s, fd);
	if (err) {
		close(fd);
		return err;
	}
	if (s->on_open) {
		err = s->on_open(s->on_open_ctx, fd);
		if (err) {
			s->failed = SAMPLER_OP_IOCTL;
			return err;
		}
	}
	if (s->nr_events > 1 &&
	    (ioctl(fd, PERF_EVENT_IOC_ID, &id) || u64map__set(&s->ids, id, ev))) {
		s->failed = SAMPLER_OP_IOCTL;
		return -EIO;
	}
	if (r->fd < 0) {
		err = ring__map(r, fd, s->pages);
		if (err)
			s->failed = SAMPLER_OP_MMAP;
		return err;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd)) {
		s->failed = SAMPLER_OP_IOCTL;
		return -errno;
	}
	return 0;
}

static int sampler__open_one(struct sampler *s, struct ring *r, pid_t pid, bool inherit,
			     unsigned long flags)
{
	int ev, err;

	for (ev = 0; ev < s->nr_events; ev++) {
		err = sampler__open_event(s, ev, r, pid, inherit, flags);
		if (err)
			return err;
	}
	return 0;
}

int sampler__switch_event(const struct sampler *s)
{
	return s->switch_event;
}

int sampler__event_of(const struct sampler *s, uint64_t id)
{
	const uint64_t *ev;

	if (s->nr_events == 1)
		return 0;
	ev = u64map__find(&s->ids, id);
	return ev ? (int)*ev : -1;
}

int sampler__open_task(struct sampler *s, pid_t tid, bool inherit)
{
	int i, err;

	s->failed = SAMPLER_OP_NONE;
	for (i = 0; i < s->nr_cpus; i++) {
		err = sampler__open_one(s, &s->rings[i], tid, inherit, 0);
		if (err)
			return err;
	}
	return 0;
}

int sampler__open_cpu(struct sampler *s, int cpu)
{
	int i;

	s->failed = SAMPLER_OP_NONE;
	for (i = 0; i < s->nr_cpus; i++)
		if (s->rings[i].cpu == cpu)
			return sampler__open_one(s, &s->rings[i], -1, false, 0);
	return -ENODEV;
}

int sampler__open_cgroup(struct sampler *s, int cgroup_fd)
{
	int i, err;

	s->failed = SAMPLER_OP_NONE;
	for (i = 0; i < s->nr_cpus; i++) {
		err = sampler__open_one(s, &s->rings[i], cgroup_fd, false, PERF_FLAG_PID_CGROUP);
		if (err)
			return err;
	}
	return 0;
}

enum sampler_op sampler__failed_op(const struct sampler *s)
{
	return s->failed;
}

static int sampler__ioctl_all(struct sampler *s, unsigned long req)
{
	size_t i;

	for (i = 0; i < s->nr_fds; i++)
		if (ioctl(s->fds[i], req, 0))
			return -errno;
	return 0;
}

int sampler__enable(struct sampler *s)
{
	return sampler__ioctl_all(s, PERF_EVENT_IOC_ENABLE);
}

int sampler__disable(struct sampler *s)
{
	return sampler__ioctl_all(s, PERF_EVENT_IOC_DISABLE);
}

const int *sampler__cpus(const struct sampler *s, int *nr)
{
	*nr = s->nr_cpus;
	return s->cpus;
}

unsigned int sampler__freq(const struct sampler *s)
{
	return s->attrs[0].freq ? s->attrs[0].sample_freq : 0;
}

const struct perfrec_layout *sampler__layout(const struct sampler *s)
{
	return &s->layout;
}

int sampler__pollfds(const struct sampler *s, int *fds, int max)
{
	int i, n = 0;

	for (i = 0; i < s->nr_cpus && n < max; i++)
		if (s->rings[i].fd >= 0)
			fds[n++] = s->rings[i].fd;
	return n;
}

/*
 * Points r->next at the record at r->tail, copying it out if it wraps.
 * Returns false when the buffer holds no complete record.
 */
static bool ring__peek(struct ring *r, const struct perfrec_layout *l)
{
	uint64_t off, avail = r->head - r->tail, first;
	struct perf_event_header hdr;

	r->next = NULL;
	if (avail < sizeof(hdr))
		return false;
	off = r->tail & (r->size - 1);
	first = r->size - off;
	if (first >= sizeof(hdr)) {
		memcpy(&hdr, r->data + off, sizeof(hdr));
	} else {
		memcpy(&hdr, r->data + off, first);
		memcpy((uint8_t *)&hdr + first, r->data, sizeof(hdr) - first);
	}
	if (hdr.size < sizeof(hdr) || hdr.size > avail) {
		/* The kernel never writes this; drop the rest rather than loop. */
		r->tail = r->head;
		return false;
	}
	if (first >= hdr.size) {
		r->next = (const struct perf_event_header *)(r->data + off);
	} else {
		memcpy(r->scratch, r->data + off, first);
		memcpy(r->scratch + first, r->data, hdr.size - first);
		r->next = (const struct perf_event_header *)r->scratch;
	}
	r->next_time = perfrec__time(r->next, l);
	return true;
}

int sampler__drain(struct sampler *s, sampler_fn fn, void *ctx)
{
	struct ring *r, *min;
	int i, ret = 0;

	for (i = 0; i < s->nr_cpus; i++) {
		r = &s->rings[i];
		if (!r->meta)
			continue;
		/* Pairs with the kernel's write barrier before it publishes data_head. */
		r->head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
		r->tail = r->meta->data_tail;
		ring__peek(r, &s->layout);
	}
	for (;;) {
		min = NULL;
		for (i = 0; i < s->nr_cpus; i++) {
			r = &s->rings[i];
			if (r->next && (!min || r->next_time < min->next_time))
				min = r;
		}
		if (!min)
			break;
		ret = fn(ctx, min->next);
		if (ret)
			break;
		min->tail += min->next->size;
		ring__peek(min, &s->layout);
	}
	for (i = 0; i < s->nr_cpus; i++) {
		r = &s->rings[i];
		/* Our reads of the records must finish before the kernel may reuse the space. */
		if (r->meta)
			__atomic_store_n(&r->meta->data_tail, r->tail, __ATOMIC_RELEASE);
	}
	return ret;
}
