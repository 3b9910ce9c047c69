// SPDX-License-Identifier: MIT
/*
 * Folded text both ways: as the loader reads it (difffolded's rules) into
 * a tree, and as flamegraph.pl reads it (sorted, merged with the line
 * before, --reverse, --flamechart, the chain palette) into a flow tree;
 * each rendered and written back.
 */
#include <stdint.h>
#include <stdio.h>

#include "flamegraph/folded.h"
#include "flamegraph/svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folded_opts o = { .reverse = size & 1 };
	struct folded_flow_opts fo = { .reverse = size & 2,
				       .flamechart = size & 4,
				       .chain = size & 8 };
	struct flame_svg_opts svg = { .min_width = 0.01 },
			      hot = { .palette = "hot", .min_width_set = true };
	struct flame *f = flame__new(), *flow = flame__new_flow();
	FILE *out = fopen("/dev/null", "w");
	struct folded_stats st;
	size_t bad;

	if (f && out && !folded__parse_mem(f, (const char *)data, size, &o, &bad)) {
		flame__render_svg(f, &svg, out);
		flame__write_folded(f, out, 1);
	}
	if (flow && out && !folded__flow_mem(flow, (const char *)data, size, &fo, &st)) {
		hot.hash = size & 16 ? SVG_HASH_NAME : SVG_HASH_SUM;
		hot.inverted = size & 32;
		flame__render_svg(flow, &hot, out);
	}
	if (out)
		fclose(out);
	flame__free(f);
	flame__free(flow);
	return 0;
}
