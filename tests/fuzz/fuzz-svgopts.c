// SPDX-License-Identifier: MIT
/*
 * The renderer under any flamegraph.pl options: sizes, fonts, widths in
 * pixels or percent, --total, --factor, palettes, hashes, backgrounds
 * (checked as the command checks them), and texts for every label, all
 * from the input's first lines; the rest is folded text, drawn as a flow
 * tree and as a plain one.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flamegraph/folded.h"
#include "flamegraph/svg.h"

static const char *const palettes[] = { NULL,	"hot",	  "mem",    "io",    "wakeup", "chain",
					"java", "js",	  "perl",   "red",   "green",  "blue",
					"aqua", "yellow", "purple", "orange" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flame_svg_opts o = { 0 };
	char texts[7][128];
	const char *p = (const char *)data, *end = p + size, *nl;
	struct flame *flow = flame__new_flow(), *tree = flame__new();
	struct folded_stats st;
	FILE *out = fopen("/dev/null", "w");
	uint8_t b[16] = { 0 };
	size_t i, bad;

	memcpy(b, data, size < 16 ? size : 16);
	p += size < 16 ? size : 16;
	o.width = b[0] | (b[1] & 3) << 8;
	o.frame_height = b[2] & 63;
	o.font_size = b[3] / 4.0;
	o.font_width = b[4] / 64.0;
	o.min_width = (b[5] & 127) / 8.0;
	o.min_width_set = b[5] & 128;
	o.min_width_pct = b[6] & 1;
	o.inverted = b[6] & 2;
	o.flamechart = b[6] & 4;
	o.negate = b[6] & 8;
	o.hash = (b[6] >> 4) % 3;
	o.palette = palettes[b[7] % 16];
	o.total = (uint64_t)b[8] << (b[9] & 63);
	o.factor = b[10] / 16.0;
	o.before_scale = b[11] / 32.0;
	o.other_hatched = b[12] & 1;
	for (i = 0; i < 7 && p < end; i++, p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		snprintf(texts[i], sizeof(texts[i]), "%.*s", (int)((nl - p) & 127), p);
	}
	for (; i < 7; i++)
		texts[i][0] = '\0';
	o.title = texts[0];
	o.subtitle = texts[1];
	o.count_name = texts[2];
	o.name_type = texts[3];
	o.notes = texts[4];
	o.font_type = texts[5];
	o.bgcolors = svg__bgcolor_known(texts[6]) ? texts[6] : NULL;
	if (p > end)
		p = end;
	if (flow && tree && out) {
		struct folded_flow_opts fo = { .chain = o.palette && !strcmp(o.palette, "chain") };

		if (!folded__flow_mem(flow, p, end - p, &fo, &st))
			flame__render_svg(flow, &o, out);
		if (!folded__parse_mem(tree, p, end - p, NULL, &bad))
			flame__render_svg(tree, &o, out);
	}
	if (out)
		fclose(out);
	flame__free(flow);
	flame__free(tree);
	return 0;
}
