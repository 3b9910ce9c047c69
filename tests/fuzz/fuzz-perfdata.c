// SPDX-License-Identifier: MIT
/* The perf.data parser alone: header, attrs, features, and the records in time order. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "lib/perfdata.h"

static uint64_t sink;

static int on_sample(void *ctx, const struct perfrec_sample *s)
{
	uint64_t i;

	sink += perfdata__event_of(ctx, s->id);
	for (i = 0; i < s->nr; i++)
		sink += s->ips[i];
	return 0;
}

static int on_mmap(void *ctx, const struct perfrec_mmap *m)
{
	(void)ctx;
	sink += strlen(m->filename);
	return 0;
}

static int on_comm(void *ctx, const struct perfrec_comm *c)
{
	(void)ctx;
	sink += strlen(c->comm);
	return 0;
}

static const struct perf_tool tool = { .sample = on_sample, .mmap = on_mmap, .comm = on_comm };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfdata *pd = perfdata__open_mem(data, size, "fuzz.data");
	const struct perfdata_build_id *ids;
	size_t n, i;
	int e;

	if (!pd)
		return 0;
	n = perfdata__build_ids(pd, &ids);
	for (i = 0; i < n; i++)
		sink += strlen(ids[i].path) + ids[i].id[ids[i].len ? ids[i].len - 1 : 0];
	for (e = 0; e < perfdata__nr_events(pd); e++)
		sink += strlen(perfdata__event_name(pd, e));
	sink += strlen(perfdata__command(pd));
	perfdata__process(pd, &tool, pd);
	perfdata__free(pd);
	return 0;
}
