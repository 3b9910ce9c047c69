// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "symbolizer/jitmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jitmap *m = jitmap__new();
	long n;

	if (!m)
		return 0;
	n = jitmap__parse_jitdump_mem(m, (const char *)data, size / 2, 0);
	if (n > 0)
		jitmap__parse_jitdump_mem(m, (const char *)data + n, size - n, n);
	jitmap__lookup(m, 0x7000);
	jitmap__free(m);
	return 0;
}
