// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "array.h"
#include "hash.h"
#include "profile.h"
#include "recording.h"
#include "strtab.h"

#define REC_MAGIC      "SEAR\0REC"
#define REC_VERSION    1
#define REC_META_MAX   (1u << 20)
#define REC_CHUNK_MAX  (64u << 20)
#define REC_RAW_MAX    (256u << 20)
#define REC_STRING_MAX 65536
#define REC_ZSTD_LEVEL 3

enum {
	REC_STRINGS = 1,
	REC_STACKS = 2,
	REC_TASKS = 3,
	REC_SAMPLES = 4,
};

/* A growable byte buffer. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf__reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *p;

	if (b->len + n <= b->cap)
		return 0;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int buf__put(struct buf *b, const void *p, size_t n)
{
	if (buf__reserve(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int buf__varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	return buf__put(b, tmp, n);
}

static int buf__u32(struct buf *b, uint32_t v)
{
	uint8_t le[4] = { v, v >> 8, v >> 16, v >> 24 };

	return buf__put(b, le, 4);
}

/* Writes all of p, through EINTR and short writes. */
static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= w;
	}
	return 0;
}

struct rec_writer {
	int fd;
	ZSTD_CCtx *zc;
	struct strtab *strings;
	uint32_t strings_done;	/* ids below this are in earlier chunks */
	struct profile *stacks; /* stacks interned as frames {string id, kind} */
	uint32_t stacks_done, nr_stacks;
	struct buf tasks;
	uint32_t nr_tasks;
	struct buf samples;
	uint32_t nr_samples;
	uint64_t base, last;
	struct buf raw, out;
};

struct rec_writer *rec_writer__new(int fd, const char *meta)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	struct buf hdr = { 0 };
	size_t n = strlen(meta);
	int err;

	if (!w)
		return NULL;
	w->fd = fd;
	w->zc = ZSTD_createCCtx();
	w->strings = strtab__new();
	w->stacks = profile__new();
	if (!w->zc || !w->strings || !w->stacks || n > REC_META_MAX) {
		rec_writer__free(w);
		errno = n > REC_META_MAX ? E2BIG : ENOMEM;
		return NULL;
	}
	ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, REC_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1);
	err = buf__put(&hdr, REC_MAGIC, 8) || buf__u32(&hdr, REC_VERSION) || buf__u32(&hdr, n) ||
	      buf__put(&hdr, meta, n);
	if (!err)
		err = write_all(fd, hdr.p, hdr.len);
	free(hdr.p);
	if (err) {
		rec_writer__free(w);
		errno = err < 0 ? -err : ENOMEM;
		return NULL;
	}
	return w;
}

void rec_writer__free(struct rec_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->zc);
	strtab__free(w->strings);
	profile__free(w->stacks);
	free(w->tasks.p);
	free(w->samples.p);
	free(w->raw.p);
	free(w->out.p);
	free(w);
}

int64_t rec_writer__string(struct rec_writer *w, const char *s)
{
	size_t n = strnlen(s, REC_STRING_MAX);

	return strtab__intern_len(w->strings, s, n);
}

int64_t rec_writer__stack(struct rec_writer *w, const uint32_t *names, const enum frame_kind *kinds,
			  size_t nr)
{
	struct frame f[REC_MAX_FRAMES];
	int64_t id;
	size_t i;

	if (nr > REC_MAX_FRAMES)
		return -E2BIG;
	for (i = 0; i < nr; i++)
		f[i] = (struct frame){ .addr = names[i], .dso = kinds[i] };
	id = profile__stack(w->stacks, f, nr);
	if (id >= 0 && (uint32_t)id >= w->nr_stacks)
		w->nr_stacks = id + 1;
	return id;
}

int rec_writer__task(struct rec_writer *w, uint32_t pid, int64_t container)
{
	w->nr_tasks++;
	return buf__varint(&w->tasks, pid) || buf__varint(&w->tasks, container + 1) ? -ENOMEM : 0;
}

int rec_writer__sample(struct rec_writer *w, const struct rec_sample *s)
{
	struct buf *b = &w->samples;
	uint64_t delta;

	if (!w->nr_samples) {
		w->base = s->time;
		w->last = s->time;
	}
	/* Time runs forward within a chunk; a sample out of order is put at the last time. */
	delta = s->time > w->last ? s->time - w->last : 0;
	w->last += delta;
	w->nr_samples++;
	return buf__varint(b, delta) || buf__varint(b, s->pid) || buf__varint(b, s->tid) ||
		       buf__varint(b, s->cpu) || buf__varint(b, s->event) ||
		       buf__varint(b, s->comm) || buf__varint(b, s->stack) ||
		       buf__varint(b, s->weight)
		   ? -ENOMEM
		   : 0;
}

size_t rec_writer__pending(const struct rec_writer *w)
{
	return w->nr_samples;
}

/* Appends a record: type, varint length, body. */
static int rec__record(struct buf *raw, int type, const struct buf *body)
{
	uint8_t t = type;

	return buf__put(raw, &t, 1) || buf__varint(raw, body->len) ||
		       buf__put(raw, body->p, body->len)
		   ? -ENOMEM
		   : 0;
}

static int rec_writer__tables(struct rec_writer *w, struct buf *raw)
{
	uint32_t nstr = strtab__count(w->strings), i, j, nr;
	struct buf body = { 0 };
	int err = 0;

	if (nstr > w->strings_done) {
		err = buf__varint(&body, nstr - w->strings_done);
		for (i = w->strings_done; i < nstr && !err; i++) {
			size_t len = strtab__len(w->strings, i);

			err = buf__varint(&body, len) ||
			      buf__put(&body, strtab__str(w->strings, i), len);
		}
		err = err || rec__record(raw, REC_STRINGS, &body);
		body.len = 0;
	}
	if (!err && w->nr_stacks > w->stacks_done) {
		err = buf__varint(&body, w->nr_stacks - w->stacks_done);
		for (i = w->stacks_done; i < w->nr_stacks && !err; i++) {
			const struct frame *f = profile__frames(w->stacks, i, &nr);

			err = buf__varint(&body, nr);
			for (j = 0; j < nr && !err; j++) {
				uint8_t kind = f[j].dso;

				err = buf__varint(&body, f[j].addr) || buf__put(&body, &kind, 1);
			}
		}
		err = err || rec__record(raw, REC_STACKS, &body);
		body.len = 0;
	}
	if (!err && w->nr_tasks) {
		err = buf__varint(&body, w->nr_tasks) ||
		      buf__put(&body, w->tasks.p, w->tasks.len) ||
		      rec__record(raw, REC_TASKS, &body);
		body.len = 0;
	}
	free(body.p);
	return err ? -ENOMEM : 0;
}

int rec_writer__flush(struct rec_writer *w)
{
	struct buf body = { 0 };
	size_t bound, c;
	int err;

	w->raw.len = 0;
	err = rec_writer__tables(w, &w->raw);
	if (!err && w->nr_samples)
		err = buf__varint(&body, w->nr_samples) || buf__varint(&body, w->base) ||
		      buf__put(&body, w->samples.p, w->samples.len) ||
		      rec__record(&w->raw, REC_SAMPLES, &body);
	free(body.p);
	if (err)
		return -ENOMEM;
	if (!w->raw.len)
		return 0;
	bound = ZSTD_compressBound(w->raw.len);
	w->out.len = 0;
	if (buf__reserve(&w->out, 12 + bound))
		return -ENOMEM;
	c = ZSTD_compress2(w->zc, w->out.p + 12, bound, w->raw.p, w->raw.len);
	if (ZSTD_isError(c) || c > REC_CHUNK_MAX || w->raw.len > REC_RAW_MAX)
		return -EIO;
	memcpy(w->out.p, "SCHK", 4);
	w->out.len = 4;
	buf__u32(&w->out, c);
	buf__u32(&w->out, w->raw.len);
	w->out.len += c;
	err = write_all(w->fd, w->out.p, w->out.len);
	if (err)
		return err;
	/* What was written is in the file: the next chunk starts afresh. */
	w->strings_done = strtab__count(w->strings);
	w->stacks_done = w->nr_stacks;
	w->nr_tasks = 0;
	w->tasks.len = 0;
	w->nr_samples = 0;
	w->samples.len = 0;
	return 0;
}

int rec_writer__finish(struct rec_writer *w, const char *totals)
{
	struct buf t = { 0 };
	size_t n = strlen(totals);
	int err = rec_writer__flush(w);

	if (!err && n <= REC_META_MAX) {
		err = buf__put(&t, "SEND", 4) || buf__u32(&t, n) || buf__put(&t, totals, n)
			  ? -ENOMEM
			  : 0;
		if (!err)
			err = write_all(w->fd, t.p, t.len);
	}
	free(t.p);
	rec_writer__free(w);
	return err;
}

/* Reading */

struct rec_reader {
	const uint8_t *data;
	size_t len, pos;
	char *meta, *totals;
	ZSTD_DCtx *zd;
	struct strtab *strings; /* ids as in the file: every string is added, duplicates too */
	uint32_t *string_of;	/* file id -> strtab id */
	size_t nr_strings, cap_strings;
	uint32_t *frames; /* stacks: string ids */
	uint8_t *kinds;
	size_t cap_kinds;
	size_t nr_frames, cap_frames;
	size_t *stack_first;
	uint32_t *stack_len;
	size_t cap_lens;
	size_t nr_stacks, cap_stacks;
	struct u64map tasks; /* pid -> container string id + 1 */
	int64_t bad;
	bool complete;
	uint8_t *raw;
	size_t raw_cap;
};

bool rec__is_recording(const void *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, REC_MAGIC, 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static char *copy_text(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

struct rec_reader *rec_reader__new_mem(const void *buf, size_t len, const char **err)
{
	struct rec_reader *r;
	uint32_t version, n;

	if (!rec__is_recording(buf, len)) {
		*err = "not a .sear recording (bad magic)";
		return NULL;
	}
	if (len < 16) {
		*err = "the header is cut short";
		return NULL;
	}
	version = rd32((const uint8_t *)buf + 8);
	n = rd32((const uint8_t *)buf + 12);
	if (version != REC_VERSION) {
		*err = "unknown version (written by a newer sear?)";
		return NULL;
	}
	if (n > REC_META_MAX || n > len - 16) {
		*err = "the header is corrupt or cut short";
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		*err = "out of memory";
		return NULL;
	}
	r->data = buf;
	r->len = len;
	r->pos = 16 + n;
	r->bad = -1;
	r->meta = copy_text((const uint8_t *)buf + 16, n);
	r->zd = ZSTD_createDCtx();
	r->strings = strtab__new();
	if (!r->meta || !r->zd || !r->strings) {
		rec_reader__free(r);
		*err = "out of memory";
		return NULL;
	}
	return r;
}

void rec_reader__free(struct rec_reader *r)
{
	if (!r)
		return;
	free(r->meta);
	free(r->totals);
	ZSTD_freeDCtx(r->zd);
	strtab__free(r->strings);
	free(r->string_of);
	free(r->frames);
	free(r->kinds);
	free(r->stack_first);
	free(r->stack_len);
	u64map__release(&r->tasks);
	free(r->raw);
	free(r);
}

/* Finds key in "key=value" lines; the value is copied to a static buffer, unescaped. */
static const char *kv_find(const char *text, const char *key)
{
	static char value[4096];
	size_t klen = strlen(key), n = 0;
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');

		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1, *end = eol ? eol : v + strlen(v);

			for (; v < end && n < sizeof(value) - 1; v++) {
				if (*v == '\\' && v + 1 < end) {
					v++;
					value[n++] = *v == 'n' ? '\n' : *v;
				} else {
					value[n++] = *v;
				}
			}
			value[n] = '\0';
			return value;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

const char *rec_reader__meta(const struct rec_reader *r, const char *key)
{
	return kv_find(r->meta, key);
}

const char *rec_reader__total(const struct rec_reader *r, const char *key)
{
	return r->totals ? kv_find(r->totals, key) : NULL;
}

int64_t rec_reader__bad_offset(const struct rec_reader *r)
{
	return r->bad;
}

bool rec_reader__complete(const struct rec_reader *r)
{
	return r->complete;
}

const char *rec_reader__string(const struct rec_reader *r, uint32_t id)
{
	return id < r->nr_strings ? strtab__str(r->strings, r->string_of[id]) : NULL;
}

int rec_reader__stack(const struct rec_reader *r, uint32_t id, const uint32_t **names,
		      const uint8_t **kinds)
{
	if (id >= r->nr_stacks)
		return -1;
	*names = r->frames + r->stack_first[id];
	*kinds = r->kinds + r->stack_first[id];
	return r->stack_len[id];
}

const char *rec_reader__container(const struct rec_reader *r, uint32_t pid)
{
	uint64_t *c = u64map__find(&r->tasks, pid);

	return c && *c ? rec_reader__string(r, *c - 1) : NULL;
}

/* A bounded reader over one decompressed chunk. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t cur__varint(struct cur *c)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		b = *c->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static int rec_reader__strings(struct rec_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i;

	for (i = 0; i < n && !c->bad; i++) {
		uint64_t len = cur__varint(c);
		int64_t id;

		if (c->bad || len > REC_STRING_MAX || len > (uint64_t)(c->end - c->p))
			return -EINVAL;
		id = strtab__intern_len(r->strings, (const char *)c->p, len);
		if (id < 0 || array__grow((void **)&r->string_of, &r->cap_strings,
					  r->nr_strings + 1, sizeof(*r->string_of)))
			return -ENOMEM;
		r->string_of[r->nr_strings++] = id;
		c->p += len;
	}
	return c->bad ? -EINVAL : 0;
}

static int rec_reader__stacks(struct rec_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i, j;

	for (i = 0; i < n && !c->bad; i++) {
		uint64_t nf = cur__varint(c);

		if (c->bad || nf > REC_MAX_FRAMES || nf * 2 > (uint64_t)(c->end - c->p))
			return -EINVAL;
		if (array__grow((void **)&r->frames, &r->cap_frames, r->nr_frames + nf,
				sizeof(*r->frames)) ||
		    array__grow((void **)&r->kinds, &r->cap_kinds, r->nr_frames + nf, 1) ||
		    array__grow((void **)&r->stack_first, &r->cap_stacks, r->nr_stacks + 1,
				sizeof(*r->stack_first)) ||
		    array__grow((void **)&r->stack_len, &r->cap_lens, r->nr_stacks + 1,
				sizeof(*r->stack_len)))
			return -ENOMEM;
		for (j = 0; j < nf; j++) {
			uint64_t s = cur__varint(c);

			if (c->bad || s >= r->nr_strings || c->p >= c->end || *c->p > FRAME_ROOT)
				return -EINVAL;
			r->frames[r->nr_frames + j] = s;
			r->kinds[r->nr_frames + j] = *c->p++;
		}
		r->stack_first[r->nr_stacks] = r->nr_frames;
		r->stack_len[r->nr_stacks++] = nf;
		r->nr_frames += nf;
	}
	return c->bad ? -EINVAL : 0;
}

static int rec_reader__tasks(struct rec_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i;

	for (i = 0; i < n && !c->bad; i++) {
		uint64_t pid = cur__varint(c), cont = cur__varint(c);

		if (c->bad || pid > UINT32_MAX || cont > r->nr_strings)
			return -EINVAL;
		if (u64map__set(&r->tasks, pid, cont))
			return -ENOMEM;
	}
	return c->bad ? -EINVAL : 0;
}

static int rec_reader__samples(struct rec_reader *r, struct cur *c, rec_sample_fn fn, void *ctx,
			       int *stop)
{
	uint64_t n = cur__varint(c), t = cur__varint(c), i;

	for (i = 0; i < n && !c->bad; i++) {
		struct rec_sample s;
		uint64_t v[8];
		int k;

		for (k = 0; k < 8; k++)
			v[k] = cur__varint(c);
		if (c->bad || v[1] > UINT32_MAX || v[2] > UINT32_MAX || v[3] > UINT32_MAX ||
		    v[4] > UINT32_MAX || v[5] >= r->nr_strings || v[6] >= r->nr_stacks ||
		    v[7] > UINT32_MAX)
			return -EINVAL;
		t += v[0];
		s = (struct rec_sample){ t, v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
		*stop = fn(ctx, &s);
		if (*stop)
			return 0;
	}
	return c->bad ? -EINVAL : 0;
}

/* Decompresses and reads one chunk at r->pos. Returns 0, 1 at the end, or -errno. */
static int rec_reader__chunk(struct rec_reader *r, rec_sample_fn fn, void *ctx, int *stop)
{
	const uint8_t *p = r->data + r->pos;
	size_t left = r->len - r->pos, got;
	uint32_t c, u;
	struct cur cur;
	int err = 0;

	if (!left)
		return 1;
	if (left >= 8 && !memcmp(p, "SEND", 4)) {
		uint32_t n = rd32(p + 4);

		if (n <= REC_META_MAX && n <= left - 8) {
			r->totals = copy_text(p + 8, n);
			r->complete = true;
		}
		return 1;
	}
	if (left < 12 || memcmp(p, "SCHK", 4))
		return -EINVAL;
	c = rd32(p + 4);
	u = rd32(p + 8);
	if (c > REC_CHUNK_MAX || u > REC_RAW_MAX || c > left - 12)
		return -EINVAL;
	if (array__grow((void **)&r->raw, &r->raw_cap, u ? u : 1, 1))
		return -ENOMEM;
	got = ZSTD_decompressDCtx(r->zd, r->raw, u, p + 12, c);
	if (ZSTD_isError(got) || got != u)
		return -EINVAL;
	cur = (struct cur){ r->raw, r->raw + u, false };
	while (cur.p < cur.end && !err && !*stop) {
		uint8_t type = *cur.p++;
		uint64_t len = cur__varint(&cur);
		struct cur body = { cur.p, cur.p + len, false };

		if (cur.bad || len > (uint64_t)(cur.end - cur.p))
			return -EINVAL;
		switch (type) {
		case REC_STRINGS:
			err = rec_reader__strings(r, &body);
			break;
		case REC_STACKS:
			err = rec_reader__stacks(r, &body);
			break;
		case REC_TASKS:
			err = rec_reader__tasks(r, &body);
			break;
		case REC_SAMPLES:
			err = rec_reader__samples(r, &body, fn, ctx, stop);
			break;
		default:
			break; /* a newer record type: skipped */
		}
		cur.p += len;
	}
	if (!err)
		r->pos += 12 + c;
	return err;
}

int rec_reader__for_each(struct rec_reader *r, rec_sample_fn fn, void *ctx)
{
	int stop = 0, err;

	for (;;) {
		size_t at = r->pos;

		err = rec_reader__chunk(r, fn, ctx, &stop);
		if (stop)
			return stop;
		if (err == 1)
			return 0;
		if (err) {
			r->bad = at;
			return 0;
		}
	}
}
