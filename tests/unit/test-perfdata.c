// SPDX-License-Identifier: MIT
/*
 * The perf.data parser and the session, on small files of perf record's
 * (tests/golden/perfdata: -g, --call-graph dwarf, two events): every
 * record as the parser hands it on, and the stacks the session makes of
 * them, against golden text. The symbolizer reads the recorded binaries
 * from tests/golden/perfdata/symfs (perf's --symfs) and the kernel's
 * symbols from a stand-in, so the goldens hold on any machine; libc is
 * not there, and shows as [libc.so.6].
 */
#include <errno.h>

#include "check.h"
#include "flamegraph/flame.h"
#include "lib/perfdata.h"
#include "pipeline/session.h"

static const char kallsyms[] = "ffffffff81000000 T _stext\nffffffffff000000 T _end_of_text\n";

/* Every record, one line each. */
static int dump_sample(void *ctx, const struct perfrec_sample *s)
{
	uint64_t i;

	fprintf(ctx, "sample pid %u tid %u time %llu cpu %u period %llu id %llu misc %u chain",
		s->pid, s->tid, (unsigned long long)s->time, s->cpu, (unsigned long long)s->period,
		(unsigned long long)s->id, s->misc);
	for (i = 0; i < s->nr; i++)
		fprintf(ctx, " %llx", (unsigned long long)s->ips[i]);
	fprintf(ctx, " regs %llu stack %llu/%llu\n", (unsigned long long)s->nr_regs,
		(unsigned long long)s->stack_dyn, (unsigned long long)s->stack_size);
	return 0;
}

static int dump_mmap(void *ctx, const struct perfrec_mmap *m)
{
	fprintf(ctx, "mmap pid %u tid %u %llx+%llx pgoff %llx prot %u %s\n", m->pid, m->tid,
		(unsigned long long)m->addr, (unsigned long long)m->len,
		(unsigned long long)m->pgoff, m->prot, m->filename);
	return 0;
}

static int dump_comm(void *ctx, const struct perfrec_comm *c)
{
	fprintf(ctx, "comm pid %u tid %u exec %d %s\n", c->pid, c->tid, c->exec, c->comm);
	return 0;
}

static int dump_fork(void *ctx, const struct perfrec_task *t)
{
	fprintf(ctx, "fork pid %u ppid %u tid %u ptid %u time %llu\n", t->pid, t->ppid, t->tid,
		t->ptid, (unsigned long long)t->time);
	return 0;
}

static int dump_exit(void *ctx, const struct perfrec_task *t)
{
	fprintf(ctx, "exit pid %u tid %u time %llu\n", t->pid, t->tid, (unsigned long long)t->time);
	return 0;
}

static int dump_lost(void *ctx, uint64_t lost)
{
	fprintf(ctx, "lost %llu\n", (unsigned long long)lost);
	return 0;
}

static const struct perf_tool dump_tool = {
	.sample = dump_sample,
	.mmap = dump_mmap,
	.comm = dump_comm,
	.fork = dump_fork,
	.exit = dump_exit,
	.lost = dump_lost,
};

static void test_records(const char *name)
{
	char rel[256], golden[256], *text = NULL;
	size_t len;
	char *buf;
	struct perfdata *pd;
	int i;

	snprintf(rel, sizeof(rel), "perfdata/%s.data", name);
	snprintf(golden, sizeof(golden), "perfdata/%s.records", name);
	buf = golden_read(rel, &len);
	pd = perfdata__open_mem(buf, len, rel);
	assert_non_null(pd);
	CAPTURE(text, {
		fprintf(out, "events");
		for (i = 0; i < perfdata__nr_events(pd); i++)
			fprintf(out, " %s", perfdata__event_name(pd, i));
		fprintf(out, "\n");
		assert_int_equal(perfdata__process(pd, &dump_tool, out), 0);
	});
	assert_int_equal(perfdata__stats(pd)->bad_records, 0);
	assert_int_equal(perfdata__stats(pd)->cut_bytes, 0);
	assert_false(perfdata__stats(pd)->no_size);
	golden_check(golden, text);
	free(text);
	perfdata__free(pd);
	free(buf);
}

static int add_stack(void *ctx, const struct stack_names *n, uint64_t count)
{
	return flame__add(ctx, n->names, n->kinds, n->nr, count);
}

static int event_of(const void *ctx, uint64_t id)
{
	return perfdata__event_of(ctx, id);
}

/* Folded text of the session's stacks, by both ways out of it; they must agree. */
static char *session_folded(const char *buf, size_t len, const char *name,
			    enum session_unwind unwind, uint64_t *samples)
{
	struct symbolizer_opts so = { .offline = true, .unwind_tables = true };
	struct session_opts opts = { .unwind = unwind };
	struct perfdata *pd = perfdata__open_mem(buf, len, name);
	struct symbolizer *sym;
	struct session *s;
	struct flame *each = flame__new(), *fold = flame__new();
	const char *events[8];
	char *a = NULL, *b = NULL;
	int i;

	assert_non_null(pd);
	so.symfs = SEAR_GOLDEN_DIR "/perfdata/symfs";
	sym = symbolizer__new(&so);
	s = session__new(sym, &opts);
	assert_non_null(s);
	assert_true(symbolizer__load_kernel(sym, kallsyms, sizeof(kallsyms) - 1) > 0);
	for (i = 0; i < perfdata__nr_events(pd) && i < 8; i++)
		events[i] = perfdata__event_name(pd, i);
	session__set_layout(s, perfdata__layout(pd));
	session__set_events(s, events, i, event_of, pd);
	assert_int_equal(perfdata__process(pd, session__tool(), s), 0);
	assert_int_equal(session__stats(s)->bad_records, 0);
	*samples = session__stats(s)->samples;
	assert_int_equal(session__for_each_stack(s, add_stack, each), 0);
	assert_int_equal(session__fold(s, fold), 0);
	CAPTURE(a, assert_int_equal(flame__write_folded(each, out, 1), 0));
	CAPTURE(b, assert_int_equal(flame__write_folded(fold, out, 1), 0));
	assert_string_equal(a, b);
	free(b);
	flame__free(each);
	flame__free(fold);
	session__free(s);
	symbolizer__free(sym);
	perfdata__free(pd);
	return a;
}

static void test_stacks(const char *name, enum session_unwind unwind, uint64_t want_samples)
{
	char rel[256], golden[256], *buf, *text;
	uint64_t samples;
	size_t len;

	snprintf(rel, sizeof(rel), "perfdata/%s.data", name);
	snprintf(golden, sizeof(golden), "perfdata/%s.folded", name);
	buf = golden_read(rel, &len);
	text = session_folded(buf, len, rel, unwind, &samples);
	assert_int_equal(samples, want_samples);
	golden_check(golden, text);
	free(text);
	free(buf);
}

static void test_fp(void **state)
{
	(void)state;
	test_records("fp");
	test_stacks("fp", SESSION_UNWIND_NONE, 121);
}

static void test_dwarf(void **state)
{
	(void)state;
	test_records("dwarf");
	test_stacks("dwarf", SESSION_UNWIND_DWARF, 57);
}

static void test_events(void **state)
{
	(void)state;
	test_records("events");
	test_stacks("events", SESSION_UNWIND_NONE, 128);
}

/* perf killed with SIGKILL leaves the data size 0: every record is still read. */
static void test_killed(void **state)
{
	size_t len;
	char *buf = golden_read("perfdata/fp.data", &len), *text;
	uint64_t zero = 0, samples;
	struct perfdata *pd;

	(void)state;
	memcpy(buf + 48, &zero, 8);
	pd = perfdata__open_mem(buf, len, "killed.data");
	assert_non_null(pd);
	assert_true(perfdata__stats(pd)->no_size);
	perfdata__free(pd);
	text = session_folded(buf, len, "killed.data", SESSION_UNWIND_NONE, &samples);
	assert_int_equal(samples, 121);
	free(text);
	free(buf);
}

/* Cut anywhere: a clear refusal, or the records before the cut and their count. */
static void test_every_cut(void **state)
{
	size_t len, cut, step;
	char *buf = golden_read("perfdata/fp.data", &len);

	(void)state;
	step = len / 97 + 1;
	for (cut = 0; cut < len; cut += cut < 4096 ? 1 : step) {
		char *copy = malloc(cut ? cut : 1);
		struct perfdata *pd;

		memcpy(copy, buf, cut);
		last_log__capture();
		pd = perfdata__open_mem(copy, cut, "cut.data");
		if (pd) {
			FILE *null = fopen("/dev/null", "w");

			assert_int_equal(perfdata__process(pd, &dump_tool, null), 0);
			fclose(null);
			perfdata__free(pd);
		} else {
			assert_true(errno == EINVAL || errno == EIO);
			assert_true(!strncmp(last_log, "cannot read 'cut.data': ", 24));
		}
		free(copy);
	}
	free(buf);
}

struct order {
	uint64_t last, samples, backwards;
	uint32_t cpus; /* a bit per CPU seen */
};

static int order_sample(void *ctx, const struct perfrec_sample *s)
{
	struct order *o = ctx;

	o->backwards += s->time < o->last;
	o->last = s->time;
	o->samples++;
	o->cpus |= 1u << (s->cpu & 31);
	return 0;
}

/*
 * Two threads on two CPUs (perf record --sample-cpu): the file holds each
 * CPU's buffer in turn, so about half its samples come earlier than the
 * one before them (142 of 294). They reach the tool in time order, all of them.
 */
static void test_time_order(void **state)
{
	static const struct perf_tool order_tool = { .sample = order_sample };
	struct order o = { 0 };
	size_t len;
	char *buf = golden_read("perfdata/twocpu.data", &len);
	struct perfdata *pd = perfdata__open_mem(buf, len, "twocpu.data");

	(void)state;
	assert_non_null(pd);
	assert_int_equal(perfdata__process(pd, &order_tool, &o), 0);
	assert_int_equal(o.samples, 294);
	assert_int_equal(o.cpus, 3);
	assert_int_equal(o.backwards, 0);
	perfdata__free(pd);
	free(buf);
}

static void test_not_perfdata(void **state)
{
	(void)state;
	last_log__capture();
	assert_null(perfdata__open_mem("SEAR\0REC", 8, "x"));
	assert_string_equal(last_log, "cannot read 'x': not a perf.data file");
	assert_null(perfdata__open_mem("PERFILE2\x10\0\0\0\0\0\0\0", 16, "x"));
	assert_string_equal(last_log,
			    "cannot read 'x': perf.data written to a pipe (perf record -o "
			    "-) is not supported: record to a file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fp),	   cmocka_unit_test(test_dwarf),
		cmocka_unit_test(test_events),	   cmocka_unit_test(test_killed),
		cmocka_unit_test(test_every_cut),  cmocka_unit_test(test_not_perfdata),
		cmocka_unit_test(test_time_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
