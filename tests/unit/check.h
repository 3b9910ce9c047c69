/* SPDX-License-Identifier: MIT */
#ifndef SEAR_TEST_CHECK_H
#define SEAR_TEST_CHECK_H

/* cmocka, plus the helpers our unit tests share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/log.h"

/* The last message the library logged, for tests of its error reasons. */
static char last_log[1024];

static inline void last_log__sink(enum sear_log_level level, const char *msg)
{
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* Starts capturing log messages into last_log. */
static inline void last_log__capture(void)
{
	last_log[0] = '\0';
	sear_log__set(last_log__sink);
}

/* Reads a whole file under the source tree's tests/golden into a new NUL-terminated buffer. */
static inline char *golden_read(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", SEAR_GOLDEN_DIR, rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open golden file %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		fail_msg("cannot read golden file %s", path);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/*
 * Compares got with the golden file rel. With SEAR_UPDATE_GOLDEN=1 in the
 * environment, writes got there instead (then review the diff, commit).
 */
static inline void golden_check(const char *rel, const char *got)
{
	char path[4096], *want;
	FILE *f;

	if (getenv("SEAR_UPDATE_GOLDEN")) {
		snprintf(path, sizeof(path), "%s/%s", SEAR_GOLDEN_DIR, rel);
		f = fopen(path, "w");
		if (!f || fputs(got, f) < 0 || fclose(f))
			fail_msg("cannot write golden file %s", path);
		return;
	}
	want = golden_read(rel, NULL);
	if (strcmp(want, got)) {
		size_t i = 0;

		while (want[i] && want[i] == got[i])
			i++;
		fail_msg("%s differs at byte %zu: want \"%.60s\", got \"%.60s\"", rel, i, want + i,
			 got + i);
	}
	free(want);
}

/* Captures what fn writes to a FILE into a new string. */
#define CAPTURE(var, call)                                         \
	do {                                                       \
		size_t capture_len_;                               \
		FILE *out = open_memstream(&(var), &capture_len_); \
		call;                                              \
		fclose(out);                                       \
	} while (0)

#endif
