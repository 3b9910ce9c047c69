// SPDX-License-Identifier: MIT
/*
 * The collapser under every option: the first byte picks them (--pid,
 * --tid, --kernel, --jit, --addrs, --srcline, two threads, an event
 * filter read from the next line), the rest is perf script text, fed in
 * three pieces.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flamegraph/collapse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collapse_opts o = { 0 };
	struct collapse_notes notes;
	char filter[256];
	struct collapse *c;
	FILE *out;
	size_t n;

	if (!size)
		return 0;
	o.pid = data[0] & 1;
	o.tid = data[0] & 2;
	o.kernel = data[0] & 4;
	o.jit = data[0] & 8;
	o.addrs = data[0] & 16;
	o.srcline = data[0] & 32;
	o.threads = data[0] & 64 ? 2 : 1;
	data++, size--;
	if (o.threads == 2 && size) {
		const uint8_t *nl = memchr(data, '\n', size);

		n = nl ? (size_t)(nl - data) : size;
		snprintf(filter, sizeof(filter), "%.*s", (int)(n < 255 ? n : 255),
			 (const char *)data);
		o.event_filter = filter;
		n = nl ? n + 1 : n;
		data += n, size -= n;
	}
	c = collapse__new(&o);
	out = fopen("/dev/null", "w");
	if (c && out) {
		collapse__feed(c, (const char *)data, size / 3);
		collapse__feed(c, (const char *)data + size / 3, size / 3);
		collapse__feed(c, (const char *)data + 2 * (size / 3), size - 2 * (size / 3));
		collapse__finish(c);
		collapse__notes(c, &notes);
		collapse__write(c, out);
	}
	if (out)
		fclose(out);
	collapse__free(c);
	return 0;
}
