// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "lib/recording.h"

static int visit(void *ctx, const struct rec_sample *s)
{
	const struct rec_reader *r = ctx;
	const uint32_t *names;
	const uint8_t *kinds;
	int i, n = rec_reader__stack(r, s->stack, &names, &kinds);

	for (i = 0; i < n; i++)
		rec_reader__string(r, names[i]);
	rec_reader__string(r, s->comm);
	rec_reader__container(r, s->pid);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err;
	struct rec_reader *r = rec_reader__new_mem(data, size, &err);

	if (!r)
		return 0;
	rec_reader__meta(r, "events");
	rec_reader__for_each(r, visit, r);
	rec_reader__total(r, "samples");
	rec_reader__free(r);
	return 0;
}
