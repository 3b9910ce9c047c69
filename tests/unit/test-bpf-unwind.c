// SPDX-License-Identifier: MIT
/*
 * The in-kernel unwinder end to end, without the rest of sear's pipeline:
 * start a bundled workload, read its mappings from /proc/PID/maps, load a
 * table per module from the files' .eh_frame, sample it with cpu-clock
 * events carrying the BPF program, and check the shapes of the stacks.
 *
 * Exits 77 (skip) only when BPF or perf_event_open is not permitted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/bpf_unwind.h"
#include "lib/ehframe.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/perfrec.h"
#include "lib/sampler.h"
#include "symbolizer/symtab.h"

#define SECONDS	    2.5
#define MAX_MODULES 64

/* A file mapped by the workload, its symbols and its table. */
struct module {
	char path[512];
	struct symtab *syms;
	uint32_t table_id;
	size_t rows;
};

/* One executable mapping. */
struct mapping {
	uint64_t start, end;
	int64_t bias;
	struct module *mod; /* NULL: anonymous ([vdso], JIT) */
};

struct sample {
	pid_t pid, tid;
	uint64_t time;
	uint32_t flags, nk, nu;
	uint64_t ips[BPF_UNWIND_MAX_KERNEL + BPF_UNWIND_MAX_USER];
};

struct run {
	struct bpf_unwind *u;
	pid_t pid;
	struct module mods[MAX_MODULES];
	int nr_mods;
	struct mapping maps[256];
	int nr_maps;
	struct sample *samples;
	size_t nr, cap;
	uint64_t t_start, t_end;
	uint64_t perf_samples, exit_time, last_sample_time;
	pid_t tids[16]; /* the threads there were at attach time */
	int nr_tids;
	const struct perfrec_layout *layout;
};

static struct symtab *kallsyms;

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static char *read_all(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	assert_non_null(buf);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	*len = n;
	return buf;
}

static struct module *module_get(struct run *r, const char *path, size_t len)
{
	struct symtab_section hdr, eh;
	struct ehframe_table *t;
	const struct unwind_row *rows;
	struct module *m;
	int64_t vmo;
	int fd, i;

	for (i = 0; i < r->nr_mods; i++)
		if (strlen(r->mods[i].path) == len && !memcmp(r->mods[i].path, path, len))
			return &r->mods[i];
	assert_true(r->nr_mods < MAX_MODULES && len < sizeof(m->path));
	m = &r->mods[r->nr_mods++];
	memcpy(m->path, path, len);
	m->path[len] = '\0';
	m->table_id = BPF_UNWIND_NO_TABLE;
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s", m->path);
	m->syms = symtab__new_elf_fd(fd, SYMTAB_UNWIND);
	close(fd);
	assert_non_null(m->syms);
	if (symtab__unwind_tables(m->syms, &hdr, &eh, &vmo) || !eh.data)
		return m;
	t = ehframe_table__new_mem(eh.data, eh.size, &(struct ehframe_opts){ .vaddr = eh.vaddr });
	assert_non_null(t);
	rows = ehframe_table__rows(t, &m->rows);
	assert_int_equal(
	    bpf_unwind__add_table(r->u, rows, m->rows, ehframe_table__base(t), &m->table_id), 0);
	ehframe_table__free(t);
	return m;
}

static int maps_cb(void *ctx, const struct proc_maps_entry *e)
{
	struct run *r = ctx;
	struct mapping *m;
	uint64_t vaddr;

	if (!(e->prot & PROT_EXEC))
		return 0;
	assert_true(r->nr_maps < (int)(sizeof(r->maps) / sizeof(r->maps[0])));
	m = &r->maps[r->nr_maps++];
	*m = (struct mapping){ e->start, e->end, 0, NULL };
	if (e->path_len && e->path[0] == '/') {
		m->mod = module_get(r, e->path, e->path_len);
		if (!symtab__file_to_vaddr(m->mod->syms, e->pgoff, &vaddr))
			m->bias = (int64_t)(e->start - vaddr);
	}
	assert_int_equal(bpf_unwind__map(r->u, r->pid, e->start, e->end, m->bias,
					 m->mod ? m->mod->table_id : BPF_UNWIND_NO_TABLE),
			 0);
	return 0;
}

static const struct mapping *mapping_of(const struct run *r, uint64_t ip)
{
	int i;

	for (i = 0; i < r->nr_maps; i++)
		if (ip >= r->maps[i].start && ip < r->maps[i].end)
			return &r->maps[i];
	return NULL;
}

/* The name of the function at a user ip (a return address for i > 0). */
static const char *user_name(const struct run *r, const struct sample *s, uint32_t i)
{
	uint64_t ip = s->ips[s->nk + i] - (i ? 1 : 0);
	const struct mapping *m = mapping_of(r, ip);
	const char *name;

	if (!m || !m->mod)
		return "[unknown]";
	name = symtab__lookup(m->mod->syms, ip - m->bias, NULL);
	return name ? name : "[unknown]";
}

static const char *user_module(const struct run *r, const struct sample *s, uint32_t i)
{
	const struct mapping *m = mapping_of(r, s->ips[s->nk + i] - (i ? 1 : 0));

	return m && m->mod ? m->mod->path : "";
}

static int sample_cb(void *ctx, const struct bpf_unwind_sample *bs)
{
	struct run *r = ctx;
	struct sample *s;

	if (bs->pid != r->pid)
		return 0;
	if (r->nr == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->samples = realloc(r->samples, r->cap * sizeof(*r->samples));
		assert_non_null(r->samples);
	}
	s = &r->samples[r->nr++];
	s->pid = bs->pid;
	s->tid = bs->tid;
	s->time = bs->time;
	s->flags = bs->flags;
	s->nk = bs->nr_kernel;
	s->nu = bs->nr_user;
	assert_true(s->nk <= BPF_UNWIND_MAX_KERNEL && s->nu <= BPF_UNWIND_MAX_USER);
	memcpy(s->ips, bs->ips, (s->nk + s->nu) * sizeof(uint64_t));
	if (s->time > r->last_sample_time)
		r->last_sample_time = s->time;
	return 0;
}

static int perf_cb(void *ctx, const struct perf_event_header *hdr)
{
	struct run *r = ctx;

	if (hdr->type == PERF_RECORD_SAMPLE)
		r->perf_samples++;
	if (hdr->type == PERF_RECORD_EXIT)
		r->exit_time = perfrec__time(hdr, r->layout);
	return 0;
}

static void run_drain(struct run *r, struct sampler *s)
{
	assert_true(bpf_unwind__drain(r->u, sample_cb, r) >= 0);
	assert_int_equal(sampler__drain(s, perf_cb, r), 0);
}

/*
 * Runs a workload under the BPF unwinder and collects its samples. One
 * sampler per thread: sampler__pollfds() names a sampler's ring owners, one
 * per CPU, and with one task per sampler those are all its events.
 */
static void run_workload(struct run *r, const char *path, const char *arg)
{
	struct sampler_opts so = { 0 };
	struct sampler *s[16];
	char buf[64], exe[512], *maps;
	int fds[256], nr_s = 0, n, i, j, status;
	struct dirent *de;
	size_t len;
	ssize_t el;
	uint64_t until;
	DIR *d;

	memset(r, 0, sizeof(*r));
	r->u = bpf_unwind__new(NULL);
	assert_non_null(r->u);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (!r->pid) {
		/* the workloads take [MODE] SECONDS */
		if (arg)
			execl(path, path, arg, "30", (char *)NULL);
		else
			execl(path, path, "30", (char *)NULL);
		_exit(127);
	}
	/* Wait for exec, for the dynamic loader to map the libraries and for threads. */
	snprintf(buf, sizeof(buf), "/proc/%d/exe", r->pid);
	for (i = 0; i < 200; i++) {
		el = readlink(buf, exe, sizeof(exe) - 1);
		if (el > 0 && (size_t)el == strlen(path) && !memcmp(exe, path, el))
			break;
		usleep(10000);
	}
	usleep(200000);
	snprintf(buf, sizeof(buf), "/proc/%d/maps", r->pid);
	maps = read_all(buf, &len);
	assert_int_equal(proc_maps__parse_mem(maps, len, maps_cb, r), 0);
	free(maps);

	so.events[0].type = PERF_TYPE_SOFTWARE;
	so.events[0].config = PERF_COUNT_SW_CPU_CLOCK;
	so.nr_events = 1;
	so.freq = 999;
	so.exclude_callchain_user = true;
	/* Threads that exist already: inherit covers only those created later. */
	snprintf(buf, sizeof(buf), "/proc/%d/task", r->pid);
	d = opendir(buf);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		assert_true(nr_s < 16);
		r->tids[r->nr_tids++] = atoi(de->d_name);
		s[nr_s] = sampler__new(&so);
		assert_non_null(s[nr_s]);
		r->layout = sampler__layout(s[nr_s]);
		assert_int_equal(sampler__open_task(s[nr_s], atoi(de->d_name), true), 0);
		n = sampler__pollfds(s[nr_s], fds, 256);
		assert_true(n > 0);
		for (i = 0; i < n; i++)
			assert_int_equal(bpf_unwind__attach(r->u, fds[i]), 0);
		nr_s++;
	}
	closedir(d);
	r->t_start = mono_ns();
	for (j = 0; j < nr_s; j++)
		assert_int_equal(sampler__enable(s[j]), 0);
	until = r->t_start + (uint64_t)(SECONDS * 1e9);
	while (mono_ns() < until) {
		struct pollfd p = { bpf_unwind__fd(r->u), POLLIN, 0 };

		poll(&p, 1, 100);
		for (j = 0; j < nr_s; j++)
			run_drain(r, s[j]);
		/*
		 * New code mappings (a JIT's): sear learns them from MMAP2 records;
		 * here /proc/PID/maps is read again.
		 */
		r->nr_maps = 0;
		snprintf(buf, sizeof(buf), "/proc/%d/maps", r->pid);
		maps = read_all(buf, &len);
		assert_int_equal(proc_maps__parse_mem(maps, len, maps_cb, r), 0);
		free(maps);
	}
	kill(r->pid, SIGKILL);
	assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
	usleep(20000);
	for (j = 0; j < nr_s; j++)
		run_drain(r, s[j]);
	r->t_end = mono_ns();
	for (j = 0; j < nr_s; j++)
		sampler__free(s[j]);
}

static void run_free(struct run *r)
{
	struct bpf_unwind_stats st;
	int i;

	bpf_unwind__stats(r->u, &st);
	print_message(
	    "samples %llu kept %zu drops %llu truncated %llu fp %llu cfi %llu rows %llu\n",
	    (unsigned long long)st.samples, r->nr, (unsigned long long)st.drops,
	    (unsigned long long)st.truncated, (unsigned long long)st.fp_steps,
	    (unsigned long long)st.cfi_steps, (unsigned long long)st.rows);
	assert_int_equal(st.drops, 0);
	for (i = 0; i < r->nr_mods; i++)
		symtab__free(r->mods[i].syms);
	bpf_unwind__free(r->u);
	free(r->samples);
}

static void print_sample(const struct run *r, const struct sample *s)
{
	uint32_t i;

	print_message("  sample tid %d flags %#x nk %u nu %u:", s->tid, s->flags, s->nk, s->nu);
	for (i = 0; i < s->nu; i++)
		print_message(" %s", user_name(r, s, i));
	print_message("\n");
}

/* The index of the first user frame named name at or after from, or -1. */
static int find_frame(const struct run *r, const struct sample *s, uint32_t from, const char *name)
{
	uint32_t i;

	for (i = from; i < s->nu; i++)
		if (!strcmp(user_name(r, s, i), name))
			return i;
	return -1;
}

/* Every run: sample times on the perf events' clock, and no perf samples of its own. */
static void check_common(const struct run *r)
{
	size_t i;

	assert_true(r->nr >= 200);
	assert_int_equal(r->perf_samples, 0);
	for (i = 0; i < r->nr; i++) {
		assert_true(r->samples[i].time >= r->t_start);
		assert_true(r->samples[i].time <= r->t_end);
	}
	/*
	 * The EXIT record comes from perf with use_clockid/CLOCK_MONOTONIC: it must
	 * sort after every BPF sample (bpf_ktime_get_ns) and before now.
	 */
	assert_true(r->exit_time != 0);
	assert_true(r->exit_time >= r->last_sample_time);
	assert_true(r->exit_time <= r->t_end);
}

static void expect_share(const char *what, size_t good, size_t total, double min)
{
	print_message("%s: %zu of %zu\n", what, good, total);
	assert_true(total >= 100);
	if (good < min * total)
		fail_msg("%s: %zu of %zu samples (%.1f%%), want %.0f%%", what, good, total,
			 100.0 * good / total, 100 * min);
}

static void test_qsort_callback(void **state)
{
	struct run r;
	size_t i, total = 0, good = 0, shown = 0;

	(void)state;
	run_workload(&r, WL_QSORT, NULL);
	check_common(&r);
	for (i = 0; i < r.nr; i++) {
		const struct sample *s = &r.samples[i];
		int sr, m;

		if (!s->nu || strcmp(user_name(&r, s, 0), "cmp_keys"))
			continue;
		total++;
		/* cmp_keys <- glibc's qsort internals <- sort_round <- main */
		sr = find_frame(&r, s, 1, "sort_round");
		m = sr > 0 ? find_frame(&r, s, sr + 1, "main") : -1;
		if (sr >= 2 && strstr(user_module(&r, s, 1), "libc.so") && m > sr &&
		    !(s->flags & BPF_UNWIND_F_TRUNCATED))
			good++;
		else if (shown++ < 5)
			print_sample(&r, s);
	}
	expect_share("cmp_keys samples with qsort, sort_round and main", good, total, 0.9);
	run_free(&r);
}

static void test_recursion(void **state)
{
	struct run r;
	size_t i, total = 0, good = 0, shown = 0;

	(void)state;
	run_workload(&r, WL_RECURSE, "recurse");
	check_common(&r);
	for (i = 0; i < r.nr; i++) {
		const struct sample *s = &r.samples[i];
		uint32_t j, depth = 0;

		if (!s->nu || strcmp(user_name(&r, s, 0), "spin"))
			continue;
		total++;
		for (j = 1; j < s->nu; j++)
			depth += !strcmp(user_name(&r, s, j), "recurse");
		/* recurse(40) .. recurse(1); recurse(0) tail-calls spin */
		if (depth >= 40 && find_frame(&r, s, 1, "main") > 40 &&
		    !(s->flags & BPF_UNWIND_F_TRUNCATED))
			good++;
		else if (shown++ < 5)
			print_sample(&r, s);
	}
	expect_share("spin samples under 40 recurse frames and main", good, total, 0.9);
	run_free(&r);
}

static void test_cxx_exceptions(void **state)
{
	struct run r;
	size_t i, total = 0, good = 0, shown = 0, eh = 0, eh_good = 0;

	(void)state;
	run_workload(&r, WL_CXX, NULL);
	check_common(&r);
	for (i = 0; i < r.nr; i++) {
		const struct sample *s = &r.samples[i];

		if (!s->nu)
			continue;
		total++;
		bool ok = find_frame(&r, s, 0, "main") >= 0 && !(s->flags & BPF_UNWIND_F_TRUNCATED);
		bool in_eh = false;
		uint32_t j;

		if (ok)
			good++;
		else if (shown++ < 5)
			print_sample(&r, s);
		/* In the throw: the C++ runtime and libgcc's unwinder, with their own CFI. */
		for (j = 0; j < s->nu; j++)
			in_eh |= strstr(user_module(&r, s, j), "libgcc_s") ||
				 strstr(user_module(&r, s, j), "libstdc++");
		eh += in_eh;
		eh_good += in_eh && ok;
	}
	expect_share("C++ samples that reach main", good, total, 0.9);
	expect_share("samples in the exception path that reach main", eh_good, eh, 0.9);
	run_free(&r);
}

static void test_kernel_and_user(void **state)
{
	struct run r;
	size_t i, total = 0, good = 0, shown = 0;

	(void)state;
	run_workload(&r, WL_SYSCALL, NULL);
	check_common(&r);
	for (i = 0; i < r.nr; i++) {
		const struct sample *s = &r.samples[i];
		bool kread = false;
		uint32_t j;
		int rz, kl;

		if (s->tid == s->pid || !(s->flags & BPF_UNWIND_F_KERNEL))
			continue;
		total++;
		for (j = 0; j < s->nk; j++) {
			const char *k = symtab__lookup(kallsyms, s->ips[j], NULL);

			assert_true(s->ips[j] >= 0xffff800000000000ULL);
			kread |= k && strstr(k, "read");
		}
		/* read() in libc <- read_zero <- kernel_loop <- start_thread <- clone3 */
		rz = find_frame(&r, s, 0, "read_zero");
		kl = rz >= 0 ? find_frame(&r, s, rz + 1, "kernel_loop") : -1;
		if (s->nk > 2 && kread && rz >= 1 && kl > rz && kl + 1 < (int)s->nu &&
		    !(s->flags & BPF_UNWIND_F_TRUNCATED))
			good++;
		else if (shown++ < 5)
			print_sample(&r, s);
	}
	expect_share("kernel-mode samples with kernel frames and the whole user stack", good, total,
		     0.9);
	/* The thread starts 0.8 s in: normally after the attach, so through inherited events. */
	print_message("the thread %s\n",
		      r.nr_tids == 1 ? "inherited the program" : "existed at attach time");
	run_free(&r);
}

/*
 * Node: V8's JIT code has no CFI and its builtins sit in node's .text with
 * no FDE, so the walk mixes frame-pointer steps (JS frames, builtins) with
 * CFI steps (node's C++ and libc); samples in JIT code must get back to
 * node::Start (main tail-calls it) and end at _start.
 */
static void test_node_jit(void **state)
{
	struct run r;
	size_t i, total = 0, good = 0, shown = 0;

	(void)state;
	if (access("/usr/bin/node", X_OK)) {
		print_message("no /usr/bin/node\n");
		skip();
	}
	run_workload(&r, "/usr/bin/node", WL_HOT_JS);
	check_common(&r);
	for (i = 0; i < r.nr; i++) {
		const struct sample *s = &r.samples[i];
		const struct mapping *m;

		if (!s->nu || !(m = mapping_of(&r, s->ips[s->nk])) || m->mod)
			continue; /* not in JIT code */
		total++;
		if (find_frame(&r, s, 1, "_ZN4node5StartEiPPc") > 0 &&
		    !(s->flags & BPF_UNWIND_F_TRUNCATED))
			good++;
		else if (shown++ < 5)
			print_sample(&r, s);
	}
	expect_share("samples in JIT code that reach node::Start", good, total, 0.9);
	run_free(&r);
}

/* The table and mapping bookkeeping, at its limits (no sampling). */
static void test_limits(void **state)
{
	struct bpf_unwind_opts o = { .max_rows = 64, .max_pids = 2, .maps_per_pid = 3 };
	struct unwind_row rows[40],
	    unsorted[2] = { { 8, UNWIND_CFA_RSP | 1 << 3, 0 }, { 4, UNWIND_CFA_GAP, 0 } };
	struct bpf_unwind *u = bpf_unwind__new(&o);
	struct bpf_unwind_stats st;
	uint32_t a, b, c;
	int i;

	(void)state;
	assert_non_null(u);
	for (i = 0; i < 40; i++)
		rows[i] = (struct unwind_row){ i * 16, UNWIND_CFA_RSP | 1 << 3, 0 };
	assert_int_equal(bpf_unwind__add_table(u, rows, 40, 0x1000, &a), 0);
	assert_int_equal(bpf_unwind__add_table(u, rows, 0, 0, &b), 0); /* empty: FP only */
	assert_int_not_equal(a, b);
	/* the pool holds 64 rows: 40 more do not fit, and that is counted */
	assert_int_equal(bpf_unwind__add_table(u, rows, 40, 0x1000, &c), -ENOSPC);
	assert_int_equal(bpf_unwind__add_table(u, unsorted, 2, 0, &c), -EINVAL);
	bpf_unwind__stats(u, &st);
	assert_int_equal(st.pool_full, 1);
	assert_int_equal(st.rows, 40);

	assert_int_equal(bpf_unwind__map(u, 100, 0x1000, 0x2000, 0, a), 0);
	assert_int_equal(bpf_unwind__map(u, 100, 0x3000, 0x4000, 0, BPF_UNWIND_NO_TABLE), 0);
	assert_int_equal(bpf_unwind__map(u, 100, 0x5000, 0x4000, 0, a), -EINVAL);
	assert_int_equal(bpf_unwind__map(u, 100, 0x5000, 0x6000, 0, 99), -EINVAL);
	/* a mapping in the middle splits another: 4 ranges, one past maps_per_pid */
	assert_int_equal(bpf_unwind__map(u, 100, 0x5000, 0x6000, 0, b), 0);
	assert_int_equal(bpf_unwind__map(u, 100, 0x1400, 0x1800, 0, b), -E2BIG);
	/* two processes at most; a child takes a copy, exit frees the room */
	assert_int_equal(bpf_unwind__fork(u, 101, 100), 0);
	assert_int_equal(bpf_unwind__map(u, 102, 0x1000, 0x2000, 0, a), -ENOSPC);
	assert_int_equal(bpf_unwind__exec(u, 101), 0);
	assert_int_equal(bpf_unwind__exit(u, 100), 0);
	assert_int_equal(bpf_unwind__map(u, 102, 0x1000, 0x2000, 0, a), 0);
	assert_int_equal(bpf_unwind__fork(u, 103, 999), 0); /* unknown parent: nothing to copy */
	assert_int_equal(bpf_unwind__exit(u, 999), 0);
	assert_true(bpf_unwind__fd(u) >= 0);
	bpf_unwind__free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qsort_callback), cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_cxx_exceptions), cmocka_unit_test(test_kernel_and_user),
		cmocka_unit_test(test_node_jit),       cmocka_unit_test(test_limits),
	};
	struct bpf_unwind *u;
	char *ksyms;
	size_t len;

	u = bpf_unwind__new(NULL);
	if (!u && (errno == EPERM || errno == ENOTSUP || errno == EACCES)) {
		fprintf(stderr, "skip: BPF not available: %s\n", strerror(errno));
		return 77;
	}
	if (!u) {
		fprintf(stderr, "bpf_unwind__new: %s\n", strerror(errno));
		return 1;
	}
	bpf_unwind__free(u);
	ksyms = read_all("/proc/kallsyms", &len);
	kallsyms = symtab__new_kallsyms_mem(ksyms, len);
	free(ksyms);
	if (!kallsyms)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
