// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "perfdata.h"

#define PERF_MAGIC	   "PERFILE2"
#define PERF_HEADER_SIZE   104
#define MAX_ATTRS	   64
#define MAX_IDS		   (1u << 20)
#define MAX_BUILD_IDS	   65536
#define FEATURE_MAX	   (64u << 20) /* bytes of one feature section sear reads */
#define FEAT_BUILD_ID	   2
#define FEAT_CMDLINE	   11
#define FEAT_EVENT_DESC	   12
#define REC_FINISHED_ROUND 68
#define REC_AUXTRACE	   71
#define REC_COMPRESSED	   81
#define WINDOW		   (1u << 20) /* bytes read at a time */
#define RECORD_MAX	   65536      /* a record's size is a u16 */

struct section {
	uint64_t offset, size;
};

/* A record waiting for its round to be delivered: its bytes sit in the queue's arena. */
struct queued {
	uint64_t time, seq;
	size_t off; /* in the arena, 8-byte aligned */
};

struct queue {
	struct queued *v;
	size_t nr, cap;
	uint8_t *arena;
	size_t used, size;
};

struct perfdata {
	const char *name;
	int fd; /* or -1 when reading mem */
	const uint8_t *mem;
	uint64_t len; /* of the file or buffer */
	struct perf_event_attr attrs[MAX_ATTRS];
	struct perfrec_layout layout;
	char names[MAX_ATTRS][64];
	int nr_attrs;
	struct u64map ids; /* sample id -> attr index */
	char command[256];
	struct perfdata_build_id *build_ids;
	size_t nr_build_ids;
	char *build_id_paths; /* the feature's bytes, which the paths point into */
	uint8_t *build_id_bytes;
	struct section data;
	struct perfdata_stats stats;
	/* reading */
	uint8_t *window;
	uint64_t aligned[RECORD_MAX / 8]; /* a misaligned record, copied */
	uint64_t window_off, window_len;
	struct queue q, spare;
	struct queued *sorting; /* scratch for queued__sort(), sorting_cap entries */
	size_t sorting_cap;
	uint64_t seq, round_max, limit, flushed; /* see perfdata__process() */
	bool processed;
};

static void pd__log(const struct perfdata *pd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pd__log(const struct perfdata *pd, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	pr_warn("cannot read '%s': %s", pd->name, reason);
}

bool perfdata__is_perfdata(const void *buf, size_t len)
{
	return len >= 8 && (!memcmp(buf, PERF_MAGIC, 8) || !memcmp(buf, "2ELIFREP", 8));
}

/* Reads len bytes at off. Returns 0, or -EIO when the file has fewer. */
static int pd__read(const struct perfdata *pd, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off > pd->len || len > pd->len - off)
		return -EIO;
	if (pd->mem) {
		memcpy(buf, pd->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t r = pread(pd->fd, (uint8_t *)buf + done, len - done, off + done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += r;
	}
	return 0;
}

static uint64_t rd64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return v;
}

static uint32_t rd32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return v;
}

static uint16_t rd16(const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return v;
}

int perfdata__data_section(const void *buf, size_t len, uint64_t *offset, uint64_t *size)
{
	if (len < PERF_HEADER_SIZE || memcmp(buf, PERF_MAGIC, 8) ||
	    rd64((const uint8_t *)buf + 8) < PERF_HEADER_SIZE)
		return -EINVAL;
	*offset = rd64((const uint8_t *)buf + 40);
	*size = rd64((const uint8_t *)buf + 48);
	return 0;
}

bool perfdata__plausible_record(const void *hdr)
{
	struct perf_event_header h;

	memcpy(&h, hdr, sizeof(h));
	/* The kernel's types, and perf's own (64 and up), are all below 256. */
	return h.size >= sizeof(h) && h.type && h.type < 256;
}

/* A name for an event from its attr, where the event-desc feature is missing. */
static void attr_name(const struct perf_event_attr *a, char *buf, size_t size)
{
	static const char *const hw[] = { "cycles",	  "instructions", "cache-references",
					  "cache-misses", "branches",	  "branch-misses",
					  "bus-cycles" };
	static const char *const sw[] = { "cpu-clock", "task-clock", "page-faults",
					  "context-switches", "cpu-migrations" };

	if (a->type == PERF_TYPE_HARDWARE && a->config < sizeof(hw) / sizeof(hw[0]))
		snprintf(buf, size, "%s", hw[a->config]);
	else if (a->type == PERF_TYPE_SOFTWARE && a->config < sizeof(sw) / sizeof(sw[0]))
		snprintf(buf, size, "%s", sw[a->config]);
	else
		snprintf(buf, size, "type%u:0x%llx", a->type, (unsigned long long)a->config);
}

static int pd__attrs(struct perfdata *pd, uint64_t attr_size, struct section s)
{
	uint8_t e[4096];
	uint64_t i, n, j, id;
	int err;

	if (attr_size < 16 + 64 || attr_size > sizeof(e) || s.offset > pd->len ||
	    s.size > pd->len - s.offset) {
		pd__log(pd, "corrupt attrs section");
		return -EINVAL;
	}
	n = s.size / attr_size;
	if (!n) {
		pd__log(pd, "no events in the file");
		return -EINVAL;
	}
	if (n > MAX_ATTRS) {
		pd__log(pd, "too many events (%llu; sear reads up to %d)", (unsigned long long)n,
			MAX_ATTRS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		size_t asz = attr_size - 16,
		       copy = asz < sizeof(pd->attrs[0]) ? asz : sizeof(pd->attrs[0]);
		struct perf_event_attr *a = &pd->attrs[i];
		struct section ids;

		if (pd__read(pd, s.offset + i * attr_size, e, attr_size))
			return -EIO;
		ids = (struct section){ rd64(e + asz), rd64(e + asz + 8) };
		memcpy(a, e, copy);
		if (a->sample_type & PERF_SAMPLE_BRANCH_STACK) {
			pd__log(pd, "branch stacks (perf record -b) are not supported");
			return -EINVAL;
		}
		if (i && a->sample_type != pd->attrs[0].sample_type) {
			pd__log(pd, "events with different sample types are not supported");
			return -EINVAL;
		}
		attr_name(a, pd->names[i], sizeof(pd->names[i]));
		if (ids.offset > pd->len || ids.size > pd->len - ids.offset ||
		    ids.size / 8 > MAX_IDS) {
			pd__log(pd, "corrupt event ids");
			return -EINVAL;
		}
		for (j = 0; j < ids.size / 8; j++) {
			if (pd__read(pd, ids.offset + j * 8, &id, 8))
				return -EIO;
			err = u64map__set(&pd->ids, id, i);
			if (err)
				return err;
		}
	}
	pd->nr_attrs = n;
	pd->layout =
	    (struct perfrec_layout){ pd->attrs[0].sample_type, pd->attrs[0].read_format,
				     pd->attrs[0].sample_regs_user, pd->attrs[0].sample_id_all };
	/* Several events must say which one wrote a record, at a place all can agree on. */
	if (n > 1 && !(pd->layout.sample_type & (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_ID))) {
		pd__log(pd, "several events without sample ids");
		return -EINVAL;
	}
	return 0;
}

/* A perf header string: u32 len (padded), then the bytes. Returns false when cut short. */
static bool pd__string(const uint8_t **q, const uint8_t *end, char *out, size_t size)
{
	uint32_t n;

	if (end - *q < 4)
		return false;
	n = rd32(*q);
	*q += 4;
	if (n > (size_t)(end - *q))
		return false;
	snprintf(out, size, "%.*s", (int)strnlen((const char *)*q, n), (const char *)*q);
	*q += n;
	return true;
}

static void pd__cmdline(struct perfdata *pd, const uint8_t *q, const uint8_t *end)
{
	uint32_t nr, i;
	size_t used = 0;
	char arg[256];

	if (end - q < 4)
		return;
	nr = rd32(q);
	q += 4;
	for (i = 0; i < nr && i < 64 && pd__string(&q, end, arg, sizeof(arg)); i++) {
		int w = snprintf(pd->command + used, sizeof(pd->command) - used, "%s%s",
				 i ? " " : "", arg);

		if (w < 0 || used + w >= sizeof(pd->command) - 1)
			break;
		used += w;
	}
}

static void pd__event_desc(struct perfdata *pd, const uint8_t *q, const uint8_t *end)
{
	uint32_t nr, asz, i, nids;
	char name[64];

	if (end - q < 8)
		return;
	nr = rd32(q);
	asz = rd32(q + 4);
	q += 8;
	for (i = 0; i < nr && i < (uint32_t)pd->nr_attrs; i++) {
		if (asz > (size_t)(end - q) || end - q - asz < 4)
			break;
		q += asz;
		nids = rd32(q);
		q += 4;
		if (!pd__string(&q, end, name, sizeof(name)) ||
		    (uint64_t)nids * 8 > (uint64_t)(end - q))
			break;
		q += nids * 8;
		snprintf(pd->names[i], sizeof(pd->names[i]), "%s", name);
	}
}

/* { header; pid; build_id[24]; filename[] } records; buf is kept for the paths. */
static void pd__build_ids(struct perfdata *pd, uint8_t *buf, size_t len)
{
	uint8_t *q = buf, *end = buf + len;
	size_t n = 0;

	pd->build_ids =
	    calloc(MAX_BUILD_IDS < len / 36 ? MAX_BUILD_IDS : len / 36 + 1, sizeof(*pd->build_ids));
	if (!pd->build_ids)
		return;
	while (end - q >= 36 && n < MAX_BUILD_IDS) {
		uint16_t size = rd16(q + 6), misc = rd16(q + 4);
		size_t idlen = 20;
		char *name = (char *)q + 36;

		if (size < 36 || size > end - q)
			break;
		/* perf 5.x+ stores the real size in byte 20 of the id field */
		if (misc & 2 /* PERF_RECORD_MISC_BUILD_ID_SIZE */ && q[12 + 20] <= 20)
			idlen = q[12 + 20];
		if (memchr(name, '\0', size - 36))
			pd->build_ids[n++] = (struct perfdata_build_id){ name, q + 12, idlen };
		q += size;
	}
	pd->nr_build_ids = n;
	pd->build_id_bytes = buf;
}

/* The feature sections follow the data; a file perf did not finish has none. */
static void pd__features(struct perfdata *pd, const uint64_t *bits)
{
	uint64_t at = pd->data.offset + pd->data.size;
	int bit;

	if (pd->stats.no_size)
		return;
	for (bit = 0; bit < 256; bit++) {
		uint8_t idx[16], *buf;
		struct section s;

		if (!(bits[bit / 64] >> (bit % 64) & 1))
			continue;
		if (pd__read(pd, at, idx, sizeof(idx)))
			return;
		at += 16;
		if (bit != FEAT_CMDLINE && bit != FEAT_EVENT_DESC && bit != FEAT_BUILD_ID)
			continue;
		s = (struct section){ rd64(idx), rd64(idx + 8) };
		if (s.size > FEATURE_MAX || !s.size)
			continue;
		buf = malloc(s.size + 1);
		if (!buf)
			return;
		if (pd__read(pd, s.offset, buf, s.size)) {
			free(buf);
			continue;
		}
		buf[s.size] = '\0';
		if (bit == FEAT_CMDLINE) {
			pd__cmdline(pd, buf, buf + s.size);
		} else if (bit == FEAT_EVENT_DESC) {
			pd__event_desc(pd, buf, buf + s.size);
		} else if (!pd->build_id_bytes) {
			pd__build_ids(pd, buf, s.size);
			continue; /* the paths point into buf */
		}
		free(buf);
	}
}

static struct perfdata *pd__open(struct perfdata *pd)
{
	uint8_t h[PERF_HEADER_SIZE];
	uint64_t bits[4], hsize, attr_size;
	struct section attrs;
	int err = -EINVAL;

	if (pd->len < 16 || pd__read(pd, 0, h, 16) || !perfdata__is_perfdata(h, 16)) {
		pd__log(pd, "not a perf.data file");
		goto out_free;
	}
	if (!memcmp(h, "2ELIFREP", 8)) {
		pd__log(pd, "a big-endian perf.data: read it on the machine that wrote it");
		goto out_free;
	}
	hsize = rd64(h + 8);
	if (hsize == 16) {
		pd__log(pd, "perf.data written to a pipe (perf record -o -) is not supported: "
			    "record to a file");
		goto out_free;
	}
	if (hsize < PERF_HEADER_SIZE || pd__read(pd, 0, h, sizeof(h))) {
		pd__log(pd, "the header is cut short or corrupt");
		goto out_free;
	}
	attr_size = rd64(h + 16);
	attrs = (struct section){ rd64(h + 24), rd64(h + 32) };
	pd->data = (struct section){ rd64(h + 40), rd64(h + 48) };
	memcpy(bits, h + 72, sizeof(bits));
	err = pd__attrs(pd, attr_size, attrs);
	if (err)
		goto out_free;
	if (pd->data.offset > pd->len) {
		pd__log(pd, "the data section starts past the end of the file (cut short?)");
		err = -EINVAL;
		goto out_free;
	}
	/* A perf record that was killed leaves the size 0; a cut file, one too large. */
	if (!pd->data.size && pd->len > pd->data.offset) {
		pd->stats.no_size = true;
		pd->data.size = pd->len - pd->data.offset;
	} else if (pd->data.size > pd->len - pd->data.offset) {
		pd->stats.cut_bytes = pd->data.size - (pd->len - pd->data.offset);
		pd->data.size = pd->len - pd->data.offset;
		pd->stats.no_size = true; /* no features either: they were past the cut */
	}
	pd__features(pd, bits);
	return pd;
out_free:
	perfdata__free(pd);
	errno = -err;
	return NULL;
}

struct perfdata *perfdata__open_fd(int fd, const char *name)
{
	struct perfdata *pd = calloc(1, sizeof(*pd));
	struct stat st;

	if (!pd)
		return NULL;
	pd->fd = fd;
	pd->name = name;
	if (fstat(fd, &st)) {
		free(pd);
		return NULL;
	}
	pd->len = st.st_size;
	return pd__open(pd);
}

struct perfdata *perfdata__open_mem(const void *buf, size_t len, const char *name)
{
	struct perfdata *pd = calloc(1, sizeof(*pd));

	if (!pd)
		return NULL;
	pd->fd = -1;
	pd->mem = buf;
	pd->len = len;
	pd->name = name;
	return pd__open(pd);
}

static void queue__release(struct queue *q)
{
	free(q->v);
	free(q->arena);
}

void perfdata__free(struct perfdata *pd)
{
	if (!pd)
		return;
	u64map__release(&pd->ids);
	free(pd->build_ids);
	free(pd->build_id_bytes);
	free(pd->window);
	queue__release(&pd->q);
	queue__release(&pd->spare);
	free(pd->sorting);
	free(pd);
}

const struct perfrec_layout *perfdata__layout(const struct perfdata *pd)
{
	return &pd->layout;
}

uint64_t perfdata__stack_size(const struct perfdata *pd)
{
	return pd->attrs[0].sample_stack_user;
}

void perfdata__rate(const struct perfdata *pd, uint64_t *freq, uint64_t *period)
{
	*freq = pd->attrs[0].freq ? pd->attrs[0].sample_freq : 0;
	*period = pd->attrs[0].freq ? 0 : pd->attrs[0].sample_period;
}

int perfdata__nr_events(const struct perfdata *pd)
{
	return pd->nr_attrs;
}

const char *perfdata__event_name(const struct perfdata *pd, int i)
{
	return i >= 0 && i < pd->nr_attrs ? pd->names[i] : NULL;
}

int perfdata__event_of(const struct perfdata *pd, uint64_t id)
{
	const uint64_t *i;

	if (pd->nr_attrs == 1)
		return 0;
	i = u64map__find(&pd->ids, id);
	return i ? (int)*i : -1;
}

const char *perfdata__command(const struct perfdata *pd)
{
	return pd->command;
}

size_t perfdata__build_ids(const struct perfdata *pd, const struct perfdata_build_id **ids)
{
	*ids = pd->build_ids;
	return pd->nr_build_ids;
}

const struct perfdata_stats *perfdata__stats(const struct perfdata *pd)
{
	return &pd->stats;
}

/* Copies a record into the queue. Returns 0 or -ENOMEM. */
static int queue__push(struct queue *q, const struct perf_event_header *h, uint64_t time,
		       uint64_t seq)
{
	size_t need = (h->size + 7) & ~7u;

	if (q->nr == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 4096;
		struct queued *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	if (q->size - q->used < need) {
		size_t size = q->size ? q->size * 2 : WINDOW;
		uint8_t *a;

		while (size - q->used < need)
			size *= 2;
		a = realloc(q->arena, size);
		if (!a)
			return -ENOMEM;
		q->arena = a;
		q->size = size;
	}
	memcpy(q->arena + q->used, h, h->size);
	q->v[q->nr++] = (struct queued){ time, seq, q->used };
	q->used += need;
	return 0;
}

static bool queued__before(const struct queued *x, const struct queued *y)
{
	return x->time != y->time ? x->time < y->time : x->seq < y->seq;
}

/* The end of the run in order that starts at v[i]. */
static size_t queued__run(const struct queued *v, size_t i, size_t n)
{
	for (i++; i < n && queued__before(&v[i - 1], &v[i]); i++)
		;
	return i;
}

/*
 * Sorts v by time, then by seq, through tmp (room for n). A round holds a
 * few runs already in order (one per CPU's buffer, and what the last round
 * kept back): each pass merges the runs in pairs, so a handful of runs
 * cost a few passes over v, not the n log n compares of a general sort.
 */
static void queued__sort(struct queued *v, size_t n, struct queued *tmp)
{
	struct queued *src = v, *dst = tmp, *t;

	while (n && queued__run(src, 0, n) < n) {
		for (size_t a = 0, b, e, i, j, k; a < n; a = e) {
			b = queued__run(src, a, n);
			e = b < n ? queued__run(src, b, n) : n;
			for (i = a, j = b, k = a; k < e; k++)
				dst[k] = j < e && (i == b || queued__before(&src[j], &src[i]))
					     ? src[j++]
					     : src[i++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/*
 * Delivers the queued records up to time limit (all with flush_all), in
 * time order; the rest move to a fresh arena for the next round.
 */
static int pd__flush(struct perfdata *pd, uint64_t limit, bool flush_all,
		     const struct perf_tool *tool, void *ctx)
{
	struct queue *q = &pd->q, *rest = &pd->spare, tmp;
	size_t i;
	int err;

	if (q->nr > pd->sorting_cap) {
		struct queued *v = realloc(pd->sorting, q->cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pd->sorting = v;
		pd->sorting_cap = q->cap;
	}
	queued__sort(q->v, q->nr, pd->sorting);
	for (i = 0; i < q->nr && (flush_all || q->v[i].time <= limit); i++) {
		const struct perf_event_header *h = (const void *)(q->arena + q->v[i].off);

		err = perfrec__deliver(tool, ctx, h, &pd->layout);
		if (err == -EINVAL) {
			pd->stats.bad_records++;
			continue;
		}
		if (err)
			return err;
		pd->stats.records++;
	}
	rest->nr = rest->used = 0;
	for (; i < q->nr; i++) {
		err = queue__push(rest, (const void *)(q->arena + q->v[i].off), q->v[i].time,
				  q->v[i].seq);
		if (err)
			return err;
	}
	tmp = *q;
	*q = *rest;
	*rest = tmp;
	return 0;
}

/* Points *h at the record at off, reading more of the file as needed. */
static int pd__next(struct perfdata *pd, uint64_t off, uint64_t end,
		    const struct perf_event_header **h)
{
	struct perf_event_header hdr;
	uint64_t want;

	if (off < pd->window_off || off + sizeof(hdr) > pd->window_off + pd->window_len ||
	    off + rd16(pd->window + (off - pd->window_off) + 6) > pd->window_off + pd->window_len) {
		want = end - off < WINDOW ? end - off : WINDOW;
		if (want < sizeof(hdr))
			return -ENODATA;
		if (pd__read(pd, off, pd->window, want))
			return -EIO;
		pd->window_off = off;
		pd->window_len = want;
	}
	memcpy(&hdr, pd->window + (off - pd->window_off), sizeof(hdr));
	if (hdr.size < sizeof(hdr) || hdr.size > end - off)
		return -ENODATA;
	*h = (const void *)(pd->window + (off - pd->window_off));
	return 0;
}

/*
 * perf writes FINISHED_ROUND after each pass over its ring buffers. Every
 * record after one is later than every record before the one before it,
 * so at each round's end the records up to the previous round's latest
 * time can go, as perf's ordered events do.
 */
int perfdata__process(struct perfdata *pd, const struct perf_tool *tool, void *ctx)
{
	uint64_t off = pd->data.offset, end = pd->data.offset + pd->data.size;
	const struct perf_event_header *h;
	int err = 0;

	if (pd->processed)
		return -EINVAL;
	pd->processed = true;
	pd->window = malloc(WINDOW);
	if (!pd->window)
		return -ENOMEM;
	pd->window_len = 0;
	for (;;) {
		err = pd__next(pd, off, end, &h);
		if (err == -ENODATA) {
			err = 0;
			pd->stats.cut_bytes += end - off;
			break;
		}
		if (err)
			return err;
		/*
		 * A record whose size is not a multiple of 8 leaves the next one
		 * misaligned in the window: the parsers read fields in place, so
		 * give them an aligned copy.
		 */
		if ((uintptr_t)h % 8) {
			uint16_t size;

			memcpy(&size, (const uint8_t *)h + 6, sizeof(size));
			memcpy(pd->aligned, h, size);
			h = (const void *)pd->aligned;
		}
		if (h->type == REC_COMPRESSED) {
			pd__log(pd, "compressed records (perf record -z) are not supported: record "
				    "without -z, or convert with 'perf inject'");
			return -EINVAL;
		}
		if (h->type == REC_AUXTRACE) {
			pd__log(pd, "AUX area traces (Intel PT, CoreSight) are not supported");
			return -EINVAL;
		}
		if (h->type == REC_FINISHED_ROUND) {
			err = pd__flush(pd, pd->limit, false, tool, ctx);
			if (err)
				return err;
			pd->flushed = pd->limit;
			pd->limit = pd->round_max;
		} else if (h->type < PERF_RECORD_MAX) {
			uint64_t t = perfrec__time(h, &pd->layout);

			/* Earlier than what was delivered already: the file is out of order. */
			if (t && t < pd->flushed)
				pd->stats.bad_records++;
			if (t > pd->round_max)
				pd->round_max = t;
			err = queue__push(&pd->q, h, t, pd->seq++);
			if (err)
				return err;
		}
		off += h->size;
		if (end - off < sizeof(struct perf_event_header)) {
			pd->stats.cut_bytes += end - off;
			break;
		}
	}
	return pd__flush(pd, 0, true, tool, ctx);
}
