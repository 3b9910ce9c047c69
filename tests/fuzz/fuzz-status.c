// SPDX-License-Identifier: MIT
/* /proc/PID/status (Tgid, NStgid, Uid, Seccomp) and /proc/PID/stat (the flags past the comm). */
#include <stdint.h>
#include <stddef.h>

#include "lib/proc.h"

static uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status st;
	unsigned long flags;

	if (!proc_status__parse_mem((const char *)data, size, &st))
		sink += st.tgid + st.nstgid + st.ns_depth + st.uid + st.euid + st.seccomp;
	if (!proc_stat__flags_mem((const char *)data, size, &flags))
		sink += flags;
	return 0;
}
