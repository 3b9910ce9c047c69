// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdio.h>

#include "flamegraph/folded.h"
#include "flamegraph/svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folded_opts o = { .reverse = size & 1 };
	struct flame_svg_opts svg = { .min_width = 0.01 };
	struct flame *f = flame__new();
	FILE *out = fopen("/dev/null", "w");
	size_t bad;

	/* The parser, and the renderer on whatever names it let through. */
	if (f && out && !folded__parse_mem(f, (const char *)data, size, &o, &bad)) {
		flame__render_svg(f, &svg, out);
		flame__write_folded(f, out, 1);
	}
	if (out)
		fclose(out);
	flame__free(f);
	return 0;
}
