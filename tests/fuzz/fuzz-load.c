// SPDX-License-Identifier: MIT
/*
 * report's input: told apart by its first bytes (.sear, perf.data or
 * folded text), then read by the one loader into a graph, through a memfd
 * as a file would be. The symbolizer opens no file, so a fuzzed perf.data
 * cannot make it read the host's binaries. The last byte picks options.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flamegraph/flame.h"
#include "pipeline/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = size ? data[size - 1] : 0;
	struct load_opts o = {
		.names = { .no_files = true, .inline_frames = opt & 1, .srcline = opt & 2 },
		.pid_roots = opt & 4,
		.reverse = opt & 8,
	};
	struct profile_info info;
	struct flame *f = flame__new();
	int fd = memfd_create("fuzz-load", MFD_CLOEXEC);

	if (opt & 16) {
		o.filter.pids[o.filter.nr_pids++] = 1 + (opt >> 5);
		o.filter.from = 0.5;
	}
	if (f && fd >= 0 && write(fd, data, size) == (ssize_t)size && !lseek(fd, 0, SEEK_SET))
		load__flame_fd(fd, "fuzz", &o, f, &info);
	if (fd >= 0)
		close(fd);
	flame__free(f);
	return 0;
}
