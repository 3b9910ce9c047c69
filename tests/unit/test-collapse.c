// SPDX-License-Identifier: MIT
/* perf script text to folded stacks: the golden case fed whole and in every two pieces. */
#include "check.h"
#include "flamegraph/collapse.h"

static char *collapse_pieces(const char *in, size_t len, size_t split,
			     const struct collapse_opts *o)
{
	struct collapse *c = collapse__new(o);
	char *text = NULL;

	assert_int_equal(collapse__feed(c, in, split), 0);
	assert_int_equal(collapse__feed(c, in + split, len - split), 0);
	assert_int_equal(collapse__finish(c), 0);
	CAPTURE(text, assert_int_equal(collapse__write(c, out), 0));
	assert_int_equal(collapse__unrecognized(c), 1);
	collapse__free(c);
	return text;
}

static void golden(const char *expected, const struct collapse_opts *o)
{
	size_t len, split;
	char *in = golden_read("collapse/input.txt", &len), *want = golden_read(expected, NULL);

	for (split = 0; split <= len; split++) {
		char *got = collapse_pieces(in, len, split, o);

		if (strcmp(got, want))
			fail_msg("split at %zu:\n%s\nwant:\n%s", split, got, want);
		free(got);
	}
	free(in);
	free(want);
}

static void test_default(void **state)
{
	(void)state;
	golden("collapse/expected.folded", NULL);
}

static void test_pid_tid_all(void **state)
{
	struct collapse_opts pid = { .pid = true }, tid = { .tid = true },
			     all = { .kernel = true, .jit = true };

	(void)state;
	golden("collapse/expected-pid.folded", &pid);
	golden("collapse/expected-tid.folded", &tid);
	golden("collapse/expected-all.folded", &all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_pid_tid_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
