// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "perfrec.h"

/* A bounded reader over one record's body. */
struct cursor {
	const uint8_t *p, *end;
};

static void cursor__init(struct cursor *c, const struct perf_event_header *hdr)
{
	c->p = (const uint8_t *)(hdr + 1);
	c->end = (const uint8_t *)hdr + hdr->size;
}

static int cursor__u64(struct cursor *c, uint64_t *v)
{
	if (c->end - c->p < 8)
		return -EINVAL;
	memcpy(v, c->p, 8);
	c->p += 8;
	return 0;
}

/* Two u32 packed into one u64 slot, as pid/tid and cpu/res are. */
static int cursor__u32x2(struct cursor *c, uint32_t *a, uint32_t *b)
{
	if (c->end - c->p < 8)
		return -EINVAL;
	memcpy(a, c->p, 4);
	memcpy(b, c->p + 4, 4);
	c->p += 8;
	return 0;
}

static int cursor__skip(struct cursor *c, uint64_t n)
{
	if ((uint64_t)(c->end - c->p) < n)
		return -EINVAL;
	c->p += n;
	return 0;
}

static int read_format__size(uint64_t read_format, struct cursor *c)
{
	uint64_t fields = 1, nr = 1;

	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		fields++;
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		fields++;
	if (read_format & PERF_FORMAT_GROUP) {
		/* { nr; [time_enabled]; [time_running]; { value; [id]; [lost]; }[nr] } */
		uint64_t per =
		    1 + !!(read_format & PERF_FORMAT_ID) + !!(read_format & PERF_FORMAT_LOST);

		if (cursor__u64(c, &nr) || nr > 4096)
			return -EINVAL;
		return cursor__skip(c, (fields - 1) * 8 + nr * per * 8);
	}
	fields += !!(read_format & PERF_FORMAT_ID) + !!(read_format & PERF_FORMAT_LOST);
	return cursor__skip(c, fields * 8);
}

int perfrec__parse_sample(const struct perf_event_header *hdr, const struct perfrec_layout *l,
			  struct perfrec_sample *out)
{
	uint64_t t = l->sample_type, v, size;
	struct cursor c;
	uint32_t res;

	memset(out, 0, sizeof(*out));
	if (hdr->size < sizeof(*hdr))
		return -EINVAL;
	out->misc = hdr->misc;
	cursor__init(&c, hdr);
	if ((t & PERF_SAMPLE_IDENTIFIER) && cursor__u64(&c, &out->id))
		return -EINVAL;
	if ((t & PERF_SAMPLE_IP) && cursor__u64(&c, &out->ip))
		return -EINVAL;
	if ((t & PERF_SAMPLE_TID) && cursor__u32x2(&c, &out->pid, &out->tid))
		return -EINVAL;
	if ((t & PERF_SAMPLE_TIME) && cursor__u64(&c, &out->time))
		return -EINVAL;
	if ((t & PERF_SAMPLE_ADDR) && cursor__u64(&c, &v))
		return -EINVAL;
	if ((t & PERF_SAMPLE_ID) && cursor__u64(&c, &out->id))
		return -EINVAL;
	if ((t & PERF_SAMPLE_STREAM_ID) && cursor__u64(&c, &v))
		return -EINVAL;
	if ((t & PERF_SAMPLE_CPU) && cursor__u32x2(&c, &out->cpu, &res))
		return -EINVAL;
	if ((t & PERF_SAMPLE_PERIOD) && cursor__u64(&c, &out->period))
		return -EINVAL;
	if ((t & PERF_SAMPLE_READ) && read_format__size(l->read_format, &c))
		return -EINVAL;
	if (t & PERF_SAMPLE_CALLCHAIN) {
		if (cursor__u64(&c, &out->nr) || out->nr > (uint64_t)(c.end - c.p) / 8)
			return -EINVAL;
		out->ips = (const uint64_t *)c.p;
		c.p += out->nr * 8;
	}
	if (t & PERF_SAMPLE_RAW) {
		uint32_t raw;

		if (c.end - c.p < 4)
			return -EINVAL;
		memcpy(&raw, c.p, 4);
		/* u32 size + data, padded to 8 bytes */
		if (cursor__skip(&c, (4 + (uint64_t)raw + 7) & ~7ULL))
			return -EINVAL;
	}
	if (t & PERF_SAMPLE_BRANCH_STACK)
		return -EINVAL; /* layout depends on branch_sample_type; never requested */
	if (t & PERF_SAMPLE_REGS_USER) {
		if (cursor__u64(&c, &out->regs_abi))
			return -EINVAL;
		if (out->regs_abi) {
			out->nr_regs = __builtin_popcountll(l->regs_user_mask);
			out->regs = (const uint64_t *)c.p;
			if (cursor__skip(&c, out->nr_regs * 8))
				return -EINVAL;
		}
	}
	if (t & PERF_SAMPLE_STACK_USER) {
		if (cursor__u64(&c, &size) || size > (uint64_t)(c.end - c.p))
			return -EINVAL;
		out->stack = c.p;
		out->stack_size = size;
		c.p += size;
		if (size) {
			if (cursor__u64(&c, &out->stack_dyn))
				return -EINVAL;
			if (out->stack_dyn > size)
				out->stack_dyn = size;
		}
	}
	return 0;
}

static int perfrec__id_size(const struct perfrec_layout *l)
{
	uint64_t t = l->sample_type;

	if (!l->sample_id_all)
		return 0;
	return 8 * (!!(t & PERF_SAMPLE_TID) + !!(t & PERF_SAMPLE_TIME) + !!(t & PERF_SAMPLE_ID) +
		    !!(t & PERF_SAMPLE_STREAM_ID) + !!(t & PERF_SAMPLE_CPU) +
		    !!(t & PERF_SAMPLE_IDENTIFIER));
}

int perfrec__parse_id(const struct perf_event_header *hdr, const struct perfrec_layout *l,
		      struct perfrec_id *out)
{
	uint64_t t = l->sample_type, v;
	int size = perfrec__id_size(l);
	struct cursor c;
	uint32_t res;

	memset(out, 0, sizeof(*out));
	if (!size)
		return 0;
	if (hdr->size < sizeof(*hdr) + size)
		return -EINVAL;
	c.p = (const uint8_t *)hdr + hdr->size - size;
	c.end = (const uint8_t *)hdr + hdr->size;
	if (t & PERF_SAMPLE_TID)
		cursor__u32x2(&c, &out->pid, &out->tid);
	if (t & PERF_SAMPLE_TIME)
		cursor__u64(&c, &out->time);
	if (t & PERF_SAMPLE_ID)
		cursor__u64(&c, &out->id);
	if (t & PERF_SAMPLE_STREAM_ID)
		cursor__u64(&c, &v);
	if (t & PERF_SAMPLE_CPU)
		cursor__u32x2(&c, &out->cpu, &res);
	if (t & PERF_SAMPLE_IDENTIFIER)
		cursor__u64(&c, &out->id);
	return 0;
}

uint64_t perfrec__time(const struct perf_event_header *hdr, const struct perfrec_layout *l)
{
	struct perfrec_sample s;
	struct perfrec_id id;

	if (!(l->sample_type & PERF_SAMPLE_TIME))
		return 0;
	if (hdr->type == PERF_RECORD_SAMPLE) {
		/* Only the fixed prefix is needed; parse it through a truncated copy of the layout.
		 */
		struct perfrec_layout prefix = {
			.sample_type = l->sample_type & (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
							 PERF_SAMPLE_TID | PERF_SAMPLE_TIME)
		};

		return perfrec__parse_sample(hdr, &prefix, &s) ? 0 : s.time;
	}
	if (hdr->type >= PERF_RECORD_MAX && hdr->type != PERF_RECORD_SAMPLE)
		return 0;
	return perfrec__parse_id(hdr, l, &id) ? 0 : id.time;
}

/* A string field that runs to the trailer: it must hold a NUL inside the record. */
static const char *cursor__str(struct cursor *c)
{
	const uint8_t *nul = memchr(c->p, '\0', c->end - c->p);
	const char *s = (const char *)c->p;

	if (!nul)
		return NULL;
	c->p = nul + 1;
	return s;
}

int perfrec__parse_mmap(const struct perf_event_header *hdr, struct perfrec_mmap *out)
{
	struct cursor c;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (hdr->size < sizeof(*hdr))
		return -EINVAL;
	cursor__init(&c, hdr);
	if (cursor__u32x2(&c, &out->pid, &out->tid) || cursor__u64(&c, &out->addr) ||
	    cursor__u64(&c, &out->len) || cursor__u64(&c, &out->pgoff))
		return -EINVAL;
	if (hdr->type == PERF_RECORD_MMAP2) {
		if (c.end - c.p < 32)
			return -EINVAL;
		if (hdr->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			out->build_id_size = c.p[0] > 20 ? 20 : c.p[0];
			out->build_id = c.p + 4;
			c.p += 24; /* size, 3 reserved bytes, 20 bytes of id: the union's 24 */
		} else {
			cursor__u32x2(&c, &out->maj, &out->min);
			cursor__u64(&c, &out->ino);
			cursor__u64(&c, &v); /* ino_generation */
		}
		if (cursor__u32x2(&c, &out->prot, &out->flags))
			return -EINVAL;
	} else if (hdr->type == PERF_RECORD_MMAP) {
		/* MMAP carries only code unless mmap_data was asked for, flagged in misc. */
		out->prot = (hdr->misc & PERF_RECORD_MISC_MMAP_DATA) ? PROT_READ : PROT_EXEC;
	} else {
		return -EINVAL;
	}
	out->filename = cursor__str(&c);
	return out->filename ? 0 : -EINVAL;
}

int perfrec__parse_comm(const struct perf_event_header *hdr, struct perfrec_comm *out)
{
	struct cursor c;

	memset(out, 0, sizeof(*out));
	if (hdr->size < sizeof(*hdr))
		return -EINVAL;
	cursor__init(&c, hdr);
	if (cursor__u32x2(&c, &out->pid, &out->tid))
		return -EINVAL;
	out->exec = hdr->misc & PERF_RECORD_MISC_COMM_EXEC;
	out->comm = cursor__str(&c);
	return out->comm ? 0 : -EINVAL;
}

int perfrec__parse_task(const struct perf_event_header *hdr, struct perfrec_task *out)
{
	struct cursor c;

	memset(out, 0, sizeof(*out));
	if (hdr->size < sizeof(*hdr))
		return -EINVAL;
	cursor__init(&c, hdr);
	if (cursor__u32x2(&c, &out->pid, &out->ppid) || cursor__u32x2(&c, &out->tid, &out->ptid) ||
	    cursor__u64(&c, &out->time))
		return -EINVAL;
	return 0;
}

int perfrec__parse_lost(const struct perf_event_header *hdr, uint64_t *lost)
{
	struct cursor c;
	uint64_t id;

	*lost = 0;
	if (hdr->size < sizeof(*hdr))
		return -EINVAL;
	cursor__init(&c, hdr);
	if (hdr->type == PERF_RECORD_LOST)
		return cursor__u64(&c, &id) || cursor__u64(&c, lost) ? -EINVAL : 0;
	if (hdr->type == PERF_RECORD_LOST_SAMPLES)
		return cursor__u64(&c, lost);
	return -EINVAL;
}

int perfrec__deliver(const struct perf_tool *tool, void *ctx, const struct perf_event_header *hdr,
		     const struct perfrec_layout *l)
{
	union {
		struct perfrec_sample sample;
		struct perfrec_mmap mmap;
		struct perfrec_comm comm;
		struct perfrec_task task;
		uint64_t lost;
	} u;

	switch (hdr->type) {
	case PERF_RECORD_SAMPLE:
		if (!tool->sample)
			return 0;
		return perfrec__parse_sample(hdr, l, &u.sample) ?: tool->sample(ctx, &u.sample);
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		if (!tool->mmap)
			return 0;
		return perfrec__parse_mmap(hdr, &u.mmap) ?: tool->mmap(ctx, &u.mmap);
	case PERF_RECORD_COMM:
		if (!tool->comm)
			return 0;
		return perfrec__parse_comm(hdr, &u.comm) ?: tool->comm(ctx, &u.comm);
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		int (*fn)(void *, const struct perfrec_task *) =
		    hdr->type == PERF_RECORD_FORK ? tool->fork : tool->exit;

		if (!fn)
			return 0;
		return perfrec__parse_task(hdr, &u.task) ?: fn(ctx, &u.task);
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		if (!tool->lost)
			return 0;
		return perfrec__parse_lost(hdr, &u.lost) ?: tool->lost(ctx, u.lost);
	case PERF_RECORD_THROTTLE:
		return tool->throttle ? tool->throttle(ctx) : 0;
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE: {
		struct perfrec_id id;
		struct perfrec_switch sw;

		if (!tool->context_switch)
			return 0;
		if ((l->sample_type & (PERF_SAMPLE_TID | PERF_SAMPLE_TIME)) !=
			(PERF_SAMPLE_TID | PERF_SAMPLE_TIME) ||
		    perfrec__parse_id(hdr, l, &id))
			return -EINVAL; /* a switch is of no use without its task and time */
		sw = (struct perfrec_switch){
			.pid = id.pid,
			.tid = id.tid,
			.time = id.time,
			.out = hdr->misc & PERF_RECORD_MISC_SWITCH_OUT,
			.preempt = hdr->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT,
		};
		return tool->context_switch(ctx, &sw);
	}
	default:
		return 0;
	}
}
