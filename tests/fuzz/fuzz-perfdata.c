// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stddef.h>

#include "lib/perfdata.h"

static int visit(void *ctx, const char *const *names, const enum frame_kind *kinds, size_t nr,
		 uint64_t count)
{
	(void)ctx;
	(void)names;
	(void)kinds;
	(void)nr;
	(void)count;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfdata_result res;
	char err[256];

	perfdata__load_mem(data, size, NULL, visit, NULL, &res, err, sizeof(err));
	return 0;
}
