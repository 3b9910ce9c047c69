/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SVG_H
#define SEAR_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flame.h"

/*
 * Renders a call tree as one self-contained interactive SVG: no network,
 * no external files. Click zooms, Ctrl-F or the Search button highlights a
 * regex and shows the matched share, and each frame's tooltip gives its
 * name, samples and share of the total.
 *
 * The frames are where flamegraph.pl puts them: the same geometry (pads,
 * frame height, rounding of x and width to 0.1 px), the same pruning of
 * narrow frames, and with one of its palettes the same colours (its hues,
 * and its name hashes: by default the colour seeded by the sum of the
 * name's characters, as its srand/rand do; --hash; --random). A flow tree
 * (flame__new_flow()) gives flamegraph.pl's layout exactly; a plain tree
 * orders siblings as its sorted lines would.
 *
 * Every piece of text (names, title, subtitle, count and name labels,
 * notes, font) goes through one escaping path, svg__escape(), after it is
 * cut to fit, never before: names only as text nodes, never inside the
 * script, whose configuration holds numbers only. Characters XML forbids
 * are dropped and invalid UTF-8 shows as '?'.
 *
 * A differential tree (flame__is_diff()) is coloured by change: red grew,
 * blue shrank. Frames with no samples in the shape's profile but some in
 * the other one are drawn too, hatched, at the other profile's (scaled)
 * size, beside their siblings; every tooltip gives before, after and the
 * change in samples, points of the total and percent, and the search
 * shows the matched share before and after.
 */

/* How flamegraph.pl's palettes pick a shade in their hue. */
enum svg_hash {
	SVG_HASH_SUM,	 /* its default: srand(sum of the name's characters), then rand */
	SVG_HASH_NAME,	 /* --hash: from the first characters of the name and its reverse */
	SVG_HASH_RANDOM, /* --random: a new shade every time */
};

struct svg_palette_map;

struct flame_svg_opts {
	const char *title;	   /* NULL: "Flame Graph" ("Icicle Graph", "Flame Chart") */
	const char *subtitle;	   /* NULL or "": none */
	const char *count_name;	   /* NULL: "samples" */
	const char *name_type;	   /* the details line's label; NULL: "Function:" */
	const char *font_type;	   /* NULL: "Verdana" */
	const char *notes;	   /* kept in the SVG, for the reader; NULL: none */
	unsigned int width;	   /* 0: 1200 px */
	unsigned int frame_height; /* 0: 16 px */
	double font_size;	   /* 0: 12 */
	double font_width;	   /* average character width, relative to the size; 0: 0.59 */
	double min_width;	   /* frames narrower than this are left out */
	bool min_width_set;	   /* min_width was given (0 too); else 0.1 px unless above 0 */
	bool min_width_pct;	   /* min_width is a percentage of the total, not pixels */
	bool inverted;		   /* icicle: root at the top */
	bool flamechart;	   /* only for the default title */
	const char *palette;	   /* flamegraph.pl --colors name, or NULL: by frame kind */
	enum svg_hash hash;
	const char *bgcolors; /* "yellow", "blue", "green", "grey", "#rrggbb"; NULL: by palette */
	struct svg_palette_map *map; /* --cp: names' colours, read and added to; NULL: none */
	uint64_t total;		     /* --total: the graph is this many samples wide if more */
	double factor;		     /* --factor: counts shown are multiplied by this; 0: 1 */
	/* Differential graphs (flame__is_diff()): */
	double before_scale;  /* the other profile's counts' factor (normalisation); 0: 1 */
	bool negate;	      /* the shape's profile is BEFORE: hues and words swap */
	bool other_hatched;   /* draw frames only in the other profile (sear diff) */
	uint64_t other_total; /* the other profile's total, for its shares; 0: the tree's */
};

/*
 * True for the palettes --colors takes: sear (by frame kind), and
 * flamegraph.pl's hot, mem, io, wakeup, chain, java, js, perl, red, green,
 * blue, aqua, yellow, purple, orange.
 */
bool svg__palette_known(const char *palette);

/* True for the background --bgcolors takes: yellow, blue, green, grey, or #rrggbb (hex). */
bool svg__bgcolor_known(const char *bgcolors);

/* Writes the SVG for f to out. Returns 0, -ENOMEM, or -EIO when the stream failed. */
int flame__render_svg(const struct flame *f, const struct flame_svg_opts *opts, FILE *out);

/*
 * Writes len bytes of s as XML text or attribute value: entities for
 * & < > " ', '?' for invalid UTF-8, and characters XML 1.0 forbids
 * dropped.
 */
void svg__escape(FILE *out, const char *s, size_t len);

/*
 * Returns how many bytes of s (len bytes) hold at most max characters,
 * never cutting a UTF-8 sequence.
 */
size_t svg__prefix(const char *s, size_t len, size_t max);

/*
 * flamegraph.pl's colour for name under palette and hash, "rgb(r,g,b)"
 * into buf. Returns false for an unknown palette.
 */
bool svg__color(const char *palette, enum svg_hash hash, const char *name, size_t len, char *buf,
		size_t size);

/*
 * flamegraph.pl's --cp: a map of names to colours, kept in palette.map as
 * "NAME->COLOR" lines, used for names it has, added to for the others.
 */

/* Returns a new, empty map; free with svg_palette_map__free(). NULL with errno on failure. */
struct svg_palette_map *svg_palette_map__new(void);
void svg_palette_map__free(struct svg_palette_map *m);

/*
 * Adds the lines of buf ("NAME->COLOR"; what follows a second "->" is
 * ignored, as flamegraph.pl does). A colour must be "rgb(R,G,B)" (0 to 255)
 * or "#rrggbb": other lines are counted in *bad and left out, so that the
 * name gets a new colour. Returns 0 or -ENOMEM.
 */
int svg_palette_map__parse_mem(struct svg_palette_map *m, const char *buf, size_t len, size_t *bad);

/* Writes the map as palette.map lines, sorted by name. Returns 0 or -EIO. */
int svg_palette_map__write(const struct svg_palette_map *m, FILE *out);

/* Returns the number of names in the map. */
size_t svg_palette_map__count(const struct svg_palette_map *m);

#endif
