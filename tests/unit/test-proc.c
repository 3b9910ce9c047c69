// SPDX-License-Identifier: MIT
/* /proc/PID/maps parsing, the per-process map table, and raw perf records. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/cgroup.h"
#include "lib/proc.h"
#include "lib/perfrec.h"
#include "lib/sampler.h"

static int print_entry(void *ctx, const struct proc_maps_entry *e)
{
	fprintf(ctx, "%llx %llx %c%c%c %llx %02x:%02x %llu |%.*s|\n", (unsigned long long)e->start,
		(unsigned long long)e->end, e->prot & PROT_READ ? 'r' : '-',
		e->prot & PROT_WRITE ? 'w' : '-', e->prot & PROT_EXEC ? 'x' : '-',
		(unsigned long long)e->pgoff, e->maj, e->min, (unsigned long long)e->ino,
		(int)e->path_len, e->path);
	return 0;
}

static void test_maps_golden(void **state)
{
	size_t len;
	char *maps = golden_read("maps/maps.txt", &len),
	     *want = golden_read("maps/expected.txt", NULL);
	char *got = NULL;

	(void)state;
	CAPTURE(got, proc_maps__parse_mem(maps, len, print_entry, out));
	assert_string_equal(got, want);
	free(got);
	free(maps);
	free(want);
}

static void expect_map(struct procs *p, uint64_t addr, uint64_t start, uint64_t end, uint64_t pgoff,
		       uint32_t dso)
{
	const struct range *m = procs__find_map(p, 1, addr);

	if (!dso) {
		assert_null(m);
		return;
	}
	assert_non_null(m);
	assert_int_equal(m->start, start);
	assert_int_equal(m->end, end);
	assert_int_equal(m->off, pgoff);
	assert_int_equal(m->val, dso);
}

static void test_mmap_overlaps(void **state)
{
	struct procs *p = procs__new();

	(void)state;
	assert_int_equal(procs__mmap(p, 1, 0x1000, 0x3000, 0, 7), 0); /* [1000,4000) */
	assert_int_equal(procs__mmap(p, 1, 0x8000, 0x1000, 0, 8), 0);
	expect_map(p, 0x1000, 0x1000, 0x4000, 0, 7);
	expect_map(p, 0x3fff, 0x1000, 0x4000, 0, 7);
	expect_map(p, 0x4000, 0, 0, 0, 0);
	/* A new map in the middle splits the old one, keeping the tail's file offset right. */
	assert_int_equal(procs__mmap(p, 1, 0x2000, 0x1000, 0x100000, 9), 0);
	expect_map(p, 0x1800, 0x1000, 0x2000, 0, 7);
	expect_map(p, 0x2800, 0x2000, 0x3000, 0x100000, 9);
	expect_map(p, 0x3800, 0x3000, 0x4000, 0x2000, 7);
	/* One across several replaces them and trims the edges. */
	assert_int_equal(procs__mmap(p, 1, 0x1800, 0x2000, 0, 10), 0);
	expect_map(p, 0x1000, 0x1000, 0x1800, 0, 7);
	expect_map(p, 0x2000, 0x1800, 0x3800, 0, 10);
	expect_map(p, 0x3900, 0x3800, 0x4000, 0x2800, 7);
	expect_map(p, 0x8000, 0x8000, 0x9000, 0, 8);
	/* exec drops everything; a fork copies the parent's maps */
	assert_int_equal(procs__fork(p, 2, 1, 2, 1), 0);
	procs__exec(p, 1);
	expect_map(p, 0x8000, 0, 0, 0, 0);
	assert_non_null(procs__find_map(p, 2, 0x8000));
	procs__free(p);
}

static void test_comms(void **state)
{
	struct procs *p = procs__new();
	struct strtab *s = procs__strings(p);

	(void)state;
	assert_int_equal(procs__set_comm(p, 10, "server"), 0);
	assert_string_equal(strtab__str(s, procs__comm(p, 10, 10)), "server");
	/* a thread without its own name takes its process's */
	assert_string_equal(strtab__str(s, procs__comm(p, 10, 11)), "server");
	/* a new thread inherits its creator's name */
	assert_int_equal(procs__fork(p, 10, 10, 12, 10), 0);
	assert_int_equal(procs__set_comm(p, 10, "renamed"), 0);
	assert_string_equal(strtab__str(s, procs__comm(p, 10, 12)), "server");
	/* unknown: ":tid", as perf shows */
	assert_string_equal(strtab__str(s, procs__comm(p, 77, 78)), ":78");
	procs__free(p);
}

/* Builds a record in buf: header + the given u64 words. */
static struct perf_event_header *make_record(uint64_t *buf, uint32_t type, const uint64_t *words,
					     size_t n)
{
	struct perf_event_header *h = (struct perf_event_header *)buf;

	h->type = type;
	h->misc = 0;
	h->size = sizeof(*h) + n * 8;
	memcpy(buf + 1, words, n * 8);
	return h;
}

static void test_records_sample(void **state)
{
	const struct perfrec_layout l = {
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN,
		.sample_id_all = true,
	};
	uint64_t w[] = { 0x401000, 42ULL << 32 | 41,  123456789, 3,	  1000000,
			 3,	   PERF_CONTEXT_USER, 0x401000,	 0x401234 };
	uint64_t buf[32];
	struct perf_event_header *h = make_record(buf, PERF_RECORD_SAMPLE, w, 9);
	struct perfrec_sample s;

	(void)state;
	assert_int_equal(perfrec__parse_sample(h, &l, &s), 0);
	assert_int_equal(s.pid, 41);
	assert_int_equal(s.tid, 42);
	assert_int_equal(s.time, 123456789);
	assert_int_equal(s.cpu, 3);
	assert_int_equal(s.period, 1000000);
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.ips[2], 0x401234);
	assert_int_equal(perfrec__time(h, &l), 123456789);
	/* A callchain that claims more entries than the record holds is refused. */
	w[5] = 1000;
	h = make_record(buf, PERF_RECORD_SAMPLE, w, 9);
	assert_int_equal(perfrec__parse_sample(h, &l, &s), -EINVAL);
	/* So is a record cut short. */
	w[5] = 3;
	h = make_record(buf, PERF_RECORD_SAMPLE, w, 4);
	assert_int_equal(perfrec__parse_sample(h, &l, &s), -EINVAL);
}

static void test_records_side_band(void **state)
{
	const struct perfrec_layout l = {
		.sample_type =
		    PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU,
		.sample_id_all = true,
	};
	uint64_t buf[64], w[32];
	struct perf_event_header *h;
	struct perfrec_mmap m;
	struct perfrec_comm c;
	size_t n = 0;

	(void)state;
	/* MMAP2: pid/tid, addr, len, pgoff, maj/min, ino, ino_gen, prot/flags, name, id trailer */
	w[n++] = 7ULL << 32 | 7;
	w[n++] = 0x400000;
	w[n++] = 0x1000;
	w[n++] = 0x2000;
	w[n++] = 1ULL << 32 | 253;
	w[n++] = 4242;
	w[n++] = 0;
	w[n++] = (uint64_t)MAP_PRIVATE << 32 | (PROT_READ | PROT_EXEC);
	memcpy(&w[n], "/bin/app\0\0\0\0\0\0\0\0", 16);
	n += 2;
	w[n++] = 7ULL << 32 | 7; /* trailer: tid */
	w[n++] = 555;		 /* time */
	w[n++] = 1;		 /* cpu */
	h = make_record(buf, PERF_RECORD_MMAP2, w, n);
	assert_int_equal(perfrec__parse_mmap(h, &m), 0);
	assert_int_equal(m.pid, 7);
	assert_int_equal(m.addr, 0x400000);
	assert_int_equal(m.pgoff, 0x2000);
	assert_int_equal(m.maj, 253);
	assert_int_equal(m.min, 1);
	assert_int_equal(m.ino, 4242);
	assert_true(m.prot & PROT_EXEC);
	assert_string_equal(m.filename, "/bin/app");
	assert_int_equal(perfrec__time(h, &l), 555);

	/* COMM without a NUL inside the record is refused, not read past. */
	w[0] = 9ULL << 32 | 9;
	memcpy(&w[1], "abcdefgh", 8);
	h = make_record(buf, PERF_RECORD_COMM, w, 2);
	assert_int_equal(perfrec__parse_comm(h, &c), -EINVAL);
	memcpy(&w[1], "worker\0\0", 8);
	h = make_record(buf, PERF_RECORD_COMM, w, 2);
	assert_int_equal(perfrec__parse_comm(h, &c), 0);
	assert_string_equal(c.comm, "worker");
}

/* /proc/PID/status: the fields sear reads, a nested pid namespace, and what is missing. */
static void test_status(void **state)
{
	static const char nested[] = "Name:\tnode\nTgid:\t4242\nPid:\t4243\n"
				     "Uid:\t1000\t1001\t1000\t1000\nNStgid:\t4242\t17\t1\n"
				     "Seccomp:\t2\n";
	static const char plain[] = "Tgid:\t7\nNStgid:\t7\n"; /* no Uid, no Seccomp */
	struct proc_status st;

	(void)state;
	assert_int_equal(proc_status__parse_mem(nested, sizeof(nested) - 1, &st), 0);
	assert_int_equal(st.tgid, 4242);
	assert_int_equal(st.nstgid, 1);
	assert_int_equal(st.ns_depth, 3);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.euid, 1001);
	assert_int_equal(st.seccomp, 2);
	assert_int_equal(proc_status__parse_mem(plain, sizeof(plain) - 1, &st), 0);
	assert_int_equal(st.ns_depth, 1);
	assert_int_equal(st.uid, (uid_t)-1);
	assert_int_equal(st.seccomp, -1);
	/* No Tgid: not a status file. A number too long is no number. */
	assert_int_equal(proc_status__parse_mem("Pid:\t1\n", 7, &st), -EINVAL);
	assert_int_equal(proc_status__parse_mem("Tgid:\t12345678901\n", 18, &st), -EINVAL);
	assert_int_equal(proc_status__read(0, &st), 0);
	assert_int_equal(st.tgid, getpid());
}

/* /proc/PID/stat: fields past a comm that holds spaces and parentheses. */
static void test_stat_fields(void **state)
{
	static const char odd[] = "5 (a) b) c) S 1 5 5 0 -1 2097216 0 0 0 0 3 4 0 0 20 0 1 0 "
				  "18446744073709551615 1\n";
	unsigned long long v;

	(void)state;
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, PROC_STAT_FLAGS, &v), 0);
	assert_int_equal(v, 2097216);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 3, &v), -EINVAL); /* "S" */
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 4, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 15, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 8, &v), -EINVAL); /* "-1" */
	/* Starttime: 20 digits do not fit, and are refused rather than wrapped. */
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 21, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, PROC_STAT_STARTTIME, &v),
			 -EINVAL);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 23, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 24, &v), -EINVAL);
	assert_int_equal(proc_stat__field_mem("5 (a) S 1", 9, PROC_STAT_FLAGS, &v), -EINVAL);
	assert_int_equal(proc_stat__field_mem("no paren", 8, PROC_STAT_FLAGS, &v), -EINVAL);
	assert_int_equal(proc_stat__field_mem(odd, sizeof(odd) - 1, 2, &v), -EINVAL);
}

/* The start of a process just forked: between before and after, to the clock tick. */
static void test_start_time(void **state)
{
	struct timespec a, b;
	int64_t t, lo, hi;
	pid_t pid;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &a);
	pid = fork();
	if (!pid) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	t = proc__start_time_ns(pid);
	clock_gettime(CLOCK_REALTIME, &b);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	lo = a.tv_sec * 1000000000LL + a.tv_nsec - 20000000;
	hi = b.tv_sec * 1000000000LL + b.tv_nsec + 20000000;
	assert_true(t >= lo && t <= hi);
	assert_int_equal(proc__start_time_ns(pid), 0);
}

static void test_cpulist(void **state)
{
	int *cpus = NULL, n;

	(void)state;
	n = cpulist__parse_mem("0-3,8,10-11\n", 12, &cpus);
	assert_int_equal(n, 7);
	assert_int_equal(cpus[4], 8);
	assert_int_equal(cpus[6], 11);
	free(cpus);
	assert_int_equal(cpulist__parse_mem("3-1", 3, &cpus), -EINVAL);
	assert_int_equal(cpulist__parse_mem("1,x", 3, &cpus), -EINVAL);
	assert_int_equal(cpulist__parse_mem("0-16383,0-1", 11, &cpus), -EINVAL); /* too many */
	assert_int_equal(cpulist__parse_mem("99999999", 8, &cpus), -EINVAL);
}

/* /proc/PID/cgroup: a container id, or a namespaced process's cgroup, or nothing. */
static void test_cgroup_label(void **state)
{
	static const char docker[] =
	    "0::/system.slice/docker-"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    ".scope\n";
	static const char ns[] = "12:pids:/x\n0::/user.slice/session-2.scope\n";
	static const char mounts[] = "22 28 0:21 / /proc rw - proc proc rw\n"
				     "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";
	char out[65], mnt[64];

	(void)state;
	assert_true(cgroup__container_of_mem(docker, sizeof(docker) - 1, true, out, sizeof(out)));
	assert_string_equal(out,
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_false(cgroup__container_of_mem(ns, sizeof(ns) - 1, true, out, sizeof(out)));
	assert_true(cgroup__container_of_mem(ns, sizeof(ns) - 1, false, out, sizeof(out)));
	assert_string_equal(out, "session-2.scope");
	assert_true(cgroup__engine_of_mem(docker, sizeof(docker) - 1));
	assert_false(cgroup__engine_of_mem(ns, sizeof(ns) - 1));
	assert_int_equal(cgroup__mount_of_mem(mounts, sizeof(mounts) - 1, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_int_equal(cgroup__mount_of_mem(mounts, 30, mnt, sizeof(mnt)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_golden),
		cmocka_unit_test(test_mmap_overlaps),
		cmocka_unit_test(test_comms),
		cmocka_unit_test(test_records_sample),
		cmocka_unit_test(test_records_side_band),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_stat_fields),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_cgroup_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
