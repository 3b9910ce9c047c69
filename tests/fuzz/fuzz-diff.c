// SPDX-License-Identifier: MIT
/*
 * Two folded profiles (split at the first line "--") compared as sear
 * diff does: read as difffolded reads them, names normalised or not, -s,
 * the two-column text at a scale from the first byte, and the
 * differential SVG with the other profile's frames hatched.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flamegraph/diff.h"
#include "flamegraph/svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff_opts o;
	const char *p = (const char *)data, *sep;
	struct flame_diff *d;
	struct flame *f = NULL;
	FILE *out;
	size_t first, bad = 0;
	double scale;

	if (!size)
		return 0;
	o = (struct diff_opts){ .exact_names = data[0] & 1, .strip_hex = data[0] & 2 };
	scale = (data[0] >> 2) / 8.0;
	p++, size--;
	sep = memmem(p, size, "\n--\n", 4);
	first = sep ? (size_t)(sep - p) + 1 : size;
	d = flame_diff__new(&o);
	out = fopen("/dev/null", "w");
	if (d && out && !flame_diff__add_folded(d, false, p, first, size & 1, NULL, NULL, &bad) &&
	    !flame_diff__add_folded(d, true, p + first, size - first, false, NULL, NULL, &bad)) {
		struct flame_svg_opts svg = { .other_hatched = true,
					      .before_scale = scale,
					      .negate = size & 2 };

		flame_diff__write_folded(d, out, scale);
		f = flame__new();
		if (f && !flame_diff__to_flame(d, f, size & 2))
			flame__render_svg(f, &svg, out);
	}
	{
		char name[64];

		diff__normalize_name(p, first < 40 ? first : 40, name, sizeof(name));
	}
	if (out)
		fclose(out);
	flame__free(f);
	flame_diff__free(d);
	return 0;
}
