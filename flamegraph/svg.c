// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "lib/strtab.h"
#include "svg.h"

/* Generated from flame.js at build time: flame_js[], flame_js_len. */
#include "flame_js.h"

/* flamegraph.pl's layout constants. */
#define XPAD	 10
#define FRAMEPAD 1

struct svg {
	const struct flame *f;
	struct flame_svg_opts o; /* with the defaults filled in */
	FILE *out;
	double timemax;	      /* samples across the full width */
	double wpt;	      /* px per sample */
	double minwidth_time; /* narrower frames are left out */
	double ypad1, ypad2, ypad3, height;
	unsigned int depthmax;
	bool diff;	/* a differential tree: sear's colours by change */
	bool flow_diff; /* a flow tree with two counts: flamegraph.pl's colours by change */
	double maxdelta;
	double *width;	/* per node: its width in samples, the other profile's frames included */
	double *self_w; /* per node: the part of it that is its own samples */
	bool *hidden;	/* flow: a frame that a later one of the same key replaced */
	uint32_t *delta_from; /* flow: the node whose change colours this one */
	uint64_t after_total, before_total;
	int err;
};

/* Decodes one UTF-8 character at s. Returns its byte length (0 if invalid) and *cp. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
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
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* True for a character XML 1.0 allows. */
static bool xml_char(uint32_t c)
{
	return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xfffe && c != 0xffff);
}

void svg__escape(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len, *run = s;
	uint32_t c;

	while (s < end) {
		size_t n = utf8_decode(s, end - s, &c);
		const char *ent = NULL;

		if (n == 1 && c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '"' &&
		    c != '\'') {
			s++;
			continue; /* plain ASCII: written in runs */
		}
		fwrite(run, 1, s - run, out);
		if (!n) {
			fputc('?', out);
			s++;
		} else {
			switch (c) {
			case '&':
				ent = "&amp;";
				break;
			case '<':
				ent = "&lt;";
				break;
			case '>':
				ent = "&gt;";
				break;
			case '"':
				ent = "&quot;";
				break;
			case '\'':
				ent = "&apos;";
				break;
			}
			if (ent)
				fputs(ent, out);
			else if (xml_char(c))
				fwrite(s, 1, n, out);
			s += n;
		}
		run = s;
	}
	fwrite(run, 1, s - run, out);
}

static void svg__escape_str(FILE *out, const char *s)
{
	svg__escape(out, s, strlen(s));
}

size_t svg__prefix(const char *str, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t off = 0, chars = 0, n;
	uint32_t c;

	while (off < len && chars < max) {
		n = utf8_decode(s + off, len - off, &c);
		off += n ? n : 1; /* an invalid byte is one '?' */
		chars++;
	}
	return off;
}

/* flamegraph.pl's annotations, "_[k]" and the like: not shown in labels and tooltips. */
static size_t strip_annotation(const char *s, size_t len)
{
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' && s[len - 1] == ']' &&
	    strchr("kwij", s[len - 2]) && s[len - 2])
		return len - 4;
	return len;
}

/* "1234567" -> "1,234,567"; a leading '-' stays in front. */
static void with_commas(char *buf, size_t size, const char *digits)
{
	size_t len = strlen(digits), i, o = 0, lead = digits[0] == '-' || digits[0] == '+';

	for (i = 0; i < len && o + 2 < size; i++) {
		if (i > lead && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* A count as flamegraph.pl shows it: rounded ("%.0f"), with commas. */
static void fmt_count(char *buf, size_t size, double v)
{
	char tmp[400];

	snprintf(tmp, sizeof(tmp), "%.0f", v);
	with_commas(buf, size, tmp);
}

/* A number as perl prints it: 15 significant digits. */
static void put_num(FILE *out, double v)
{
	fprintf(out, "%.15g", v == 0 ? 0.0 : v);
}

/* x rounded as "%0.1f" rounds it, read back. */
static double round1(double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.1f", v);
	return strtod(buf, NULL);
}

/* A double to int without overflow: the range is clamped first. */
static int clamp_int(double v, int lo, int hi)
{
	if (!(v >= lo)) /* NaN too */
		return lo;
	if (v >= hi)
		return hi;
	return (int)v;
}

/*
 * flamegraph.pl's name hashes. Names are read as characters (UTF-8; an
 * invalid byte is a character of its value), as perl reads its input.
 */
static size_t codepoints(const char *s, size_t len, uint32_t *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t off = 0, n = 0, k;
	uint32_t c;

	while (off < len && n < max) {
		k = utf8_decode(p + off, len - off, &c);
		if (!k) {
			c = p[off];
			k = 1;
		}
		cps[n++] = c;
		off += k;
	}
	return n;
}

/* --hash: weighs the first three characters, after a "module`" prefix is cut. */
static double namehash(const uint32_t *cps, size_t n)
{
	double vector = 0, weight = 1, max = 1;
	size_t i, start = 0;
	int mod = 10;

	/* "mod`name": everything up to the first '`' after the first character goes */
	for (i = 1; i < n; i++)
		if (cps[i] == '`') {
			start = i + 1;
			break;
		}
	for (i = start; i < n; i++) {
		uint32_t v = cps[i] % mod;

		vector += ((double)v / (mod++ - 1)) * weight;
		max += 1 * weight;
		weight *= 0.70;
		if (mod > 12)
			break;
	}
	return 1 - vector / max;
}

/* perl's srand(seed) then rand(1): its own drand48. */
static double perl_rand(uint32_t seed)
{
	uint64_t x = 0x330eULL + ((uint64_t)seed << 16);

	x = (x * 0x5deece66dULL + 0xb) & 0xffffffffffffULL;
	return ldexp((double)x, -48);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static bool has(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

/* "^L?(java|javax|jdk|net|org|com|io|sun)/" */
static bool java_package(const char *s, size_t len)
{
	static const char *const pkgs[] = {
		"java", "javax", "jdk", "net", "org", "com", "io", "sun"
	};
	size_t i, k, off;

	for (off = 0; off <= (len && s[0] == 'L' ? 1u : 0u); off++)
		for (i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
			k = strlen(pkgs[i]);
			if (len - off > k && !memcmp(s + off, pkgs[i], k) && s[off + k] == '/')
				return true;
		}
	return false;
}

/* "/.*\.js": a '/' with ".js" somewhere after it. */
static bool js_path(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return slash && memmem(slash + 1, s + len - slash - 1, ".js", 3);
}

/* The flat hue a multi-hue palette picks for a name. */
static const char *palette_hue(const char *pal, const char *s, size_t len)
{
	if (!strcmp(pal, "java")) {
		if (ends_with(s, len, "_[j]"))
			return "green";
		if (ends_with(s, len, "_[i]"))
			return "aqua";
		if (java_package(s, len) || has(s, len, ":::"))
			return "green";
		if (has(s, len, "::"))
			return "yellow";
		if (ends_with(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(pal, "perl")) {
		if (has(s, len, "::"))
			return "yellow";
		if (has(s, len, "Perl") || has(s, len, ".pl"))
			return "green";
		if (ends_with(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(pal, "js")) {
		if (ends_with(s, len, "_[j]"))
			return memchr(s, '/', len) ? "green" : "aqua";
		if (has(s, len, "::"))
			return "yellow";
		if (js_path(s, len))
			return "green";
		if (memchr(s, ':', len))
			return "aqua";
		if (len == 1 && s[0] == ' ')
			return "green";
		if (has(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(pal, "wakeup"))
		return "aqua";
	if (!strcmp(pal, "chain"))
		return has(s, len, "_[w]") ? "aqua" : "blue";
	return pal;
}

bool svg__color(const char *pal, enum svg_hash hash, const char *s, size_t len, char *buf,
		size_t size)
{
	double v1, v2, v3;
	size_t n;
	int r, g, b;

	if (hash == SVG_HASH_NAME) {
		uint32_t *cps = malloc((len + 1) * 2 * sizeof(*cps)), *rev;
		size_t i;

		if (!cps)
			return false;
		rev = cps + len + 1;
		n = codepoints(s, len, cps, len);
		for (i = 0; i < n; i++)
			rev[i] = cps[n - 1 - i];
		v1 = namehash(cps, n);
		v2 = v3 = namehash(rev, n);
		free(cps);
	} else if (hash == SVG_HASH_RANDOM) {
		v1 = drand48();
		v2 = drand48();
		v3 = drand48();
	} else {
		const unsigned char *p = (const unsigned char *)s;
		uint32_t sum = 0, c;
		size_t off = 0, k;

		while (off < len) {
			k = utf8_decode(p + off, len - off, &c);
			if (!k) {
				c = p[off];
				k = 1;
			}
			sum += c;
			off += k;
		}
		v1 = v2 = v3 = perl_rand(sum);
	}
	if (!strcmp(pal, "hot"))
		r = 205 + (int)(50 * v3), g = (int)(230 * v1), b = (int)(55 * v2);
	else if (!strcmp(pal, "mem"))
		r = 0, g = 190 + (int)(50 * v2), b = (int)(210 * v1);
	else if (!strcmp(pal, "io"))
		r = 80 + (int)(60 * v1), g = r, b = 190 + (int)(55 * v2);
	else {
		const char *hue = palette_hue(pal, s, len);

		if (!strcmp(hue, "red"))
			r = 200 + (int)(55 * v1), g = 50 + (int)(80 * v1), b = g;
		else if (!strcmp(hue, "green"))
			g = 200 + (int)(55 * v1), r = 50 + (int)(60 * v1), b = r;
		else if (!strcmp(hue, "blue"))
			b = 205 + (int)(50 * v1), r = 80 + (int)(60 * v1), g = r;
		else if (!strcmp(hue, "yellow"))
			r = 175 + (int)(55 * v1), g = r, b = 50 + (int)(20 * v1);
		else if (!strcmp(hue, "purple"))
			r = 190 + (int)(65 * v1), g = 80 + (int)(60 * v1), b = r;
		else if (!strcmp(hue, "aqua"))
			r = 50 + (int)(60 * v1), g = 165 + (int)(55 * v1), b = g;
		else if (!strcmp(hue, "orange"))
			r = 190 + (int)(65 * v1), g = 90 + (int)(65 * v1), b = 0;
		else
			return false;
	}
	snprintf(buf, size, "rgb(%d,%d,%d)", r, g, b);
	return true;
}

bool svg__palette_known(const char *pal)
{
	static const char *const names[] = { "sear", "hot",    "mem",	 "io",	  "wakeup", "chain",
					     "java", "js",     "perl",	 "red",	  "green",  "blue",
					     "aqua", "yellow", "purple", "orange" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(pal, names[i]))
			return true;
	return false;
}

bool svg__bgcolor_known(const char *bg)
{
	size_t i;

	if (!strcmp(bg, "yellow") || !strcmp(bg, "blue") || !strcmp(bg, "green") ||
	    !strcmp(bg, "grey"))
		return true;
	if (strlen(bg) != 7 || bg[0] != '#')
		return false;
	for (i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", bg[i]))
			return false;
	return true;
}

/*
 * sear's own colours, by where the code lives, with ranges that do not
 * overlap: reds for native code, orange for the kernel, green for JIT
 * code, grey for frames without a symbol, blue for off-CPU waits. The shade comes from a hash of
 * the name, so a function keeps its colour from one graph to the next.
 */
static void kind_rgb(const char *name, size_t len, enum frame_kind kind, char *buf, size_t size)
{
	uint64_t h = hash_bytes(name, len);
	double v1 = (h & 0xff) / 255.0, v2 = (h >> 8 & 0xff) / 255.0;
	int r, g, b;

	if (kind == FRAME_OFFCPU)
		r = 60 + (int)(30 * v1), g = 110 + (int)(40 * v2), b = 225; /* blue: waiting */
	else if (kind != FRAME_ROOT && len > 1 && name[0] == '[' && name[len - 1] == ']')
		r = g = b = 175 + (int)(30 * v1); /* [unknown], [libfoo.so] */
	else if (kind == FRAME_KERNEL)
		r = 235 + (int)(20 * v1), g = 140 + (int)(45 * v2), b = (int)(40 * v1);
	else if (kind == FRAME_JIT)
		r = 50 + (int)(60 * v1), g = 175 + (int)(55 * v2), b = 50 + (int)(50 * v1);
	else if (kind == FRAME_ROOT)
		r = 205 + (int)(20 * v1), g = 200 + (int)(20 * v1), b = 230;
	else
		r = 200 + (int)(55 * v1), g = 50 + (int)(70 * v2), b = 50 + (int)(40 * v2);
	snprintf(buf, size, "rgb(%d,%d,%d)", r, g, b);
}

/* flamegraph.pl's colour by change: white to red or blue, scaled to the largest change. */
static void color_scale(double value, double max, bool negate, char *buf, size_t size)
{
	int r = 255, g = 255, b = 255;

	if (negate)
		value = -value;
	if (max <= 0)
		max = 1;
	if (value > 0)
		g = b = clamp_int(210 * (max - value) / max, 0, 255);
	else if (value < 0)
		r = g = clamp_int(210 * (max + value) / max, 0, 255);
	snprintf(buf, size, "rgb(%d,%d,%d)", r, g, b);
}

/* --cp: names to colours. */
struct svg_palette_map {
	struct strtab *names;
	char (*colors)[24];
	size_t cap;
};

struct svg_palette_map *svg_palette_map__new(void)
{
	struct svg_palette_map *m = calloc(1, sizeof(*m));

	if (m && !(m->names = strtab__new())) {
		free(m);
		m = NULL;
	}
	if (!m)
		errno = ENOMEM;
	return m;
}

void svg_palette_map__free(struct svg_palette_map *m)
{
	if (!m)
		return;
	strtab__free(m->names);
	free(m->colors);
	free(m);
}

size_t svg_palette_map__count(const struct svg_palette_map *m)
{
	return strtab__count(m->names);
}

/* "rgb(R,G,B)" with R, G, B from 0 to 255, or "#rrggbb": what may go in a fill. */
static bool color_valid(const char *s, size_t n)
{
	unsigned int v[3], i;
	int used = 0;
	char buf[24];

	if (n == 7 && s[0] == '#') {
		for (i = 1; i < 7; i++)
			if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
				return false;
		return true;
	}
	if (n >= sizeof(buf) || n < 10)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "rgb(%3u,%3u,%3u)%n", &v[0], &v[1], &v[2], &used) != 3 || (size_t)used != n)
		return false;
	for (i = 0; i < n; i++)
		if (buf[i] == ' ' || buf[i] == '+' || buf[i] == '-')
			return false;
	return v[0] < 256 && v[1] < 256 && v[2] < 256;
}

static int svg_palette_map__set(struct svg_palette_map *m, const char *name, size_t len,
				const char *color, size_t clen)
{
	int64_t id = strtab__intern_len(m->names, name, len);

	if (id < 0 || array__grow((void **)&m->colors, &m->cap, id + 1, sizeof(*m->colors)))
		return -ENOMEM;
	if (clen >= sizeof(m->colors[0]))
		clen = sizeof(m->colors[0]) - 1;
	memcpy(m->colors[id], color, clen);
	m->colors[id][clen] = '\0';
	return 0;
}

/* The colour of name in the map, or NULL. */
static const char *svg_palette_map__get(const struct svg_palette_map *m, const char *name,
					size_t len)
{
	uint32_t i, n = strtab__count(m->names);

	/* Looked up once per frame: a linear probe would do, but interning is a hash lookup. */
	for (i = 0; i < n; i++)
		if (strtab__len(m->names, i) == len && !memcmp(strtab__str(m->names, i), name, len))
			return m->colors[i][0] ? m->colors[i] : NULL;
	return NULL;
}

int svg_palette_map__parse_mem(struct svg_palette_map *m, const char *buf, size_t len, size_t *bad)
{
	const char *p = buf, *end = buf + len, *eol, *arrow, *color, *cend;
	int err;

	*bad = 0;
	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (eol == p)
			continue;
		arrow = memmem(p, eol - p, "->", 2);
		if (!arrow) {
			(*bad)++;
			continue;
		}
		color = arrow + 2;
		cend = memmem(color, eol - color, "->", 2);
		if (!cend)
			cend = eol;
		if (memchr(p, '\0', eol - p) || !color_valid(color, cend - color)) {
			(*bad)++;
			continue;
		}
		err = svg_palette_map__set(m, p, arrow - p, color, cend - color);
		if (err)
			return err;
	}
	return 0;
}

static const struct strtab *sort_names;

static int name__cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = strtab__len(sort_names, x), ly = strtab__len(sort_names, y);
	int c = memcmp(strtab__str(sort_names, x), strtab__str(sort_names, y), lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly;
}

int svg_palette_map__write(const struct svg_palette_map *m, FILE *out)
{
	uint32_t n = strtab__count(m->names), i, *ids = malloc((n ? n : 1) * sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = i;
	sort_names = m->names;
	qsort(ids, n, sizeof(*ids), name__cmp);
	for (i = 0; i < n; i++) {
		fwrite(strtab__str(m->names, ids[i]), 1, strtab__len(m->names, ids[i]), out);
		fprintf(out, "->%s\n", m->colors[ids[i]]);
	}
	free(ids);
	return fflush(out) || ferror(out) ? -EIO : 0;
}

/* The name flamegraph.pl colours a node by: the root is its empty frame. */
static const char *node_name(const struct svg *s, uint32_t id, size_t *len)
{
	const struct flame_node *n = flame__node(s->f, id);
	const char *name;

	if (!id) {
		*len = 0;
		return "";
	}
	name = flame__name(s->f, n->name);
	*len = strlen(name);
	return name;
}

static int frame_color(struct svg *s, uint32_t id, char *buf, size_t size)
{
	const struct flame_node *n = flame__node(s->f, id);
	size_t len;
	const char *name = node_name(s, id, &len);

	if (len == 2 && !memcmp(name, "--", 2))
		snprintf(buf, size, "rgb(160,160,160)");
	else if (len == 1 && name[0] == '-')
		snprintf(buf, size, "rgb(200,200,200)");
	else if (s->flow_diff && flame__node(s->f, s->delta_from[id])->has_delta)
		color_scale(flame__node(s->f, s->delta_from[id])->delta, s->maxdelta, s->o.negate,
			    buf, size);
	else if (s->diff) {
		/* after - before, in the shape's scale; the negated shape is BEFORE's */
		double d = (double)n->total - n->before * s->o.before_scale;
		int v;

		if (s->o.negate)
			d = -d;
		if (!(s->maxdelta > 0) || d == 0) {
			snprintf(buf, size, "rgb(250,250,250)");
		} else {
			v = clamp_int(210 * (1 - fabs(d) / s->maxdelta), 0, 210);
			if (d > 0)
				snprintf(buf, size, "rgb(255,%d,%d)", v, v);
			else
				snprintf(buf, size, "rgb(%d,%d,255)", v, v);
		}
	} else if (s->o.map) {
		const char *c = svg_palette_map__get(s->o.map, name, len);

		if (c) {
			snprintf(buf, size, "%s", c);
			return 0;
		}
		svg__color(s->o.palette ? s->o.palette : "hot", s->o.hash, name, len, buf, size);
		return svg_palette_map__set(s->o.map, name, len, buf, strlen(buf));
	} else if (!s->o.palette || !svg__color(s->o.palette, s->o.hash, name, len, buf, size)) {
		kind_rgb(id ? name : "all", id ? len : 3, id ? n->kind : FRAME_ROOT, buf, size);
	}
	return 0;
}

/* The percentage part of a share, or 0 when the whole is 0. */
static double share(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

/* A differential frame's numbers: before, after and the change, in samples, points and %. */
static void svg__diff_title(struct svg *s, const struct flame_node *n)
{
	double shape = n->total, other = n->before, scale = s->o.before_scale;
	double after = s->o.negate ? other : shape, before = s->o.negate ? shape : other;
	double after_n = s->o.negate ? other * scale : shape;
	double before_n = s->o.negate ? shape : other * scale, change = after_n - before_n;
	double ap = share(after, s->after_total), bp = share(before, s->before_total);
	char a[400], b[400], c[400], tmp[400];
	const char *cn = s->o.count_name;

	fmt_count(a, sizeof(a), after * s->o.factor);
	fmt_count(b, sizeof(b), before * s->o.factor);
	snprintf(tmp, sizeof(tmp), "%+.0f", change * s->o.factor);
	if (!strcmp(tmp + 1, "0"))
		snprintf(tmp, sizeof(tmp), "0"); /* not "-0": a change that rounds to nothing */
	with_commas(c, sizeof(c), tmp);
	fprintf(s->out, " (after %s ", a);
	svg__escape_str(s->out, cn);
	fprintf(s->out, ", %.2f%%; before %s ", ap, b);
	svg__escape_str(s->out, cn);
	fprintf(s->out, ", %.2f%%; change %s ", bp, c);
	svg__escape_str(s->out, cn);
	fprintf(s->out, ", %+.2f points, ", ap - bp);
	if (before_n > 0)
		fprintf(s->out, "%+.1f%%)", 100.0 * change / before_n);
	else if (after > 0)
		fputs("new)", s->out);
	else
		fputs("none)", s->out);
}

static void svg__frame(struct svg *s, uint32_t id, double stime, double etime, unsigned int level)
{
	const struct flame_node *n = flame__node(s->f, id);
	size_t len;
	const char *name = id ? node_name(s, id, &len) : "all";
	double x1 = XPAD + stime * s->wpt, x2 = XPAD + etime * s->wpt, y1, y2, rx1, rx2;
	double samples, chars;
	bool other_only = s->diff && s->o.other_hatched && id && !n->total;
	char color[32], count[400], num[400];
	size_t shown;

	if (!id)
		len = 3;
	if (!s->o.inverted) {
		y1 = s->height - s->ypad2 - (level + 1.0) * s->o.frame_height + FRAMEPAD;
		y2 = s->height - s->ypad2 - (double)level * s->o.frame_height;
	} else {
		y1 = s->ypad1 + (double)level * s->o.frame_height;
		y2 = s->ypad1 + (level + 1.0) * s->o.frame_height - FRAMEPAD;
	}
	if (frame_color(s, id, color, sizeof(color)))
		s->err = -ENOMEM;
	/* flamegraph.pl's "%.0f" of the width in samples */
	snprintf(num, sizeof(num), "%.0f", (etime - stime) * s->o.factor);
	samples = strtod(num, NULL);
	with_commas(count, sizeof(count), num);
	fputs("<g class=\"f", s->out);
	if (other_only)
		fputs(" o", s->out);
	fputc('"', s->out);
	if (s->diff || (s->flow_diff && n->has_delta))
		fprintf(s->out, " data-a=\"%.0f\" data-b=\"%.0f\"",
			(double)(s->o.negate ? n->before : n->total),
			(double)(s->o.negate ? n->total : n->before));
	else
		fprintf(s->out, " data-n=\"%.0f\"", samples);
	fputs("><title>", s->out);
	shown = id ? strip_annotation(name, len) : len;
	svg__escape(s->out, name, shown);
	if (s->diff || (s->flow_diff && id && n->has_delta)) {
		svg__diff_title(s, n);
	} else if (!id) {
		fprintf(s->out, " (%s ", count);
		svg__escape_str(s->out, s->o.count_name);
		fputs(", 100%)", s->out);
	} else {
		fprintf(s->out, " (%s ", count);
		svg__escape_str(s->out, s->o.count_name);
		fprintf(s->out, ", %.2f%%)", share(samples, s->timemax * s->o.factor));
	}
	fputs("</title>", s->out);
	rx1 = round1(x1);
	rx2 = round1(x2);
	fprintf(s->out, "<rect x=\"%.1f\" y=\"", rx1);
	put_num(s->out, y1);
	fprintf(s->out, "\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" rx=\"2\" ry=\"2\"/>",
		rx2 - rx1, y2 - y1, other_only ? "url(#other)" : color);
	fprintf(s->out, "<text x=\"%.2f\" y=\"", x1 + 3);
	put_num(s->out, 3 + (y1 + y2) / 2);
	fputs("\">", s->out);
	/* Cut first, then escape: an entity is never cut. */
	chars = (x2 - x1) / (s->o.font_size * s->o.font_width);
	if (chars >= 3) {
		size_t fit = chars >= 1e9 ? (size_t)1e9 : (size_t)chars;
		size_t cut = svg__prefix(name, shown, fit);

		if (cut < shown) {
			svg__escape(s->out, name, svg__prefix(name, shown, fit - 2));
			fputs("..", s->out);
		} else {
			svg__escape(s->out, name, shown);
		}
	}
	fputs("</text></g>\n", s->out);
}

/*
 * Walks the frames that are wide enough, from id at stime (in samples),
 * drawing them, or (draw false) finding the deepest level and the largest
 * change.
 */
static void svg__walk(struct svg *s, uint32_t id, double stime, unsigned int level, bool draw)
{
	const struct flame_node *n = flame__node(s->f, id);
	double w = s->width[id], x;
	uint32_t *kids, nr, i;

	/* The root spans the whole width (--total), but is left out by its samples. */
	if (w < s->minwidth_time || s->err)
		return;
	if (s->hidden && s->hidden[id]) {
		/* replaced: not drawn, but its callees are */
	} else if (draw) {
		svg__frame(s, id, stime, stime + (id ? w : s->timemax), level);
	} else {
		if (level > s->depthmax)
			s->depthmax = level;
		if (s->diff && id) {
			double d = fabs((double)n->total - n->before * s->o.before_scale);

			if (d > s->maxdelta)
				s->maxdelta = d;
		}
	}
	kids = flame__children_sorted(s->f, id, &nr);
	if (nr && !kids) {
		s->err = -ENOMEM;
		return;
	}
	x = stime + s->self_w[id];
	for (i = 0; i < nr; i++) {
		double cx = flame__is_flow(s->f) ? (double)flame__node(s->f, kids[i])->start : x;

		svg__walk(s, kids[i], cx, level + 1, draw);
		x += s->width[kids[i]];
	}
	free(kids);
}

/*
 * Each node's width in samples: its samples, plus (sear diff) the frames
 * below it that only the other profile has, at their scaled size; and the
 * part that is its own. Children come after parents, so one backward pass
 * adds them up.
 */
static int svg__widths(struct svg *s)
{
	uint32_t nr = flame__count(s->f), id;
	double *extra = calloc(nr, sizeof(*extra));

	s->width = calloc(nr, sizeof(*s->width));
	s->self_w = calloc(nr, sizeof(*s->self_w));
	if (!extra || !s->width || !s->self_w) {
		free(extra);
		return -ENOMEM;
	}
	for (id = nr; id-- > 0;) {
		const struct flame_node *n = flame__node(s->f, id);
		bool other_only = s->diff && s->o.other_hatched && id && !n->total;

		if (other_only) {
			s->width[id] = n->before * s->o.before_scale;
			s->self_w[id] = n->before_self * s->o.before_scale;
		} else {
			s->width[id] = (double)n->total + extra[id];
			s->self_w[id] = n->self;
		}
		if (id)
			extra[n->parent] += other_only ? s->width[id] : extra[id];
	}
	free(extra);
	return 0;
}

/*
 * flamegraph.pl keeps its frames in a hash keyed by name, depth and end
 * time. A frame that ends where an earlier one of the same name and depth
 * ended (a frame of no width: a stack whose count is 0) takes the earlier
 * one's place, which is then not drawn; its change, if it has none of its
 * own, is the earlier one's. Frames are made in the order they close, so
 * among one key the last made is the one drawn.
 */
struct flow_key {
	uint32_t name, depth, id;
	uint64_t end;
};

static int flow_key__cmp(const void *a, const void *b)
{
	const struct flow_key *x = a, *y = b;

	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int svg__flow_keys(struct svg *s)
{
	uint32_t nr = flame__count(s->f), id, i, *depth;
	struct flow_key *keys;

	s->hidden = calloc(nr, sizeof(*s->hidden));
	s->delta_from = malloc(nr * sizeof(*s->delta_from));
	depth = malloc(nr * sizeof(*depth));
	keys = malloc(nr * sizeof(*keys));
	if (!s->hidden || !s->delta_from || !depth || !keys) {
		free(depth);
		free(keys);
		return -ENOMEM;
	}
	for (id = 0; id < nr; id++) {
		const struct flame_node *n = flame__node(s->f, id);
		uint64_t end = n->start + n->total;

		depth[id] = id ? depth[n->parent] + 1 : 0;
		keys[id] = (struct flow_key){ id ? n->name : UINT32_MAX, depth[id], id,
					      end < n->start ? UINT64_MAX : end };
		s->delta_from[id] = id;
	}
	qsort(keys, nr, sizeof(*keys), flow_key__cmp);
	for (i = 1; i < nr; i++) {
		struct flow_key *prev = &keys[i - 1], *k = &keys[i];

		if (prev->name != k->name || prev->depth != k->depth || prev->end != k->end)
			continue;
		s->hidden[prev->id] = true;
		if (!flame__node(s->f, k->id)->has_delta)
			s->delta_from[k->id] = s->delta_from[prev->id];
	}
	free(depth);
	free(keys);
	return 0;
}

static const char svg_style[] =
    "text { fill: #000; }\n"
    "#frames text { pointer-events: none; }\n"
    "#title { text-anchor: middle; }\n"
    "#subtitle { text-anchor: middle; fill: #555; }\n"
    "#unzoom, #search { cursor: pointer; fill: #333; }\n"
    "#unzoom:hover, #search:hover { fill: #000; text-decoration: underline; }\n"
    "#search { text-anchor: end; }\n"
    "#matched { text-anchor: end; }\n"
    ".hide { display: none; }\n"
    ".parent { opacity: 0.5; }\n"
    ".f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
    ".o rect { stroke: #3050a0; stroke-width: 0.6; stroke-dasharray: 2 1; }\n"
    "#nosamples { text-anchor: middle; fill: #666; }\n";

/* The background gradient: flamegraph.pl's by palette, or sear's flat one. */
static void svg__background(struct svg *s, const char **c1, const char **c2)
{
	const char *bg = s->o.bgcolors, *pal = s->o.palette;

	if (!bg) {
		if (!pal)
			bg = "#f8f8f4";
		else if (!strcmp(pal, "mem"))
			bg = "green";
		else if (!strcmp(pal, "io") || !strcmp(pal, "wakeup") || !strcmp(pal, "chain"))
			bg = "blue";
		else if (!strcmp(pal, "red") || !strcmp(pal, "green") || !strcmp(pal, "blue") ||
			 !strcmp(pal, "aqua") || !strcmp(pal, "yellow") || !strcmp(pal, "purple") ||
			 !strcmp(pal, "orange"))
			bg = "grey";
		else
			bg = "yellow";
	}
	if (!strcmp(bg, "yellow"))
		*c1 = "#eeeeee", *c2 = "#eeeeb0";
	else if (!strcmp(bg, "blue"))
		*c1 = "#eeeeee", *c2 = "#e0e0ff";
	else if (!strcmp(bg, "green"))
		*c1 = "#eef2ee", *c2 = "#e0ffe0";
	else if (!strcmp(bg, "grey"))
		*c1 = "#f8f8f8", *c2 = "#e8e8e8";
	else if (svg__bgcolor_known(bg))
		*c1 = *c2 = bg;
	else
		*c1 = *c2 = "#f8f8f4";
}

/* A key to the colours, in the title's row on the right, where it is wide enough. */
static void svg__legend(struct svg *s)
{
	static const struct {
		const char *label, *sample;
		enum frame_kind kind;
	} keys[] = {
		{ "native", "n", FRAME_USER },
		{ "kernel", "k", FRAME_KERNEL },
		{ "JIT", "j", FRAME_JIT },
		{ "no symbol", "[u]", FRAME_USER },
	};
	double fs = s->o.font_size - 1, y = s->o.font_size * 2, x = s->o.width - XPAD - 110;
	char grew[32], shrank[32], color[32];
	size_t i;

	if (s->o.width < 700 || (!s->diff && s->o.palette))
		return;
	fputs("<g id=\"legend\">", s->out);
	if (s->diff) {
		const char *other = s->o.negate ? "only in AFTER" : "only in BEFORE";

		color_scale(s->o.negate ? -1 : 1, 2, false, grew, sizeof(grew));
		color_scale(s->o.negate ? 1 : -1, 2, false, shrank, sizeof(shrank));
		x -= 20 + (strlen(other) + 11) * fs * 0.6;
		fprintf(s->out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">grew</text>"
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">shrank</text>",
			x, y - 9, grew, x + 13, y, fs, x + 50, y - 9, shrank, x + 63, y, fs);
		if (s->o.other_hatched)
			fprintf(
			    s->out,
			    "<g class=\"o\"><rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
			    "fill=\"url(#other)\"/></g><text x=\"%.1f\" y=\"%.1f\" "
			    "font-size=\"%g\">%s</text>",
			    x + 110, y - 9, x + 123, y, fs, other);
		fputs("</g>\n", s->out);
		return;
	}
	x -= 250;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		kind_rgb(keys[i].sample, strlen(keys[i].sample), keys[i].kind, color,
			 sizeof(color));
		fprintf(s->out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\">%s</text>",
			x, y - 9, color, x + 13, y, fs, keys[i].label);
		x += 20 + strlen(keys[i].label) * fs * 0.6;
	}
	fputs("</g>\n", s->out);
}

static void svg__defaults(struct flame_svg_opts *o)
{
	if (!o->title || !o->title[0])
		o->title = o->flamechart ? "Flame Chart"
			   : o->inverted ? "Icicle Graph"
					 : "Flame Graph";
	if (!o->count_name)
		o->count_name = "samples";
	if (!o->name_type)
		o->name_type = "Function:";
	if (!o->font_type)
		o->font_type = "Verdana";
	if (!o->width)
		o->width = 1200;
	if (!o->frame_height)
		o->frame_height = 16;
	if (!(o->font_size > 0))
		o->font_size = 12;
	if (!(o->font_width > 0))
		o->font_width = 0.59;
	if (!(o->min_width >= 0) || (!o->min_width_set && !(o->min_width > 0)))
		o->min_width = 0.1;
	if (!(o->before_scale > 0))
		o->before_scale = 1;
	if (!(o->factor > 0))
		o->factor = 1;
	if (o->palette && !strcmp(o->palette, "sear"))
		o->palette = NULL;
}

int flame__render_svg(const struct flame *f, const struct flame_svg_opts *opts, FILE *out)
{
	struct svg s = { .f = f, .o = *opts, .out = out };
	uint64_t total = flame__total(f);
	const char *bg1, *bg2;
	int err;

	svg__defaults(&s.o);
	s.diff = flame__is_diff(f) && !flame__is_flow(f);
	s.flow_diff = flame__is_diff(f) && flame__is_flow(f);
	s.ypad1 = s.o.font_size * 3;
	s.ypad2 = s.o.font_size * 2 + 10;
	s.ypad3 = s.o.subtitle && s.o.subtitle[0] ? s.o.font_size * 2 : 0;
	err = svg__widths(&s);
	if (!err && flame__is_flow(f))
		err = svg__flow_keys(&s);
	if (err)
		goto out;
	s.timemax = s.width[0];
	if ((double)s.o.total > s.timemax)
		s.timemax = s.o.total;
	s.after_total =
	    s.o.negate ? (s.o.other_total ? s.o.other_total : flame__node(f, 0)->before) : total;
	s.before_total =
	    s.o.negate ? total : (s.o.other_total ? s.o.other_total : flame__node(f, 0)->before);
	s.wpt = s.timemax > 0 ? (s.o.width - 2.0 * XPAD) / s.timemax : 0;
	s.minwidth_time = s.o.min_width_pct ? s.timemax * s.o.min_width / 100
			  : s.wpt > 0	    ? s.o.min_width / s.wpt
					    : 0;
	if (s.flow_diff)
		s.maxdelta = flame__max_delta(f);
	if (s.timemax > 0)
		svg__walk(&s, 0, 0, 0, false);
	if (s.flow_diff && s.maxdelta < 1)
		s.maxdelta = 1;
	s.height = (s.timemax > 0 ? s.depthmax + 1.0 : 3.0) * s.o.frame_height + s.ypad1 + s.ypad2 +
		   s.ypad3;
	svg__background(&s, &bg1, &bg2);

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg version=\"1.1\" "
	      "width=\"",
	      out);
	fprintf(out, "%u\" height=\"", s.o.width);
	put_num(out, s.height);
	fprintf(out, "\" viewBox=\"0 0 %u ", s.o.width);
	put_num(out, s.height);
	fprintf(out, "\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"%g\" font-family=\"",
		s.o.font_size);
	svg__escape_str(out, s.o.font_type);
	fputs("\">\n", out);
	if (s.o.notes && s.o.notes[0]) {
		fputs("<desc id=\"notes\">", out);
		svg__escape_str(out, s.o.notes);
		fputs("</desc>\n", out);
	}
	fprintf(out,
		"<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		"<stop stop-color=\"%s\" offset=\"5%%\"/><stop stop-color=\"%s\" "
		"offset=\"95%%\"/></linearGradient>"
		"<pattern id=\"other\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" "
		"patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" "
		"fill=\"rgb(225,232,255)\"/><rect width=\"1.5\" height=\"4\" "
		"fill=\"rgb(90,120,220)\"/></pattern></defs>\n",
		bg1, bg2);
	fprintf(out, "<style type=\"text/css\"><![CDATA[\n%s]]></style>\n", svg_style);
	/* Only numbers and booleans go in the config: never a name. */
	fprintf(out,
		"<script type=\"application/json\" id=\"sear-config\">{\"width\":%u,\"xpad\":%d,"
		"\"fontSize\":%g,\"fontWidth\":%g,\"inverted\":%s,\"total\":%.0f,\"rootY\":",
		s.o.width, XPAD, s.o.font_size, s.o.font_width, s.o.inverted ? "true" : "false",
		s.timemax);
	put_num(out, s.o.inverted ? s.ypad1 : s.height - s.ypad2 - s.o.frame_height + FRAMEPAD);
	fprintf(out,
		",\"diff\":%s,\"afterTotal\":%llu,\"beforeTotal\":%llu,"
		"\"matchColor\":\"rgb(230,0,230)\"}</script>\n",
		s.diff || s.flow_diff ? "true" : "false", (unsigned long long)s.after_total,
		(unsigned long long)s.before_total);
	fputs("<script type=\"text/ecmascript\"><![CDATA[\n", out);
	fwrite(flame_js, 1, flame_js_len, out);
	fputs("]]></script>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"", s.o.width);
	put_num(out, s.height);
	fputs("\" fill=\"url(#background)\"/>\n", out);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"%g\" font-size=\"%g\">", s.o.width / 2,
		s.o.font_size * 2, s.o.font_size + 5);
	svg__escape_str(out, s.o.title);
	fputs("</text>\n", out);
	if (s.ypad3) {
		fprintf(out, "<text id=\"subtitle\" x=\"%u\" y=\"%g\">", s.o.width / 2,
			s.o.font_size * 4);
		svg__escape_str(out, s.o.subtitle);
		fputs("</text>\n", out);
	}
	fprintf(out, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%g\">Reset Zoom</text>\n",
		XPAD, s.o.font_size * 2);
	fprintf(out, "<text id=\"search\" x=\"%d\" y=\"%g\">Search</text>\n", s.o.width - XPAD,
		s.o.font_size * 2);
	fprintf(out, "<text id=\"details\" x=\"%d\" y=\"", XPAD);
	put_num(out, s.height - s.ypad2 / 2);
	fputs("\"> </text>\n", out);
	fprintf(out, "<text id=\"matched\" x=\"%d\" y=\"", s.o.width - XPAD);
	put_num(out, s.height - s.ypad2 / 2);
	fputs("\"> </text>\n", out);
	fputs("<text id=\"nametype\" class=\"hide\">", out);
	svg__escape_str(out, s.o.name_type);
	fputs("</text>\n", out);
	svg__legend(&s);
	fputs("<g id=\"frames\">\n", out);
	if (s.timemax > 0)
		svg__walk(&s, 0, 0, 0, true);
	fputs("</g>\n", out);
	if (!(s.timemax > 0)) {
		fprintf(out, "<text id=\"nosamples\" x=\"%u\" y=\"", s.o.width / 2);
		put_num(out, s.ypad1 + s.o.frame_height * 1.5);
		fprintf(out, "\" font-size=\"%g\">no samples</text>\n", s.o.font_size + 8);
	}
	fputs("</svg>\n", out);
	err = s.err;
out:
	free(s.width);
	free(s.self_w);
	free(s.hidden);
	free(s.delta_from);
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
	return err;
}
