// SPDX-License-Identifier: MIT
/*
 * --cp's palette.map: parsed, used for a graph of the same names (with
 * the names it lacks added), and written back.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flamegraph/svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svg_palette_map *map = svg_palette_map__new();
	struct flame *f = flame__new_flow();
	FILE *out = fopen("/dev/null", "w");
	const char *p = (const char *)data, *end = p + size, *arrow, *nl;
	char name[128];
	size_t bad;

	if (!map || !f || !out || svg_palette_map__parse_mem(map, p, size, &bad))
		goto out;
	/* a graph of the names before each "->" */
	for (; p < end; p = nl + 1) {
		const char *names[2] = { "root", name };

		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		arrow = memmem(p, nl - p, "->", 2);
		snprintf(name, sizeof(name), "%.*s", (int)(arrow ? arrow - p : nl - p) & 127, p);
		flame__add(f, names, NULL, 2, 1);
	}
	{
		struct flame_svg_opts o = { .palette = size & 1 ? "java" : NULL, .map = map };

		flame__render_svg(f, &o, out);
		svg_palette_map__write(map, out);
	}
out:
	if (out)
		fclose(out);
	flame__free(f);
	svg_palette_map__free(map);
	return 0;
}
