// SPDX-License-Identifier: MIT
/*
 * The .sear writer and reader: a round trip, every possible truncation,
 * and the caps that keep a small hostile file from taking gigabytes.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

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

/* A growable byte string, for files built by hand. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_varint(struct bytes *b, uint64_t v)
{
	do {
		uint8_t c = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);

		put(b, &c, 1);
		v >>= 7;
	} while (v);
}

static void put_u32(struct bytes *b, uint32_t v)
{
	put(b, &v, 4); /* little-endian machines only, as the tests run */
}

static void put_record(struct bytes *b, uint8_t type, const struct bytes *body)
{
	put(b, &type, 1);
	put_varint(b, body->len);
	put(b, body->p, body->len);
}

/* A header, then one chunk holding raw. */
static struct bytes file_with_chunk(const struct bytes *raw)
{
	static const char meta[] = "sear=test\n";
	struct bytes f = { 0 };
	size_t bound = ZSTD_compressBound(raw->len), c;
	uint8_t *comp = malloc(bound);

	assert_non_null(comp);
	c = ZSTD_compress(comp, bound, raw->p, raw->len, 3);
	assert_false(ZSTD_isError(c));
	put(&f, "SEAR\0REC", 8);
	put_u32(&f, 1);
	put_u32(&f, sizeof(meta) - 1);
	put(&f, meta, sizeof(meta) - 1);
	put(&f, "SCHK", 4);
	put_u32(&f, c);
	put_u32(&f, raw->len);
	put(&f, comp, c);
	free(comp);
	return f;
}

/* Reads f; expects the chunk refused for reason, and no samples. */
static void expect_refused(const struct bytes *f, const char *reason)
{
	struct sear_reader *r = sear_reader__new_mem(f->p, f->len, "bomb.sear");
	struct read_back b = { .r = r };

	assert_non_null(r);
	assert_int_equal(sear_reader__for_each(r, collect, &b), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(sear_reader__bad_offset(r), 8 + 4 + 4 + 10);
	assert_non_null(sear_reader__bad_reason(r));
	assert_string_equal(sear_reader__bad_reason(r), reason);
	sear_reader__free(r);
}

/* n empty strings, or n empty stacks, or n tasks, as one record. */
static void put_table(struct bytes *raw, uint8_t type, uint64_t n)
{
	struct bytes body = { 0 };
	uint64_t i;

	put_varint(&body, n);
	for (i = 0; i < n; i++) {
		put_varint(&body, type == 3 ? 1 : 0);
		if (type == 3)
			put_varint(&body, 0);
	}
	put_record(raw, type, &body);
	free(body.p);
}

/* Bytes that do not compress, in a record type readers skip: they pay for the rest. */
static void put_padding(struct bytes *raw, size_t n)
{
	struct bytes body = { 0 };
	uint64_t x = 88172645463325252ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c = x;
		put(&body, &c, 1);
	}
	put_record(raw, 99, &body);
	free(body.p);
}

/* The 8 KB file: 256 MiB of empty strings. Refused before it is decompressed. */
static void test_decompression_bomb(void **state)
{
	struct bytes raw = { 0 }, f;

	(void)state;
	put_table(&raw, 1, 64u << 20);
	f = file_with_chunk(&raw);
	assert_true(f.len < 64 << 10);
	expect_refused(&f, "it decompresses to more than its size allows");
	free(raw.p);
	free(f.p);
}

/* Paid for with bytes that do not compress, a chunk still cannot fill a table beyond its share. */
static void test_table_caps(void **state)
{
	static const struct {
		uint8_t type;
		const char *reason;
	} tables[] = {
		{ 1, "more strings than its size allows" },
		{ 2, "more stacks than its size allows" },
		{ 3, "more tasks than its size allows" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct bytes raw = { 0 }, f;

		put_padding(&raw, 64 << 10);
		put_table(&raw, tables[i].type, 1 << 20);
		f = file_with_chunk(&raw);
		expect_refused(&f, tables[i].reason);
		free(raw.p);
		free(f.p);
	}
}

/*
 * The caps leave room for what recordings really hold: a deep recursion,
 * unwound with dwarf, makes thousands of stacks that repeat each other but
 * for their depth, and compress hundreds of times.
 */
static void test_deep_recursion_fits(void **state)
{
	int fd = memfd_create("deep", 0);
	struct sear_meta m = { .start_ns = 1 };
	enum frame_kind kinds[SEAR_MAX_FRAMES];
	uint32_t names[SEAR_MAX_FRAMES];
	struct sear_writer *w = sear_writer__new(fd, &m);
	struct sear_reader *r;
	struct read_back b = { 0 };
	int64_t comm, self;
	size_t len, depth;
	char *buf;

	(void)state;
	assert_non_null(w);
	comm = sear_writer__string(w, "rec");
	names[0] = sear_writer__string(w, "main");
	self = sear_writer__string(w, "f");
	for (depth = 1; depth < SEAR_MAX_FRAMES; depth++) {
		struct sear_sample s = { depth, 1, 1, 0, 0, comm, 0, 1 };
		int64_t stack;

		names[depth] = self;
		memset(kinds, 0, sizeof(kinds));
		stack = sear_writer__stack(w, names, kinds, depth + 1);
		assert_true(stack >= 0);
		s.stack = stack;
		assert_int_equal(sear_writer__sample(w, &s), 0);
	}
	assert_int_equal(sear_writer__finish(w, &m), 0);
	len = lseek(fd, 0, SEEK_END);
	buf = malloc(len);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	r = sear_reader__new_mem(buf, len, "deep.sear");
	assert_non_null(r);
	b.r = r;
	assert_int_equal(sear_reader__for_each(r, collect, &b), 0);
	assert_int_equal(sear_reader__bad_offset(r), -1);
	assert_int_equal(b.n, SEAR_MAX_FRAMES - 1);
	print_message("deep recursion: %zu bytes hold %d stacks of up to %d frames\n", len,
		      SEAR_MAX_FRAMES - 1, SEAR_MAX_FRAMES);
	sear_reader__free(r);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_headers), cmocka_unit_test(test_decompression_bomb),
		cmocka_unit_test(test_table_caps),  cmocka_unit_test(test_deep_recursion_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
