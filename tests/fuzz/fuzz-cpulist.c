// SPDX-License-Identifier: MIT
/* CPU lists, as /sys/devices/system/cpu/online writes them: "0-3,8,10-11". */
#include <stdint.h>
#include <stdlib.h>

#include "lib/sampler.h"

static uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int *cpus = NULL, n = cpulist__parse_mem((const char *)data, size, &cpus), i;

	for (i = 0; i < n; i++)
		sink += cpus[i];
	free(cpus);
	return 0;
}
