// SPDX-License-Identifier: MIT
/*
 * Raw perf records, as a ring buffer or a perf.data file holds them: the
 * input is a sequence of records, each parsed and delivered to handlers
 * that read every field they were given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/perfrec.h"

static uint64_t sink;

static int on_sample(void *ctx, const struct perfrec_sample *s)
{
	uint64_t i;

	(void)ctx;
	for (i = 0; i < s->nr; i++)
		sink += s->ips[i];
	for (i = 0; i < s->nr_regs; i++)
		sink += s->regs[i];
	for (i = 0; i < s->stack_dyn; i++)
		sink += s->stack[i];
	return 0;
}

static int on_mmap(void *ctx, const struct perfrec_mmap *m)
{
	(void)ctx;
	sink += strlen(m->filename) +
		(m->build_id ? m->build_id[m->build_id_size ? m->build_id_size - 1 : 0] : 0);
	return 0;
}

static int on_comm(void *ctx, const struct perfrec_comm *c)
{
	(void)ctx;
	sink += strlen(c->comm);
	return 0;
}

static int on_task(void *ctx, const struct perfrec_task *t)
{
	(void)ctx;
	sink += t->pid + t->tid;
	return 0;
}

static int on_lost(void *ctx, uint64_t lost)
{
	(void)ctx;
	sink += lost;
	return 0;
}

static const struct perf_tool tool = {
	.sample = on_sample,
	.mmap = on_mmap,
	.comm = on_comm,
	.fork = on_task,
	.exit = on_task,
	.lost = on_lost,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct perfrec_layout l = {
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |
			       PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER,
		.regs_user_mask = 0xff,
		.sample_id_all = true,
	};
	uint64_t *rec = malloc(65536);
	size_t off = 0;

	if (!rec)
		return 0;
	while (size - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		struct perfrec_id id;

		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > size - off)
			break;
		/* Records are 8-byte aligned in real buffers: give the parsers that. */
		memcpy(rec, data + off, h.size);
		perfrec__deliver(&tool, NULL, (struct perf_event_header *)rec, &l);
		perfrec__parse_id((struct perf_event_header *)rec, &l, &id);
		perfrec__time((struct perf_event_header *)rec, &l);
		off += h.size;
	}
	free(rec);
	return 0;
}
