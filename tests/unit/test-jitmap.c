// SPDX-License-Identifier: MIT
/* perf-PID.map and jitdump parsing, against golden files. */
#include <errno.h>

#include "check.h"
#include "symbolizer/jitmap.h"

/* Checks every "address name" line of a lookups file against m. Returns the count checked. */
static int check_lookups(const struct jitmap *m, const char *rel)
{
	char *want = golden_read(rel, NULL), *line, *save;
	int checked = 0;

	for (line = strtok_r(want, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		const char *name, *got;
		int pos = 0;

		if (line[0] == '#' || sscanf(line, "%llx %n", &addr, &pos) != 1 || !pos)
			continue;
		name = line + pos;
		got = jitmap__lookup(m, addr);
		if (!strcmp(name, "-") ? got != NULL : !got || strcmp(got, name))
			fail_msg("%llx: want '%s', got '%s'", addr, name, got ? got : "(none)");
		checked++;
	}
	free(want);
	return checked;
}

static void test_perfmap_golden(void **state)
{
	size_t len;
	char *buf = golden_read("perfmap/perf-1234.map", &len);
	struct jitmap *m = jitmap__new();
	long n;

	(void)state;
	n = jitmap__parse_perfmap_mem(m, buf, len);
	/* Everything up to the last newline; the unterminated line is left for later. */
	assert_int_equal(n, strrchr(buf, '\n') - buf + 1);
	assert_int_equal(check_lookups(m, "perfmap/lookups.txt"), 14);
	jitmap__free(m);
	free(buf);
}

/* The file grows while we read it: parsing in pieces gives what one parse gives. */
static void test_perfmap_incremental(void **state)
{
	size_t len, split;
	char *buf = golden_read("perfmap/perf-1234.map", &len);

	(void)state;
	for (split = 0; split <= len; split++) {
		struct jitmap *m = jitmap__new();
		long a = jitmap__parse_perfmap_mem(m, buf, split), b;

		assert_true(a >= 0 && (size_t)a <= split);
		b = jitmap__parse_perfmap_mem(m, buf + a, len - a);
		assert_true(b >= 0);
		assert_int_equal(a + b, strrchr(buf, '\n') - buf + 1);
		check_lookups(m, "perfmap/lookups.txt");
		jitmap__free(m);
	}
	free(buf);
}

static void test_jitdump_golden(void **state)
{
	size_t len;
	char *buf = golden_read("jitdump/jit-1234.dump", &len);
	struct jitmap *m = jitmap__new();
	long n;

	(void)state;
	n = jitmap__parse_jitdump_mem(m, buf, len, 0);
	/* The last record is cut short: not consumed, so it is read again once complete. */
	assert_true(n > 0 && (size_t)n < len);
	assert_int_equal(check_lookups(m, "jitdump/lookups.txt"), 9);
	/* Resuming at the offset reads nothing twice and nothing new. */
	assert_int_equal(jitmap__parse_jitdump_mem(m, buf + n, len - n, n), 0);
	jitmap__free(m);
	free(buf);
}

static void test_jitdump_bad(void **state)
{
	struct jitmap *m = jitmap__new();
	char hdr[40] = "NOTAJITDUMPFILE";
	uint32_t magic = __builtin_bswap32(0x4A695444), size = 40, bad = 8;

	(void)state;
	assert_int_equal(jitmap__parse_jitdump_mem(m, hdr, sizeof(hdr), 0), -EINVAL);
	/* Too short to hold a header yet: nothing consumed, no error. */
	assert_int_equal(jitmap__parse_jitdump_mem(m, hdr, 10, 0), 0);
	/* The other byte order is read too. */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &magic, 4);
	size = __builtin_bswap32(size);
	memcpy(hdr + 8, &size, 4);
	assert_int_equal(jitmap__parse_jitdump_mem(m, hdr, sizeof(hdr), 0), 40);
	/* A header size that cannot be: refused. */
	bad = __builtin_bswap32(bad);
	memcpy(hdr + 8, &bad, 4);
	assert_int_equal(jitmap__parse_jitdump_mem(m, hdr, sizeof(hdr), 0), -EINVAL);
	jitmap__free(m);
}

static void test_perfmap_long_line(void **state)
{
	struct jitmap *m = jitmap__new();
	size_t len = 20000;
	char *buf = malloc(len + 1);
	const char *got;

	(void)state;
	memcpy(buf, "1000 10 ", 8);
	memset(buf + 8, 'x', len - 9);
	buf[len - 1] = '\n';
	assert_int_equal(jitmap__parse_perfmap_mem(m, buf, len), (long)len);
	got = jitmap__lookup(m, 0x1000);
	assert_non_null(got);
	assert_int_equal(strlen(got), JITMAP_MAX_LINE); /* the name is cut, not the parse */
	jitmap__free(m);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfmap_golden),
		cmocka_unit_test(test_perfmap_incremental),
		cmocka_unit_test(test_jitdump_golden),
		cmocka_unit_test(test_jitdump_bad),
		cmocka_unit_test(test_perfmap_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
