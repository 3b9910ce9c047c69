// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdio.h>

#include "flamegraph/collapse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collapse_opts o = { .tid = size & 1, .kernel = true, .jit = true };
	struct collapse *c = collapse__new(&o);
	FILE *out = fopen("/dev/null", "w");

	if (c && out) {
		collapse__feed(c, (const char *)data, size / 3);
		collapse__feed(c, (const char *)data + size / 3, size - size / 3);
		collapse__finish(c);
		collapse__write(c, out);
	}
	if (out)
		fclose(out);
	collapse__free(c);
	return 0;
}
