// SPDX-License-Identifier: MIT
/* /proc/PID/cgroup: the container label (and the container-id finder under it), and engines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char label[65], small[8], *path;

	cgroup__container_of_mem((const char *)data, size, size & 1, label, sizeof(label));
	cgroup__container_of_mem((const char *)data, size, false, small, sizeof(small));
	cgroup__engine_of_mem((const char *)data, size);
	/* The id finder alone, on the whole input as one path. */
	path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	cgroup__container_id(path, label, sizeof(label));
	free(path);
	return 0;
}
