// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "perfdata.h"
#include "records.h"
#include "session.h"
#include "../symbolizer/symbolizer.h"

#define PERF_MAGIC	   "PERFILE2"
#define PERF_HEADER_SIZE   104
#define MAX_ATTRS	   64
#define MAX_IDS		   (1u << 20)
#define FEAT_BUILD_ID	   2
#define FEAT_CMDLINE	   11
#define FEAT_EVENT_DESC	   12
#define REC_FINISHED_ROUND 68
#define REC_AUXTRACE	   71
#define REC_COMPRESSED	   81

struct section {
	uint64_t offset, size;
};

struct pd {
	const uint8_t *buf;
	size_t len;
	struct perf_event_attr attrs[MAX_ATTRS];
	struct record_layout layouts[MAX_ATTRS];
	char names[MAX_ATTRS][64];
	const char *name_ptrs[MAX_ATTRS];
	int nr_attrs;
	struct u64map ids; /* sample id -> attr index */
	uint64_t first_time;
	bool have_first;
	const struct perfdata_opts *opts;
	struct session *session;
	struct symbolizer *sym;
	char *err;
	size_t errlen;
	/* a round of records, to be sorted by time */
	struct round_rec {
		uint64_t time;
		size_t seq;
		const struct perf_event_header *hdr;
		bool copied; /* a misaligned record's own copy: free it */
	} * round;
	size_t nr_round, cap_round;
};

static int pd__fail(struct pd *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

bool perfdata__is_perfdata(const void *buf, size_t len)
{
	return len >= 8 && (!memcmp(buf, PERF_MAGIC, 8) || !memcmp(buf, "2ELIFREP", 8));
}

static bool in_bounds(const struct pd *p, uint64_t off, uint64_t size)
{
	return off <= p->len && size <= p->len - off;
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

static int pd__attrs(struct pd *p, uint64_t attr_size, struct section s)
{
	uint64_t i, n, j;

	if (attr_size < 16 + 64 || attr_size > 4096 || !in_bounds(p, s.offset, s.size))
		return pd__fail(p, "corrupt attrs section");
	n = s.size / attr_size;
	if (!n)
		return pd__fail(p, "no events in the file");
	if (n > MAX_ATTRS)
		return pd__fail(p, "too many events (%llu; sear reads up to %d)",
				(unsigned long long)n, MAX_ATTRS);
	for (i = 0; i < n; i++) {
		const uint8_t *e = p->buf + s.offset + i * attr_size;
		size_t asz = attr_size - 16,
		       copy = asz < sizeof(p->attrs[0]) ? asz : sizeof(p->attrs[0]);
		struct section ids = { rd64(e + asz), rd64(e + asz + 8) };
		struct perf_event_attr *a = &p->attrs[i];

		memset(a, 0, sizeof(*a));
		memcpy(a, e, copy);
		p->layouts[i] = (struct record_layout){ a->sample_type, a->read_format,
							a->sample_regs_user, a->sample_id_all };
		if (a->sample_type & PERF_SAMPLE_BRANCH_STACK)
			return pd__fail(p, "branch stacks (perf record -b) are not supported");
		attr_name(a, p->names[i], sizeof(p->names[i]));
		p->name_ptrs[i] = p->names[i];
		if (!in_bounds(p, ids.offset, ids.size) || ids.size / 8 > MAX_IDS)
			return pd__fail(p, "corrupt event ids");
		for (j = 0; j < ids.size / 8; j++)
			if (u64map__set(&p->ids, rd64(p->buf + ids.offset + j * 8), i))
				return pd__fail(p, "out of memory");
	}
	p->nr_attrs = n;
	/* Several events must say which one wrote a record, at a place all can agree on. */
	for (i = 1; i < n; i++)
		if (p->layouts[i].sample_type != p->layouts[0].sample_type)
			return pd__fail(p, "events with different sample types are not supported");
	if (n > 1 && !(p->layouts[0].sample_type & (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_ID)))
		return pd__fail(p, "several events without sample ids");
	return 0;
}

/* A perf header string: u32 len (padded), then the bytes. */
static const char *pd__string(const uint8_t **q, const uint8_t *end, char *out, size_t size)
{
	uint32_t n;

	if (end - *q < 4)
		return NULL;
	n = rd32(*q);
	*q += 4;
	if (n > (size_t)(end - *q))
		return NULL;
	snprintf(out, size, "%.*s", (int)strnlen((const char *)*q, n), (const char *)*q);
	*q += n;
	return out;
}

static void pd__features(struct pd *p, const uint64_t *bits, struct section data,
			 struct perfdata_result *res)
{
	uint64_t at = data.offset + data.size;
	int bit;

	for (bit = 0; bit < 256; bit++) {
		struct section s;
		const uint8_t *q, *end;

		if (!(bits[bit / 64] >> (bit % 64) & 1))
			continue;
		if (!in_bounds(p, at, 16))
			return;
		s.offset = rd64(p->buf + at);
		s.size = rd64(p->buf + at + 8);
		at += 16;
		if (!in_bounds(p, s.offset, s.size))
			continue;
		q = p->buf + s.offset;
		end = q + s.size;
		if (bit == FEAT_CMDLINE && end - q >= 4) {
			uint32_t nr = rd32(q), i;
			size_t used = 0;
			char arg[256];

			q += 4;
			for (i = 0; i < nr && i < 64 && pd__string(&q, end, arg, sizeof(arg));
			     i++) {
				int w = snprintf(res->command + used, sizeof(res->command) - used,
						 "%s%s", i ? " " : "", arg);

				if (w < 0 || used + w >= sizeof(res->command) - 1)
					break;
				used += w;
			}
		} else if (bit == FEAT_EVENT_DESC && end - q >= 8) {
			uint32_t nr = rd32(q), asz = rd32(q + 4), i, nids;
			char name[64];

			q += 8;
			for (i = 0; i < nr && i < (uint32_t)p->nr_attrs; i++) {
				if (asz > (size_t)(end - q) || end - q - asz < 4)
					break;
				q += asz;
				nids = rd32(q);
				q += 4;
				if (!pd__string(&q, end, name, sizeof(name)) ||
				    (uint64_t)nids * 8 > (uint64_t)(end - q))
					break;
				q += nids * 8;
				snprintf(p->names[i], sizeof(p->names[i]), "%s", name);
			}
		} else if (bit == FEAT_BUILD_ID) {
			/* { header; pid; build_id[24]; filename[] } records */
			while (end - q >= 36) {
				uint16_t size = *(const uint16_t *)(q + 6),
					 misc = *(const uint16_t *)(q + 4);
				size_t idlen = 20;
				const char *name = (const char *)q + 36;

				if (size < 36 || size > end - q)
					break;
				/* perf 5.x+ stores the real size in byte 20 of the id field */
				if (misc & 2 /* PERF_RECORD_MISC_BUILD_ID_SIZE */ &&
				    q[12 + 20] <= 20)
					idlen = q[12 + 20];
				if (memchr(name, '\0', size - 36))
					symbolizer__expect_build_id(p->sym, name, q + 12, idlen);
				q += size;
			}
		}
	}
}

static int round__cmp(const void *a, const void *b)
{
	const struct round_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Which event wrote a sample: by its id when there are several. */
static int pd__event_of(const void *ctx, uint64_t id)
{
	const struct pd *p = ctx;
	const uint64_t *i = u64map__find(&p->ids, id);

	return i ? (int)*i : -1;
}

static bool pd__filter(void *ctx, const struct session_sample_info *s)
{
	struct pd *p = ctx;
	struct perfdata_sample ps;

	if (!p->have_first) {
		p->first_time = s->time;
		p->have_first = true;
	}
	if (!p->opts->filter)
		return true;
	ps = (struct perfdata_sample){ s->pid, s->tid, (s->time - p->first_time) / 1e9, s->comm };
	return p->opts->filter(p->opts->filter_ctx, &ps);
}

static int pd__flush_round(struct pd *p)
{
	size_t i;
	bool err;

	if (!p->nr_round)
		return 0;
	qsort(p->round, p->nr_round, sizeof(*p->round), round__cmp);
	for (i = 0; i < p->nr_round; i++)
		if (session__process(p->session, p->round[i].hdr, &p->layouts[0]))
			break;
	err = i < p->nr_round;
	for (i = 0; i < p->nr_round; i++)
		if (p->round[i].copied)
			free((void *)p->round[i].hdr);
	if (err)
		return pd__fail(p, "out of memory");
	p->nr_round = 0;
	return 0;
}

static int pd__data(struct pd *p, struct section data)
{
	uint64_t off = data.offset, end;
	size_t seq = 0;

	if (!in_bounds(p, data.offset, data.size))
		return pd__fail(p, "the data section runs past the end of the file (cut short?)");
	end = data.offset + data.size;
	while (end - off >= sizeof(struct perf_event_header)) {
		const struct perf_event_header *h = (const void *)(p->buf + off);
		struct perf_event_header hdr;

		/* A hostile file may put records anywhere: read the header by value. */
		memcpy(&hdr, p->buf + off, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > end - off)
			break; /* a record cut short: use what came before */
		if (hdr.type == REC_COMPRESSED)
			return pd__fail(p, "compressed records (perf record -z) are not supported: "
					   "record without -z, or convert with 'perf inject'");
		if (hdr.type == REC_AUXTRACE)
			return pd__fail(p,
					"AUX area traces (Intel PT, CoreSight) are not supported");
		if (hdr.type == REC_FINISHED_ROUND) {
			if (pd__flush_round(p))
				return -1;
		} else if (hdr.type < PERF_RECORD_MAX) {
			bool copied = false;

			if (p->nr_round == p->cap_round) {
				size_t cap = p->cap_round ? p->cap_round * 2 : 4096;
				struct round_rec *r = realloc(p->round, cap * sizeof(*r));

				if (!r)
					return pd__fail(p, "out of memory");
				p->round = r;
				p->cap_round = cap;
			}
			/* The parsers need 8-byte alignment, as in a ring buffer: copy if not. */
			if ((uintptr_t)h & 7) {
				void *c = malloc(hdr.size);

				if (!c)
					return pd__fail(p, "out of memory");
				memcpy(c, h, hdr.size);
				h = c;
				copied = true;
			}
			p->round[p->nr_round++] =
			    (struct round_rec){ record__time(h, &p->layouts[0]), seq++, h, copied };
		}
		off += hdr.size;
	}
	return pd__flush_round(p);
}

struct pd_emit {
	perfdata_stack_fn fn;
	void *ctx;
};

static int pd__emit(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		    uint64_t count)
{
	struct pd_emit *e = ctx;

	return e->fn(e->ctx, names, kinds, nr, count);
}

int perfdata__load_mem(const void *buf, size_t len, const struct perfdata_opts *opts,
		       perfdata_stack_fn fn, void *ctx, struct perfdata_result *res, char *err,
		       size_t errlen)
{
	static const struct perfdata_opts none;
	struct symbolizer_opts so = { .offline = true };
	struct pd *p = calloc(1, sizeof(*p));
	struct session_opts sess = { 0 };
	struct section attrs, data;
	struct pd_emit e = { fn, ctx };
	uint64_t bits[4], hsize, attr_size;
	const struct session_stats *st;
	int ret = -1, i;

	memset(res, 0, sizeof(*res));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->buf = buf;
	p->len = len;
	p->err = err;
	p->errlen = errlen;
	p->opts = opts ? opts : &none;
	if (len >= 8 && !memcmp(buf, "2ELIFREP", 8)) {
		pd__fail(p, "a big-endian perf.data: read it on the machine that wrote it");
		goto out;
	}
	if (len < 16 || !perfdata__is_perfdata(buf, len)) {
		pd__fail(p, "not a perf.data file");
		goto out;
	}
	hsize = rd64(p->buf + 8);
	if (hsize == 16) {
		pd__fail(p, "perf.data written to a pipe (perf record -o -) is not supported: "
			    "record to a file");
		goto out;
	}
	if (hsize < PERF_HEADER_SIZE || len < PERF_HEADER_SIZE) {
		pd__fail(p, "the header is cut short or corrupt");
		goto out;
	}
	attr_size = rd64(p->buf + 16);
	attrs = (struct section){ rd64(p->buf + 24), rd64(p->buf + 32) };
	data = (struct section){ rd64(p->buf + 40), rd64(p->buf + 48) };
	memcpy(bits, p->buf + 72, sizeof(bits));
	if (pd__attrs(p, attr_size, attrs))
		goto out;
	sess.pid_roots = p->opts->pid_roots;
	/* perf record --call-graph dwarf: unwind the stack copies, as perf report does. */
	if ((p->layouts[0].sample_type & PERF_SAMPLE_STACK_USER) &&
	    (p->layouts[0].sample_type & PERF_SAMPLE_REGS_USER)) {
		sess.unwind = SESSION_UNWIND_DWARF;
		so.unwind_tables = true;
	}
	p->sym = symbolizer__new(&so);
	p->session = p->sym ? session__new(p->sym, &sess) : NULL;
	if (!p->session) {
		pd__fail(p, "out of memory");
		goto out;
	}
	pd__features(p, bits, data, res);
	session__set_events(p->session, p->name_ptrs, p->nr_attrs, pd__event_of, p);
	session__set_filter(p->session, pd__filter, p);
	if (pd__data(p, data))
		goto out;
	st = session__stats(p->session);
	res->samples = st->samples;
	res->lost = st->lost;
	for (i = 0; i < p->nr_attrs; i++)
		snprintf(res->event + strlen(res->event), sizeof(res->event) - strlen(res->event),
			 "%s%s", i ? ", " : "", p->names[i]);
	if (session__for_each_stack(p->session, pd__emit, &e)) {
		pd__fail(p, "out of memory");
		goto out;
	}
	symbolizer__report_missing(p->sym);
	ret = 0;
out:
	session__free(p->session);
	symbolizer__free(p->sym);
	u64map__release(&p->ids);
	for (i = 0; i < (int)p->nr_round; i++)
		if (p->round[i].copied)
			free((void *)p->round[i].hdr);
	free(p->round);
	free(p);
	return ret;
}
