// SPDX-License-Identifier: MIT
/* Event names through libpfm4, and container ids in cgroup paths. */
#include <errno.h>

#include "check.h"
#include "lib/events.h"
#include "lib/cgroup.h"

static void expect(const char *name, uint32_t type, uint64_t config, int exclude_user,
		   int exclude_kernel)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	if (events__parse(name, &a))
		fail_msg("'%s' did not parse", name);
	if (a.type != type || a.config != config || a.exclude_user != exclude_user ||
	    a.exclude_kernel != exclude_kernel)
		fail_msg("'%s': type %u config %#llx eu %d ek %d", name, a.type,
			 (unsigned long long)a.config, a.exclude_user, a.exclude_kernel);
}

static void test_encoding(void **state)
{
	(void)state;
	expect("cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0, 0);
	expect("task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0, 0);
	expect("page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0, 0);
	expect("context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0, 0);
	expect("cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, 0);
	expect("instructions:u", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0, 1);
	expect("cycles:k", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 1, 0);
	expect("cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, 0, 0);
	expect("r003c", PERF_TYPE_RAW, 0x3c, 0, 0);
}

static void test_kinds_and_errors(void **state)
{
	struct perf_event_attr a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(events__parse("no-such-event", &a), -ENOENT);
	assert_int_equal(events__parse("cycles:nonsense", &a), -EINVAL);
	events__parse("cycles", &a);
	assert_true(events__is_hardware(&a));
	events__parse("cpu-clock", &a);
	assert_false(events__is_hardware(&a));
}

static void test_suggest(void **state)
{
	char near[3][64];
	int n, i, found = 0;

	(void)state;
	n = events__suggest("cpu-clok", near, 3);
	for (i = 0; i < n; i++)
		found |= !strcmp(near[i], "cpu-clock");
	assert_true(found);
	n = events__suggest("INSTRUCTONS:u", near, 3);
	assert_true(n >= 1);
	assert_string_equal(near[0], "instructions");
	assert_int_equal(events__suggest("zzzzzzzzzzzzzzzz", near, 3), 0);
}

static void test_container_ids(void **state)
{
	const char *id = "4f1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef";
	char path[256], out[65];

	(void)state;
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	assert_true(cgroup__container_id(path, out, sizeof(out)));
	assert_string_equal(out, id);
	snprintf(path, sizeof(path), "/docker/%s", id);
	assert_true(cgroup__container_id(path, out, sizeof(out)));
	snprintf(path, sizeof(path), "/kubepods/burstable/pod1/cri-containerd-%s.scope", id);
	assert_true(cgroup__container_id(path, out, sizeof(out)));
	assert_string_equal(out, id);
	/* 32 or 65 hex digits are no container id */
	assert_false(cgroup__container_id("/process_api/482f65e81c0060940f7e69eb3507f49a", out,
					  sizeof(out)));
	snprintf(path, sizeof(path), "/x/%sa", id);
	assert_false(cgroup__container_id(path, out, sizeof(out)));
	assert_false(cgroup__container_id("/", out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_kinds_and_errors),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_container_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
