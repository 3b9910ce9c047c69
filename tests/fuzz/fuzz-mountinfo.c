// SPDX-License-Identifier: MIT
/* /proc/self/mountinfo: where cgroup v2 is mounted. */
#include <stdint.h>
#include <stddef.h>

#include "lib/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char mnt[4096], tiny[4];

	cgroup__mount_of_mem((const char *)data, size, mnt, sizeof(mnt));
	cgroup__mount_of_mem((const char *)data, size, tiny, sizeof(tiny));
	return 0;
}
