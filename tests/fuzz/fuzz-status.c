// SPDX-License-Identifier: MIT
/* /proc/PID/status (Tgid, NStgid, Uid, Seccomp) and /proc/PID/stat (the flags past the comm). */
#include <stdint.h>
#include <stddef.h>

#include "lib/proc.h"

static uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status st;
	unsigned long long v;
	int field;

	if (!proc_status__parse_mem((const char *)data, size, &st))
		sink += (uint64_t)st.tgid + (uint64_t)st.nstgid + (uint64_t)st.ns_depth +
			(uint64_t)st.uid + (uint64_t)st.euid + (uint64_t)st.seccomp;
	for (field = 3; field <= 52; field++)
		if (!proc_stat__field_mem((const char *)data, size, field, &v))
			sink += v;
	return 0;
}
