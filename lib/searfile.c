// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "array.h"
#include "hash.h"
#include "io.h"
#include "log.h"
#include "stackset.h"
#include "searfile.h"
#include "strtab.h"

#define REC_MAGIC      "SEAR\0REC"
#define REC_VERSION    1
#define REC_META_MAX   (1u << 20)
#define REC_CHUNK_MAX  (64u << 20)
#define REC_RAW_MAX    (256u << 20)
#define REC_STRING_MAX 65536
#define REC_ZSTD_LEVEL 3

/*
 * What a file of a given size can honestly hold, so that a small hostile
 * file cannot make the reader decompress or keep gigabytes. Measured
 * (docs/HARDENING.md): real recordings decompress 3x to 23x, and per
 * compressed byte their tables gain at most 0.02 strings, 0.03 stacks and
 * 7.4 frames (a deep recursion unwound with dwarf). The most a recording
 * can compress is a recursion seen at every depth up to 4096 frames, each
 * stack the last one plus a frame: 529x, and 264 frames per byte
 * (tests/unit/test-searfile.c). The caps are twice that extreme (frames
 * need none of their own: each takes two bytes), and floors that small
 * files never reach. They count over the whole file:
 * every byte decompressed and every entry kept is paid for by the
 * compressed bytes read so far, so time and memory grow with the file's
 * size, by at most a few KB per byte.
 */
#define REC_RATIO_MAX	     1024	/* decompressed bytes per compressed byte */
#define REC_RAW_FLOOR	     (1u << 20) /* decompressed bytes any file may have */
#define REC_ENTRIES_PER_BYTE 1		/* strings, stacks or tasks per compressed byte */
#define REC_ENTRIES_FLOOR    65536

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

/* Metadata text: "key=value" lines; a value's newlines and backslashes are escaped. */

static int buf__kv(struct buf *b, const char *key, const char *value)
{
	const char *p;
	int err = buf__put(b, key, strlen(key)) || buf__put(b, "=", 1);

	for (p = value; *p && !err; p++) {
		if (*p == '\n')
			err = buf__put(b, "\\n", 2);
		else if (*p == '\\')
			err = buf__put(b, "\\\\", 2);
		else
			err = buf__put(b, p, 1);
	}
	return err || buf__put(b, "\n", 1) ? -ENOMEM : 0;
}

static int buf__kv_u64(struct buf *b, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return buf__kv(b, key, num);
}

static int meta__header(const struct sear_meta *m, struct buf *b)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, m->start_unix);
	return buf__kv(b, "sear", m->version) || buf__kv(b, "command", m->command) ||
		       buf__kv(b, "events", m->events) ||
		       buf__kv_u64(b, "frequency", m->frequency) ||
		       buf__kv_u64(b, "period", m->period) ||
		       buf__kv_u64(b, "start_ns", m->start_ns) || buf__kv(b, "start_unix", num) ||
		       buf__kv(b, "host", m->host) || buf__kv(b, "kernel", m->kernel) ||
		       buf__kv(b, "call_graph", m->call_graph) ||
		       buf__kv_u64(b, "container_roots", m->container_roots) ||
		       (m->weight_us && buf__kv(b, "weight_unit", "us"))
		   ? -ENOMEM
		   : 0;
}

static int meta__totals(const struct sear_meta *m, struct buf *b)
{
	char secs[32];

	snprintf(secs, sizeof(secs), "%.3f", m->seconds);
	return buf__kv_u64(b, "samples", m->samples) || buf__kv_u64(b, "lost", m->lost) ||
		       buf__kv_u64(b, "throttled", m->throttled) ||
		       buf__kv_u64(b, "unwind_failures", m->unwind_failures) ||
		       buf__kv_u64(b, "end_ns", m->end_ns) || buf__kv(b, "seconds", secs)
		   ? -ENOMEM
		   : 0;
}

/* Copies a value, unescaped, into out (size bytes). */
static void meta__value(const char *v, const char *end, char *out, size_t size)
{
	size_t n = 0;

	for (; v < end && n + 1 < size; v++) {
		if (*v == '\\' && v + 1 < end) {
			v++;
			out[n++] = *v == 'n' ? '\n' : *v;
		} else {
			out[n++] = *v;
		}
	}
	out[n] = '\0';
}

static uint64_t meta__u64(const char *s)
{
	return strtoull(s, NULL, 10);
}

/* Fills m from "key=value" text (len bytes): the header's keys and the trailer's. */
static void meta__parse(struct sear_meta *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char value[64];

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p), *eq;
		size_t klen;

		if (!eol)
			eol = end;
		eq = memchr(p, '=', eol - p);
		if (eq) {
			klen = eq - p;
			meta__value(eq + 1, eol, value, sizeof(value)); /* for numbers */
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(p, k, klen))
			if (KEY("sear"))
				meta__value(eq + 1, eol, m->version, sizeof(m->version));
			else if (KEY("command"))
				meta__value(eq + 1, eol, m->command, sizeof(m->command));
			else if (KEY("events"))
				meta__value(eq + 1, eol, m->events, sizeof(m->events));
			else if (KEY("frequency"))
				m->frequency = meta__u64(value);
			else if (KEY("period"))
				m->period = meta__u64(value);
			else if (KEY("start_ns"))
				m->start_ns = meta__u64(value);
			else if (KEY("start_unix"))
				m->start_unix = strtoll(value, NULL, 10);
			else if (KEY("host"))
				meta__value(eq + 1, eol, m->host, sizeof(m->host));
			else if (KEY("kernel"))
				meta__value(eq + 1, eol, m->kernel, sizeof(m->kernel));
			else if (KEY("call_graph"))
				meta__value(eq + 1, eol, m->call_graph, sizeof(m->call_graph));
			else if (KEY("container_roots"))
				m->container_roots = meta__u64(value) != 0;
			else if (KEY("weight_unit"))
				m->weight_us = !strcmp(value, "us");
			else if (KEY("samples"))
				m->samples = meta__u64(value);
			else if (KEY("lost"))
				m->lost = meta__u64(value);
			else if (KEY("throttled"))
				m->throttled = meta__u64(value);
			else if (KEY("unwind_failures"))
				m->unwind_failures = meta__u64(value);
			else if (KEY("end_ns"))
				m->end_ns = meta__u64(value);
			else if (KEY("seconds"))
				m->seconds = strtod(value, NULL);
#undef KEY
		}
		p = eol + 1;
	}
}

struct sear_writer {
	int fd;
	ZSTD_CCtx *zc;
	struct strtab *strings;
	uint32_t strings_done;	 /* ids below this are in earlier chunks */
	struct stackset *stacks; /* stacks interned as frames {string id, kind} */
	uint32_t stacks_done, nr_stacks;
	struct buf tasks;
	uint32_t nr_tasks;
	struct buf samples;
	uint32_t nr_samples;
	uint64_t base, last;
	struct buf raw, out;
};

struct sear_writer *sear_writer__new(int fd, const struct sear_meta *m)
{
	struct sear_writer *w = calloc(1, sizeof(*w));
	struct buf hdr = { 0 }, meta = { 0 };
	size_t n;
	int err;

	if (!w || meta__header(m, &meta)) {
		free(w);
		free(meta.p);
		errno = ENOMEM;
		return NULL;
	}
	n = meta.len;
	w->fd = fd;
	w->zc = ZSTD_createCCtx();
	w->strings = strtab__new();
	w->stacks = stackset__new();
	if (!w->zc || !w->strings || !w->stacks || n > REC_META_MAX) {
		sear_writer__free(w);
		free(meta.p);
		errno = n > REC_META_MAX ? E2BIG : ENOMEM;
		return NULL;
	}
	ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, REC_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1);
	err = buf__put(&hdr, REC_MAGIC, 8) || buf__u32(&hdr, REC_VERSION) || buf__u32(&hdr, n) ||
	      buf__put(&hdr, meta.p, n);
	if (!err)
		err = io__write_all(fd, hdr.p, hdr.len);
	free(hdr.p);
	free(meta.p);
	if (err) {
		sear_writer__free(w);
		errno = err < 0 ? -err : ENOMEM;
		return NULL;
	}
	return w;
}

void sear_writer__free(struct sear_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->zc);
	strtab__free(w->strings);
	stackset__free(w->stacks);
	free(w->tasks.p);
	free(w->samples.p);
	free(w->raw.p);
	free(w->out.p);
	free(w);
}

int64_t sear_writer__string(struct sear_writer *w, const char *s)
{
	size_t n = strnlen(s, REC_STRING_MAX);

	return strtab__intern_len(w->strings, s, n);
}

int64_t sear_writer__stack(struct sear_writer *w, const uint32_t *names,
			   const enum frame_kind *kinds, size_t nr)
{
	struct frame f[SEAR_MAX_FRAMES];
	int64_t id;
	size_t i;

	if (nr > SEAR_MAX_FRAMES)
		return -E2BIG;
	for (i = 0; i < nr; i++)
		f[i] = (struct frame){ .addr = names[i], .dso = kinds[i] };
	id = stackset__intern(w->stacks, f, nr);
	if (id >= 0 && (uint32_t)id >= w->nr_stacks)
		w->nr_stacks = id + 1;
	return id;
}

int sear_writer__task(struct sear_writer *w, uint32_t pid, int64_t container)
{
	w->nr_tasks++;
	return buf__varint(&w->tasks, pid) || buf__varint(&w->tasks, container + 1) ? -ENOMEM : 0;
}

int sear_writer__sample(struct sear_writer *w, const struct sear_sample *s)
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

size_t sear_writer__pending(const struct sear_writer *w)
{
	return w->nr_samples;
}

/* Appends a record: type, varint length, body. */
static int searfile__record(struct buf *raw, int type, const struct buf *body)
{
	uint8_t t = type;

	return buf__put(raw, &t, 1) || buf__varint(raw, body->len) ||
		       buf__put(raw, body->p, body->len)
		   ? -ENOMEM
		   : 0;
}

static int sear_writer__tables(struct sear_writer *w, struct buf *raw)
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
		err = err || searfile__record(raw, REC_STRINGS, &body);
		body.len = 0;
	}
	if (!err && w->nr_stacks > w->stacks_done) {
		err = buf__varint(&body, w->nr_stacks - w->stacks_done);
		for (i = w->stacks_done; i < w->nr_stacks && !err; i++) {
			const struct frame *f = stackset__frames(w->stacks, i, &nr);

			err = buf__varint(&body, nr);
			for (j = 0; j < nr && !err; j++) {
				uint8_t kind = f[j].dso;

				err = buf__varint(&body, f[j].addr) || buf__put(&body, &kind, 1);
			}
		}
		err = err || searfile__record(raw, REC_STACKS, &body);
		body.len = 0;
	}
	if (!err && w->nr_tasks) {
		err = buf__varint(&body, w->nr_tasks) ||
		      buf__put(&body, w->tasks.p, w->tasks.len) ||
		      searfile__record(raw, REC_TASKS, &body);
		body.len = 0;
	}
	free(body.p);
	return err ? -ENOMEM : 0;
}

int sear_writer__flush(struct sear_writer *w)
{
	struct buf body = { 0 };
	size_t bound, c;
	int err;

	w->raw.len = 0;
	err = sear_writer__tables(w, &w->raw);
	if (!err && w->nr_samples)
		err = buf__varint(&body, w->nr_samples) || buf__varint(&body, w->base) ||
		      buf__put(&body, w->samples.p, w->samples.len) ||
		      searfile__record(&w->raw, REC_SAMPLES, &body);
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
	err = io__write_all(w->fd, w->out.p, w->out.len);
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

int sear_writer__finish(struct sear_writer *w, const struct sear_meta *m)
{
	struct buf t = { 0 }, totals = { 0 };
	int err = sear_writer__flush(w);

	if (!err)
		err = meta__totals(m, &totals);
	if (!err)
		err = buf__put(&t, "SEND", 4) || buf__u32(&t, totals.len) ||
			      buf__put(&t, totals.p, totals.len)
			  ? -ENOMEM
			  : 0;
	if (!err)
		err = io__write_all(w->fd, t.p, t.len);
	free(t.p);
	free(totals.p);
	sear_writer__free(w);
	return err;
}

/* Reading */

struct sear_reader {
	const char *name;
	bool fd_mode;
	int fd;
	uint8_t *head; /* fd mode: bytes taken from fd before the reader, read first */
	size_t head_len, head_pos;
	const uint8_t *mem; /* when not fd_mode */
	size_t mem_len;
	uint64_t pos; /* bytes consumed */
	struct sear_meta meta;
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
	size_t nr_tasks;     /* task entries read, repeats included */
	uint64_t comp_total; /* bytes of the chunks read: what pays for the rest */
	uint64_t raw_total;  /* their decompressed bytes */
	int64_t bad;
	const char *bad_reason;
	uint8_t *comp, *raw;
	size_t comp_cap, raw_cap;
};

bool searfile__is_sear(const void *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, REC_MAGIC, 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* How many entries the chunks read so far can honestly hold. */
static uint64_t sear_reader__budget(const struct sear_reader *r, uint64_t per_byte, uint64_t floor)
{
	return floor + per_byte * r->comp_total;
}

/* True when have + n entries would pass the budget; n is from the file and may be anything. */
static bool over_budget(uint64_t have, uint64_t n, uint64_t budget)
{
	return have > budget || n > budget - have;
}

/* Reads up to n bytes of the input. Returns how many (fewer only at the end), or -errno. */
static ssize_t sear_reader__read(struct sear_reader *r, void *buf, size_t n)
{
	ssize_t done;

	if (!r->fd_mode) {
		size_t left = r->mem_len - r->pos;

		done = n < left ? n : left;
		memcpy(buf, r->mem + r->pos, done);
	} else {
		size_t from_head = r->head_len - r->head_pos;
		ssize_t more = 0;

		if (from_head > n)
			from_head = n;
		if (from_head) /* no head: r->head is NULL */
			memcpy(buf, r->head + r->head_pos, from_head);
		r->head_pos += from_head;
		if (from_head < n)
			more = io__read_full(r->fd, (uint8_t *)buf + from_head, n - from_head);
		if (more < 0)
			return more;
		done = from_head + more;
	}
	r->pos += done;
	return done;
}

static struct sear_reader *sear_reader__open(struct sear_reader *r)
{
	uint8_t hdr[16];
	uint32_t version, n;
	char *text = NULL;
	ssize_t got;

	r->bad = -1;
	r->zd = ZSTD_createDCtx();
	r->strings = strtab__new();
	if (!r->zd || !r->strings) {
		errno = ENOMEM;
		goto out_free;
	}
	got = sear_reader__read(r, hdr, sizeof(hdr));
	if (got < 0) {
		pr_warn("cannot read '%s': %s", r->name, sear_strerror(-got));
		errno = -got;
		goto out_free;
	}
	errno = EINVAL;
	if (!searfile__is_sear(hdr, got)) {
		pr_warn("cannot read '%s': not a .sear recording (bad magic)", r->name);
		goto out_free;
	}
	if (got < 16) {
		pr_warn("cannot read '%s': the header is cut short", r->name);
		goto out_free;
	}
	version = rd32(hdr + 8);
	n = rd32(hdr + 12);
	if (version != REC_VERSION) {
		pr_warn("cannot read '%s': unknown version %u (written by a newer sear?)", r->name,
			version);
		goto out_free;
	}
	text = n <= REC_META_MAX ? malloc(n + 1) : NULL;
	if (!text || sear_reader__read(r, text, n) != (ssize_t)n) {
		pr_warn("cannot read '%s': the header is corrupt or cut short", r->name);
		goto out_free;
	}
	meta__parse(&r->meta, text, n);
	free(text);
	return r;
out_free:
	free(text);
	sear_reader__free(r);
	return NULL;
}

struct sear_reader *sear_reader__new_fd(int fd, const char *name)
{
	return sear_reader__new_fd_after(fd, NULL, 0, name);
}

struct sear_reader *sear_reader__new_fd_after(int fd, const void *head, size_t len,
					      const char *name)
{
	struct sear_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd_mode = true;
	r->fd = fd;
	r->name = name;
	if (len) {
		r->head = malloc(len);
		if (!r->head) {
			free(r);
			errno = ENOMEM;
			return NULL;
		}
		memcpy(r->head, head, len);
		r->head_len = len;
	}
	return sear_reader__open(r);
}

struct sear_reader *sear_reader__new_mem(const void *buf, size_t len, const char *name)
{
	struct sear_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->mem = buf;
	r->mem_len = len;
	r->name = name;
	return sear_reader__open(r);
}

void sear_reader__free(struct sear_reader *r)
{
	if (!r)
		return;
	ZSTD_freeDCtx(r->zd);
	free(r->head);
	strtab__free(r->strings);
	free(r->string_of);
	free(r->frames);
	free(r->kinds);
	free(r->stack_first);
	free(r->stack_len);
	u64map__release(&r->tasks);
	free(r->comp);
	free(r->raw);
	free(r);
}

const struct sear_meta *sear_reader__meta(const struct sear_reader *r)
{
	return &r->meta;
}

int64_t sear_reader__bad_offset(const struct sear_reader *r)
{
	return r->bad;
}

const char *sear_reader__bad_reason(const struct sear_reader *r)
{
	return r->bad < 0 ? NULL : r->bad_reason;
}

uint64_t sear_reader__offset(const struct sear_reader *r)
{
	return r->pos;
}

const char *sear_reader__string(const struct sear_reader *r, uint32_t id)
{
	return id < r->nr_strings ? strtab__str(r->strings, r->string_of[id]) : NULL;
}

int sear_reader__stack(const struct sear_reader *r, uint32_t id, const uint32_t **names,
		       const uint8_t **kinds)
{
	if (id >= r->nr_stacks)
		return -1;
	*names = r->frames + r->stack_first[id];
	*kinds = r->kinds + r->stack_first[id];
	return r->stack_len[id];
}

const char *sear_reader__container(const struct sear_reader *r, uint32_t pid)
{
	uint64_t *c = u64map__find(&r->tasks, pid);

	return c && *c ? sear_reader__string(r, *c - 1) : NULL;
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

/* The reason a chunk is refused: a table that would hold more than the file can. */
static int sear_reader__too_many(struct sear_reader *r, const char *what)
{
	r->bad_reason = what;
	return -EINVAL;
}

static int sear_reader__strings(struct sear_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i;

	if (over_budget(r->nr_strings, n,
			sear_reader__budget(r, REC_ENTRIES_PER_BYTE, REC_ENTRIES_FLOOR)))
		return sear_reader__too_many(r, "more strings than its size allows");

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

static int sear_reader__stacks(struct sear_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i, j;

	if (over_budget(r->nr_stacks, n,
			sear_reader__budget(r, REC_ENTRIES_PER_BYTE, REC_ENTRIES_FLOOR)))
		return sear_reader__too_many(r, "more stacks than its size allows");
	for (i = 0; i < n && !c->bad; i++) {
		uint64_t nf = cur__varint(c);

		if (c->bad || nf > SEAR_MAX_FRAMES || nf * 2 > (uint64_t)(c->end - c->p))
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

			if (c->bad || s >= r->nr_strings || c->p >= c->end || *c->p > FRAME_OFFCPU)
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

static int sear_reader__tasks(struct sear_reader *r, struct cur *c)
{
	uint64_t n = cur__varint(c), i;

	if (over_budget(r->nr_tasks, n,
			sear_reader__budget(r, REC_ENTRIES_PER_BYTE, REC_ENTRIES_FLOOR)))
		return sear_reader__too_many(r, "more tasks than its size allows");
	r->nr_tasks += n;
	for (i = 0; i < n && !c->bad; i++) {
		uint64_t pid = cur__varint(c), cont = cur__varint(c);

		if (c->bad || pid > UINT32_MAX || cont > r->nr_strings)
			return -EINVAL;
		if (u64map__set(&r->tasks, pid, cont))
			return -ENOMEM;
	}
	return c->bad ? -EINVAL : 0;
}

static int sear_reader__samples(struct sear_reader *r, struct cur *c, sear_sample_fn fn, void *ctx,
				int *stop)
{
	uint64_t n = cur__varint(c), t = cur__varint(c), i;

	for (i = 0; i < n && !c->bad; i++) {
		struct sear_sample s;
		uint64_t v[8];
		int k;

		for (k = 0; k < 8; k++)
			v[k] = cur__varint(c);
		if (c->bad || v[1] > UINT32_MAX || v[2] > UINT32_MAX || v[3] > UINT32_MAX ||
		    v[4] > UINT32_MAX || v[5] >= r->nr_strings || v[6] >= r->nr_stacks ||
		    v[7] > UINT32_MAX)
			return -EINVAL;
		t += v[0];
		s = (struct sear_sample){ t, v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
		*stop = fn(ctx, &s);
		if (*stop)
			return 0;
	}
	return c->bad ? -EINVAL : 0;
}

/*
 * Reads and decompresses the next chunk. Returns 0, 1 at the end (or the
 * trailer), -EINVAL for a chunk that is cut short or corrupt, or -errno.
 */
static int sear_reader__chunk(struct sear_reader *r, sear_sample_fn fn, void *ctx, int *stop)
{
	uint8_t h[12];
	ssize_t got = sear_reader__read(r, h, 8);
	uint32_t c, u;
	size_t out;
	struct cur cur;
	int err = 0;

	if (got < 0)
		return got;
	if (!got)
		return 1;
	if (got == 8 && !memcmp(h, "SEND", 4)) {
		uint32_t n = rd32(h + 4);
		char *text = n <= REC_META_MAX ? malloc(n + 1) : NULL;

		if (text && sear_reader__read(r, text, n) == (ssize_t)n) {
			meta__parse(&r->meta, text, n);
			r->meta.complete = true;
		}
		free(text);
		return 1;
	}
	if (got < 8 || memcmp(h, "SCHK", 4) || sear_reader__read(r, h + 8, 4) != 4)
		return -EINVAL;
	c = rd32(h + 4);
	u = rd32(h + 8);
	if (c > REC_CHUNK_MAX || u > REC_RAW_MAX)
		return -EINVAL;
	if (array__grow((void **)&r->comp, &r->comp_cap, c ? c : 1, 1))
		return -ENOMEM;
	got = sear_reader__read(r, r->comp, c);
	if (got < 0)
		return got;
	if (got != c)
		return -EINVAL;
	/* The bytes are there: they pay for what the chunk may decompress to, and hold. */
	r->comp_total += 12 + c;
	if (over_budget(r->raw_total, u, sear_reader__budget(r, REC_RATIO_MAX, REC_RAW_FLOOR))) {
		r->bad_reason = "it decompresses to more than its size allows";
		return -EINVAL;
	}
	r->raw_total += u;
	if (array__grow((void **)&r->raw, &r->raw_cap, u ? u : 1, 1))
		return -ENOMEM;
	out = ZSTD_decompressDCtx(r->zd, r->raw, u, r->comp, c);
	if (ZSTD_isError(out) || out != u)
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
			err = sear_reader__strings(r, &body);
			break;
		case REC_STACKS:
			err = sear_reader__stacks(r, &body);
			break;
		case REC_TASKS:
			err = sear_reader__tasks(r, &body);
			break;
		case REC_SAMPLES:
			err = sear_reader__samples(r, &body, fn, ctx, stop);
			break;
		default:
			break; /* a newer record type: skipped */
		}
		cur.p += len;
	}
	return err;
}

int sear_reader__for_each(struct sear_reader *r, sear_sample_fn fn, void *ctx)
{
	int stop = 0, err;

	for (;;) {
		uint64_t at = r->pos;

		err = sear_reader__chunk(r, fn, ctx, &stop);
		if (stop)
			return stop;
		if (err == 1)
			return 0;
		if (err == -EINVAL) {
			r->bad = at;
			return 0;
		}
		if (err)
			return err;
	}
}
