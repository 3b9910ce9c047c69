// SPDX-License-Identifier: MIT
/* The .sear writer and reader: a round trip, and every possible truncation. */
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "lib/recording.h"

struct read_back {
	const struct rec_reader *r;
	uint64_t n, weight, last_time;
	uint32_t pids[16];
};

static int collect(void *ctx, const struct rec_sample *s)
{
	struct read_back *b = ctx;
	const uint32_t *names;
	const uint8_t *kinds;
	int nr = rec_reader__stack(b->r, s->stack, &names, &kinds);

	assert_true(nr >= 1);
	assert_non_null(rec_reader__string(b->r, names[0]));
	assert_non_null(rec_reader__string(b->r, s->comm));
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
	struct rec_writer *w =
	    rec_writer__new(fd, "events=cpu-clock\nstart_ns=1000\ncommand=a\\\\b\\n\n");
	enum frame_kind kinds[3] = { FRAME_USER, FRAME_USER, FRAME_KERNEL };
	uint64_t t = 1000;
	char *buf;
	int chunk, i;

	assert_non_null(w);
	for (chunk = 0; chunk < 3; chunk++) {
		char name[32];
		uint32_t names[3];
		int64_t stack, comm = rec_writer__string(w, "worker");

		snprintf(name, sizeof(name), "func_%d", chunk);
		names[0] = rec_writer__string(w, "main");
		names[1] = rec_writer__string(w, name);
		names[2] = rec_writer__string(w, "sys_read");
		stack = rec_writer__stack(w, names, kinds, 3);
		assert_true(stack >= 0 && comm >= 0);
		assert_int_equal(rec_writer__task(w, 100 + chunk, chunk ? (int64_t)names[1] : -1),
				 0);
		for (i = 0; i < 10 * (chunk + 1); i++) {
			struct rec_sample s = { t += 1000003, 100 + chunk, 200, i % 2, 0,
						comm,	      stack,	   1 };

			assert_int_equal(rec_writer__sample(w, &s), 0);
		}
		assert_int_equal(rec_writer__flush(w), 0);
	}
	assert_int_equal(rec_writer__finish(w, "samples=60\nlost=0\n"), 0);
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
	const char *err = NULL;
	struct rec_reader *r = rec_reader__new_mem(buf, len, &err);
	struct read_back b = { .r = r };

	(void)state;
	assert_non_null(r);
	assert_string_equal(rec_reader__meta(r, "events"), "cpu-clock");
	assert_string_equal(rec_reader__meta(r, "command"), "a\\b\n"); /* escapes undone */
	assert_null(rec_reader__meta(r, "nothing"));
	assert_int_equal(rec_reader__for_each(r, collect, &b), 0);
	assert_int_equal(b.n, 60);
	assert_int_equal(rec_reader__bad_offset(r), -1);
	assert_true(rec_reader__complete(r));
	assert_string_equal(rec_reader__total(r, "samples"), "60");
	assert_null(rec_reader__container(r, 100));
	assert_string_equal(rec_reader__container(r, 101), "func_1");
	rec_reader__free(r);
	free(buf);
}

static int count_only(void *ctx, const struct rec_sample *s)
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
		const char *err = NULL;
		struct rec_reader *r;
		uint64_t n = 0;

		memcpy(copy, buf, cut);
		r = rec_reader__new_mem(copy, cut, &err);
		if (r) {
			rec_reader__for_each(r, count_only, &n);
			assert_true(n == 0 || n == 10 || n == 30 || n == 60);
			assert_true(n >= prev);
			prev = n;
			assert_false(rec_reader__complete(r) && n != 60);
			rec_reader__free(r);
		} else {
			assert_non_null(err);
		}
		free(copy);
	}
	assert_int_equal(prev, 60);
	free(buf);
}

static void test_bad_headers(void **state)
{
	const char *err = NULL;
	static const char v2[] = "SEAR\0REC\x02\0\0\0\0\0\0\0";
	static const char big[] = "SEAR\0REC\x01\0\0\0\xff\xff\xff\x7f";

	(void)state;
	assert_null(rec_reader__new_mem("PERFILE2", 8, &err));
	assert_string_equal(err, "not a .sear recording (bad magic)");
	assert_null(rec_reader__new_mem(v2, 16, &err));
	assert_string_equal(err, "unknown version (written by a newer sear?)");
	assert_null(rec_reader__new_mem(big, 16, &err));
	assert_string_equal(err, "the header is corrupt or cut short");
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
