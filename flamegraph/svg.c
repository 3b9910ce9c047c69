// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "svg.h"

/* Generated from flame.js at build time: flame_js[], flame_js_len. */
#include "flame_js.h"

#define XPAD 10

struct svg {
	const struct flame *f;
	const struct flame_svg_opts *o;
	FILE *out;
	double scale; /* px per sample */
	bool diff;
	double maxdelta;
	unsigned int height;
	double ypad1, ypad2;
};

/* Decodes one UTF-8 character XML allows. Returns its byte length, or 0 if invalid. */
static size_t utf8_char(const unsigned char *s, size_t len)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return (s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') ? 1 : 0;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
		return 0;
	return n;
}

void svg__escape(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		size_t n = utf8_char(s, end - s);

		if (!n) {
			fputc('?', out);
			s++;
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fwrite(s, 1, n, out);
		}
		s += n;
	}
}

size_t svg__prefix(const char *str, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t off = 0, chars = 0, n;

	while (off < len && chars < max) {
		n = utf8_char(s + off, len - off);
		off += n ? n : 1; /* an invalid byte is one '?' */
		chars++;
	}
	return off;
}

static void svg__escape_str(FILE *out, const char *s)
{
	svg__escape(out, s, strlen(s));
}

/* "1234567" -> "1,234,567" */
static void fmt_count(char *buf, size_t size, uint64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), i, o = 0;

	for (i = 0; i < len && o + 2 < (int)size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

/*
 * Colours follow the FlameGraph "java" conventions users know, with ranges
 * that do not overlap: reds for native code, orange for the kernel, green
 * for JIT code, grey for frames without a symbol. The shade comes from a
 * hash of the name, so a function keeps its colour from one graph to the
 * next (flamegraph.pl's --hash, always on).
 */
static void kind_rgb(const char *name, size_t len, enum frame_kind kind, double v1, double v2,
		     int rgb[3])
{
	if (kind != FRAME_ROOT && len > 1 && name[0] == '[' && name[len - 1] == ']') {
		rgb[0] = rgb[1] = rgb[2] = 175 + (int)(30 * v1); /* [unknown], [libfoo.so] */
	} else if (kind == FRAME_KERNEL) {
		rgb[0] = 235 + (int)(20 * v1), rgb[1] = 140 + (int)(45 * v2),
		rgb[2] = (int)(40 * v1);
	} else if (kind == FRAME_JIT) {
		rgb[0] = 50 + (int)(60 * v1), rgb[1] = 175 + (int)(55 * v2),
		rgb[2] = 50 + (int)(50 * v1);
	} else if (kind == FRAME_ROOT) {
		rgb[0] = 205 + (int)(20 * v1), rgb[1] = 200 + (int)(20 * v1), rgb[2] = 230;
	} else {
		rgb[0] = 200 + (int)(55 * v1), rgb[1] = 50 + (int)(70 * v2),
		rgb[2] = 50 + (int)(40 * v2);
	}
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* flamegraph.pl's --colors palettes, by the same hues. */
static bool palette_rgb(const char *pal, const char *name, size_t len, double v1, double v2,
			double v3, int rgb[3])
{
	int r, g, b;

	if (!strcmp(pal, "java") || !strcmp(pal, "js")) {
		/* annotations first, then what the name looks like */
		if (ends_with(name, len, "_[j]"))
			pal = "green";
		else if (ends_with(name, len, "_[i]"))
			pal = "aqua";
		else if (ends_with(name, len, "_[k]"))
			pal = "orange";
		else if (strstr(name, "::"))
			pal = "yellow";
		else if (!strcmp(pal, "java") ? strchr(name, '/') != NULL
					      : (strchr(name, '/') || strstr(name, ".js")))
			pal = "green";
		else
			pal = "red";
	}
	if (!strcmp(pal, "hot"))
		r = 205 + 50 * v3, g = 230 * v1, b = 55 * v2;
	else if (!strcmp(pal, "mem"))
		r = 0, g = 190 + 50 * v2, b = 210 * v1;
	else if (!strcmp(pal, "io"))
		r = 80 + 60 * v1, g = r, b = 190 + 55 * v2;
	else if (!strcmp(pal, "red"))
		r = 200 + 55 * v1, g = 50 + 80 * v1, b = g;
	else if (!strcmp(pal, "green"))
		g = 200 + 55 * v1, r = 50 + 60 * v1, b = r;
	else if (!strcmp(pal, "blue"))
		b = 205 + 50 * v1, r = 80 + 60 * v1, g = r;
	else if (!strcmp(pal, "yellow"))
		r = 175 + 55 * v1, g = r, b = 50 + 20 * v1;
	else if (!strcmp(pal, "purple"))
		r = 190 + 65 * v1, g = 80 + 60 * v1, b = r;
	else if (!strcmp(pal, "aqua"))
		r = 50 + 60 * v1, g = 165 + 55 * v1, b = g;
	else if (!strcmp(pal, "orange"))
		r = 190 + 65 * v1, g = 90 + 65 * v1, b = 0;
	else
		return false;
	rgb[0] = r, rgb[1] = g, rgb[2] = b;
	return true;
}

bool svg__palette_known(const char *pal)
{
	int rgb[3];

	return !strcmp(pal, "sear") || palette_rgb(pal, "x", 1, 0, 0, 0, rgb);
}

static void frame_color(const char *palette, const char *name, enum frame_kind kind, char *buf,
			size_t size)
{
	size_t len = strlen(name);
	uint64_t h = hash_bytes(name, len);
	double v1 = (h & 0xff) / 255.0, v2 = (h >> 8 & 0xff) / 255.0, v3 = (h >> 16 & 0xff) / 255.0;
	int rgb[3];

	if (!palette || kind == FRAME_ROOT || !palette_rgb(palette, name, len, v1, v2, v3, rgb))
		kind_rgb(name, len, kind, v1, v2, rgb);
	snprintf(buf, size, "rgb(%d,%d,%d)", rgb[0], rgb[1], rgb[2]);
}

/*
 * A differential frame: red grew, blue shrank, white unchanged, the
 * intensity scaled to the largest change, as flamegraph.pl does.
 */
static void diff_color(double delta, double maxdelta, char *buf, size_t size)
{
	int v;

	if (maxdelta <= 0 || delta == 0) {
		snprintf(buf, size, "rgb(250,250,250)");
		return;
	}
	v = (int)(210 * (1 - (delta < 0 ? -delta : delta) / maxdelta));
	if (delta > 0)
		snprintf(buf, size, "rgb(255,%d,%d)", v, v);
	else
		snprintf(buf, size, "rgb(%d,%d,255)", v, v);
}

/* A key to the colours, under the title on the left. */
static void svg__legend(struct svg *s)
{
	char grew[32], shrank[32];
	static const struct {
		const char *label, *sample;
		enum frame_kind kind;
	} keys[] = {
		{ "native", "n", FRAME_USER },
		{ "kernel", "k", FRAME_KERNEL },
		{ "JIT", "j", FRAME_JIT },
		{ "no symbol", "[u]", FRAME_USER },
	};
	double x = XPAD, y = s->o->font_size * 3.4;
	char color[32];
	size_t i;

	fputs("<g id=\"legend\">", s->out);
	if (s->diff) {
		diff_color(s->o->negate ? -1 : 1, 2, grew, sizeof(grew));
		diff_color(s->o->negate ? 1 : -1, 2, shrank, sizeof(shrank));
		fprintf(s->out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">grew</text>"
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">shrank</text></g>\n",
			x, y - 9, grew, x + 13, y, s->o->font_size - 1, x + 60, y - 9, shrank,
			x + 73, y, s->o->font_size - 1);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		frame_color(NULL, keys[i].sample, keys[i].kind, color, sizeof(color));
		fprintf(s->out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">%s</text>",
			x, y - 9, color, x + 13, y, s->o->font_size - 1, keys[i].label);
		x += 20 + strlen(keys[i].label) * (s->o->font_size - 1) * 0.6;
	}
	fputs("</g>\n", s->out);
}

/* after - before, with the before profile scaled to the after's total when normalised. */
static double node_delta(const struct svg *s, const struct flame_node *n)
{
	double d = (double)n->total - n->before * s->o->before_scale;

	return s->o->negate ? -d : d;
}

static void svg__frame(struct svg *s, uint32_t id, double x, unsigned int level)
{
	const struct flame_node *n = flame__node(s->f, id);
	const char *name = id ? flame__name(s->f, n->name) : "all";
	size_t len = strlen(name), cut;
	double w = n->total * s->scale, fontw = s->o->font_size * 0.59, y;
	uint64_t total = flame__total(s->f);
	char color[32], count[32];
	int fit;

	if (s->o->inverted)
		y = s->ypad1 + level * s->o->frame_height;
	else
		y = s->height - s->ypad2 - (level + 1.0) * s->o->frame_height;
	fmt_count(count, sizeof(count), n->total);
	if (s->diff)
		diff_color(node_delta(s, n), s->maxdelta, color, sizeof(color));
	else
		frame_color(s->o->palette, name, id ? n->kind : FRAME_ROOT, color, sizeof(color));
	fputs("<g class=\"f\"><title>", s->out);
	svg__escape(s->out, name, len);
	fprintf(s->out, " (%s %s, %.2f%%", count, s->o->count_name,
		total ? 100.0 * n->total / total : 0.0);
	if (s->diff) {
		/* before, and the change: in samples (normalised) and in points of the total */
		uint64_t btotal = flame__node(s->f, 0)->before;
		double bp = btotal ? 100.0 * n->before / btotal : 0,
		       ap = total ? 100.0 * n->total / total : 0;
		double d = (double)n->total - n->before * s->o->before_scale;
		char before[32];

		fmt_count(before, sizeof(before), n->before);
		fprintf(s->out, "; before %s %s, %.2f%%; %+.0f %s, %+.2f pp", before,
			s->o->count_name, bp, d, s->o->count_name, ap - bp);
	}
	fputs(")</title>", s->out);
	fprintf(s->out,
		"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%u\" fill=\"%s\" rx=\"2\" "
		"ry=\"2\"/>",
		x, y, w, s->o->frame_height - 1, color);
	fprintf(s->out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + s->o->frame_height - 5);
	/* Truncate first, then escape: an entity must never be cut. */
	fit = (int)((w - 3) / fontw);
	if (fit >= 3) {
		cut = svg__prefix(name, len, fit);
		if (cut < len) {
			svg__escape(s->out, name, svg__prefix(name, len, fit - 2));
			fputs("..", s->out);
		} else {
			svg__escape(s->out, name, len);
		}
	}
	fputs("</text></g>\n", s->out);
}

/* The largest change among the frames that will be drawn. */
static void svg__maxdelta(struct svg *s, uint32_t id)
{
	const struct flame_node *n = flame__node(s->f, id);
	double d = node_delta(s, n);
	uint32_t c;

	if (n->total * s->scale < s->o->min_width)
		return;
	if (id && (d < 0 ? -d : d) > s->maxdelta)
		s->maxdelta = d < 0 ? -d : d;
	for (c = n->first_child; c; c = flame__node(s->f, c)->next_sibling)
		svg__maxdelta(s, c);
}

/* Lays out id's subtree from x; children in name order, as flamegraph.pl does. */
static void svg__subtree(struct svg *s, uint32_t id, double x, unsigned int level)
{
	uint32_t *kids, nr, i;

	if (flame__node(s->f, id)->total * s->scale < s->o->min_width)
		return;
	svg__frame(s, id, x, level);
	kids = flame__children_sorted(s->f, id, &nr);
	for (i = 0; i < nr; i++) {
		svg__subtree(s, kids[i], x, level + 1);
		x += flame__node(s->f, kids[i])->total * s->scale;
	}
	free(kids);
}

static const char svg_style[] =
    "text { font-family: Verdana, \"DejaVu Sans\", sans-serif; fill: #000; }\n"
    "#frames text { pointer-events: none; }\n"
    "#title { text-anchor: middle; font-size: 17px; }\n"
    "#subtitle { text-anchor: middle; fill: #555; }\n"
    "#unzoom, #search { cursor: pointer; fill: #333; }\n"
    "#unzoom:hover, #search:hover { fill: #000; text-decoration: underline; }\n"
    "#search { text-anchor: end; }\n"
    "#matched { text-anchor: end; }\n"
    ".hide { display: none; }\n"
    ".parent { opacity: 0.5; }\n"
    ".f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
    "#nosamples { text-anchor: middle; font-size: 20px; fill: #666; }\n";

int flame__render_svg(const struct flame *f, const struct flame_svg_opts *opts, FILE *out)
{
	struct flame_svg_opts o = *opts;
	struct svg s = { .f = f, .o = &o, .out = out };
	uint64_t total = flame__total(f);
	unsigned int depth = flame__depth(f);

	if (!o.title)
		o.title = "Flame Graph";
	if (!o.count_name)
		o.count_name = "samples";
	if (!o.width)
		o.width = 1200;
	if (!o.frame_height)
		o.frame_height = 16;
	if (o.font_size <= 0)
		o.font_size = 12;
	if (o.min_width <= 0)
		o.min_width = 0.1;
	if (o.before_scale <= 0)
		o.before_scale = 1;
	if (!o.name_type)
		o.name_type = "Function:";
	s.diff = flame__is_diff(f);
	s.ypad1 = o.font_size * 4;
	s.ypad2 = o.font_size * 2 + 10;
	if (!total)
		depth = 2; /* room for the message */
	s.height = (unsigned int)((depth + 1) * o.frame_height + s.ypad1 + s.ypad2);
	s.scale = total ? (o.width - 2.0 * XPAD) / total : 0;
	if (s.diff)
		svg__maxdelta(&s, 0);

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		"xmlns=\"http://www.w3.org/2000/svg\" font-size=\"%g\">\n",
		o.width, s.height, o.width, s.height, o.font_size);
	fprintf(out, "<style type=\"text/css\"><![CDATA[\n%s]]></style>\n", svg_style);
	/* Only numbers and booleans go in the config: never a name. */
	fprintf(out,
		"<script type=\"application/json\" id=\"sear-config\">{\"width\":%u,\"xpad\":%d,"
		"\"fontSize\":%g,\"inverted\":%s,\"total\":%llu,\"rootY\":%.1f,"
		"\"matchColor\":\"rgb(230,0,230)\"}</script>\n",
		o.width, XPAD, o.font_size, o.inverted ? "true" : "false",
		(unsigned long long)total,
		o.inverted ? s.ypad1 : s.height - s.ypad2 - o.frame_height);
	fputs("<script type=\"text/ecmascript\"><![CDATA[\n", out);
	fwrite(flame_js, 1, flame_js_len, out);
	fputs("]]></script>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#f8f8f4\"/>\n",
		o.width, s.height);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"%g\">", o.width / 2, o.font_size * 2);
	svg__escape_str(out, o.title);
	fputs("</text>\n", out);
	fprintf(out, "<text id=\"subtitle\" x=\"%u\" y=\"%g\">", o.width / 2, o.font_size * 3.4);
	if (o.subtitle)
		svg__escape_str(out, o.subtitle);
	fputs("</text>\n", out);
	fprintf(out, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%g\">Reset Zoom</text>\n",
		XPAD, o.font_size * 2);
	fprintf(out, "<text id=\"search\" x=\"%d\" y=\"%g\">Search</text>\n", o.width - XPAD,
		o.font_size * 2);
	fprintf(out, "<text id=\"details\" x=\"%d\" y=\"%g\"> </text>\n", XPAD,
		s.height - o.font_size / 2 - 4);
	fprintf(out, "<text id=\"matched\" x=\"%d\" y=\"%g\"> </text>\n", o.width - XPAD,
		s.height - o.font_size / 2 - 4);
	fputs("<text id=\"nametype\" class=\"hide\">", out);
	svg__escape_str(out, o.name_type);
	fputs("</text>\n", out);
	svg__legend(&s);
	fputs("<g id=\"frames\">\n", out);
	if (total)
		svg__subtree(&s, 0, XPAD, 0);
	fputs("</g>\n", out);
	if (!total)
		fprintf(out, "<text id=\"nosamples\" x=\"%u\" y=\"%g\">no samples</text>\n",
			o.width / 2, s.ypad1 + o.frame_height * 1.5);
	fputs("</svg>\n", out);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
