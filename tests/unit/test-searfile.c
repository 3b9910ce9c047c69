// SPDX-License-Identifier: MIT
/* The .sear writer and reader: a round trip, and every possible truncation. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "lib/searfile.h"

struct read_back {
	const struct sear_reader *r;
	uint64_t n, weight, last_time;
	uint32_t pids[16];
};

static int collect(void *ctx, const struct sear_sample *s)
{
	struct read_back *b = ctx;
	const uint32_t *names;
	const uint8_t *kinds;
	int nr = sear_reader__stack(b->r, s->stack, &names, &kinds);

	assert_true(nr >= 1);
	assert_non_null(sear_reader__string(b->r, names[0]));
	assert_non_null(sear_reader__string(b->r, s->comm));
	assert_true(s->time >= b->last_time);
	b->last_time = s->time;
	b->weight += s->weight;
	if (b->n < 16)
		b->pids[b->n] = s->pid;
	b->n++;
	return 0;
}

/* Writes three chunks: 10, 20 and 30 samples, new strings and stacks in each. */
static char *write_recording(size_t *len)
{
	int fd = memfd_create("rec", 0);
	struct sear_meta m = {
		.start_ns = 1000, .frequency = 999, .container_roots = true, .weight_us = true
	};
	struct sear_writer *w;
	enum frame_kind kinds[3] = { FRAME_USER, FRAME_USER, FRAME_KERNEL };
	uint64_t t = 1000;
	char *buf;
	int chunk, i;

	snprintf(m.events, sizeof(m.events), "cpu-clock");
	snprintf(m.command, sizeof(m.command), "a\\b\n=c"); /* escaped in the file */
	w = sear_writer__new(fd, &m);
	assert_non_null(w);
	for (chunk = 0; chunk < 3; chunk++) {
		char name[32];
		uint32_t names[3];
		int64_t stack, comm = sear_writer__string(w, "worker");

		snprintf(name, sizeof(name), "func_%d", chunk);
		names[0] = sear_writer__string(w, "main");
		names[1] = sear_writer__string(w, name);
		names[2] = sear_writer__string(w, "sys_read");
		stack = sear_writer__stack(w, names, kinds, 3);
		assert_true(stack >= 0 && comm >= 0);
		assert_int_equal(sear_writer__task(w, 100 + chunk, chunk ? (int64_t)names[1] : -1),
				 0);
		for (i = 0; i < 10 * (chunk + 1); i++) {
			struct sear_sample s = { t += 1000003, 100 + chunk, 200, i % 2, 0,
						 comm,	       stack,	    1 };

			assert_int_equal(sear_writer__sample(w, &s), 0);
		}
		assert_int_equal(sear_writer__flush(w), 0);
	}
	m.samples = 60;
	m.seconds = 1.5;
	assert_int_equal(sear_writer__finish(w, &m), 0);
	*len = lseek(fd, 0, SEEK_END);
	buf = malloc(*len);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

static void test_round_trip(void **state)
{
	size_t len;
	char *buf = write_recording(&len);
	struct sear_reader *r = sear_reader__new_mem(buf, len, "t.sear");
	struct read_back b = { .r = r };
	const struct sear_meta *m;

	(void)state;
	assert_non_null(r);
	m = sear_reader__meta(r);
	assert_string_equal(m->events, "cpu-clock");
	assert_string_equal(m->command, "a\\b\n=c"); /* escapes undone */
	assert_int_equal(m->start_ns, 1000);
	assert_int_equal(m->frequency, 999);
	assert_true(m->container_roots);
	assert_true(m->weight_us);
	assert_false(m->complete);
	assert_int_equal(sear_reader__for_each(r, collect, &b), 0);
	assert_int_equal(b.n, 60);
	assert_int_equal(sear_reader__bad_offset(r), -1);
	assert_true(m->complete);
	assert_int_equal(m->samples, 60);
	assert_true(m->seconds > 1.49 && m->seconds < 1.51);
	assert_null(sear_reader__container(r, 100));
	assert_string_equal(sear_reader__container(r, 101), "func_1");
	sear_reader__free(r);
	free(buf);
}

static int count_only(void *ctx, const struct sear_sample *s)
{
	(void)s;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* Cut anywhere: never a crash, and exactly the whole chunks before the cut. */
static void test_every_truncation(void **state)
{
	size_t len, cut;
	char *buf = write_recording(&len);
	uint64_t prev = 0;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
		struct sear_reader *r;
		uint64_t n = 0;

		memcpy(copy, buf, cut);
		last_log__capture();
		r = sear_reader__new_mem(copy, cut, "cut.sear");
		if (r) {
			sear_reader__for_each(r, count_only, &n);
			assert_true(n == 0 || n == 10 || n == 30 || n == 60);
			assert_true(n >= prev);
			prev = n;
			assert_false(sear_reader__meta(r)->complete && n != 60);
			sear_reader__free(r);
		} else {
			assert_true(!strncmp(last_log, "cannot read 'cut.sear': ", 24));
		}
		free(copy);
	}
	assert_int_equal(prev, 60);
	free(buf);
}

static void test_bad_headers(void **state)
{
	static const char v2[] = "SEAR\0REC\x02\0\0\0\0\0\0\0";
	static const char big[] = "SEAR\0REC\x01\0\0\0\xff\xff\xff\x7f";

	(void)state;
	last_log__capture();
	assert_null(sear_reader__new_mem("PERFILE2", 8, "x"));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(last_log, "cannot read 'x': not a .sear recording (bad magic)");
	assert_null(sear_reader__new_mem(v2, 16, "x"));
	assert_string_equal(last_log,
			    "cannot read 'x': unknown version 2 (written by a newer sear?)");
	assert_null(sear_reader__new_mem(big, 16, "x"));
	assert_string_equal(last_log, "cannot read 'x': the header is corrupt or cut short");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
