// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "lib/searfile.h"

static int visit(void *ctx, const struct sear_sample *s)
{
	const struct sear_reader *r = ctx;
	const uint32_t *names;
	const uint8_t *kinds;
	int i, n = sear_reader__stack(r, s->stack, &names, &kinds);

	for (i = 0; i < n; i++)
		sear_reader__string(r, names[i]);
	sear_reader__string(r, s->comm);
	sear_reader__container(r, s->pid);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sear_reader *r = sear_reader__new_mem(data, size, "fuzz.sear");

	if (!r)
		return 0;
	sear_reader__for_each(r, visit, r);
	sear_reader__free(r);
	return 0;
}
