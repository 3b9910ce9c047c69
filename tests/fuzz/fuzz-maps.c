// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "lib/proc.h"

static int add_map(void *ctx, const struct proc_maps_entry *e)
{
	return procs__mmap(ctx, 1, e->start, e->end - e->start, e->pgoff, 1) == -12 /* ENOMEM */;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procs *p = procs__new();

	if (!p)
		return 0;
	proc_maps__parse_mem((const char *)data, size, add_map, p);
	procs__find_map(p, 1, 0x400000);
	procs__free(p);
	return 0;
}
