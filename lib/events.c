// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/perf_event.h first: libpfm then skips its own older copy. */
#include "events.h"
#include <perfmon/pfmlib_perf_event.h>

static int pfm_ready(void)
{
	static int ret = 1;

	if (ret == 1)
		ret = pfm_initialize() == PFM_SUCCESS ? 0 : -ENODEV;
	return ret;
}

int events__parse(const char *name, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;
	struct perf_event_attr a;
	int ret;

	if (pfm_ready())
		return -ENODEV;
	memset(&a, 0, sizeof(a));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &a;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret == PFM_ERR_NOTFOUND)
		return -ENOENT;
	if (ret != PFM_SUCCESS)
		return -EINVAL;
	attr->type = a.type;
	attr->config = a.config;
	attr->config1 = a.config1;
	attr->config2 = a.config2;
	attr->exclude_user = a.exclude_user;
	attr->exclude_kernel = a.exclude_kernel;
	attr->exclude_hv = a.exclude_hv;
	attr->precise_ip = a.precise_ip;
	return 0;
}

bool events__is_hardware(const struct perf_event_attr *attr)
{
	return attr->type != PERF_TYPE_SOFTWARE && attr->type != PERF_TYPE_TRACEPOINT &&
	       attr->type != PERF_TYPE_BREAKPOINT;
}

bool events__have_pmu(void)
{
	static int have = -1;
	struct perf_event_attr a;
	int fd;

	if (have >= 0)
		return have;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.disabled = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	/* EACCES and the like say nothing about the PMU: assume it is there. */
	have = fd >= 0 || (errno != ENOENT && errno != EOPNOTSUPP && errno != ENODEV);
	if (fd >= 0)
		close(fd);
	return have;
}
