// SPDX-License-Identifier: MIT
/* The aggregated profile: stacks interned once, and counts that never wrap. */
#include "check.h"
#include "lib/profile.h"

static void test_counts_saturate(void **state)
{
	struct profile *p = profile__new();
	struct frame f[2] = { { .addr = 0x10, .dso = 1 }, { .addr = 0x20, .dso = 1 } };
	struct frame out[2];
	int64_t a, b;

	(void)state;
	assert_non_null(p);
	a = profile__stack(p, 0, 1, 1, 0, f, 2);
	b = profile__stack(p, 0, 1, 1, 0, f, 2);
	assert_true(a > 0);
	assert_int_equal(a, b);
	assert_int_equal(profile__frames(p, a, out, 2), 2);
	assert_int_equal(out[0].addr, 0x10);
	assert_int_equal(profile__add(p, a, UINT64_MAX - 1, UINT64_MAX - 1), 0);
	assert_int_equal(profile__add(p, a, 5, 5), 0); /* would wrap to 3 */
	assert_int_equal(profile__count(p), 1);
	profile__free(p);
}

static int check_count(void *ctx, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
		       uint32_t stack, uint64_t count, uint64_t weight)
{
	(void)ctx;
	(void)event;
	(void)pid;
	(void)comm;
	(void)tid;
	(void)stack;
	assert_true(count == UINT64_MAX);
	assert_true(weight == UINT64_MAX);
	return 0;
}

static void test_saturated_count_reads_back(void **state)
{
	struct profile *p = profile__new();
	struct frame f = { .addr = 1, .dso = 1 };
	int64_t a = profile__stack(p, 0, 1, 1, 0, &f, 1);
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(profile__add(p, a, UINT64_MAX / 2, UINT64_MAX / 2), 0);
	assert_int_equal(profile__for_each(p, check_count, NULL), 0);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_saturate),
		cmocka_unit_test(test_saturated_count_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
