/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SVG_H
#define SEAR_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "flame.h"

/*
 * Renders a call tree as one self-contained interactive SVG: no network,
 * no external files. Click zooms, Ctrl-F or the Search button highlights a
 * regex and shows the matched share, and each frame's tooltip gives its
 * name, samples and share of the total.
 *
 * Frame names only ever appear as escaped XML text, never inside the
 * script; invalid UTF-8 and characters that XML forbids are replaced.
 */

struct flame_svg_opts {
	const char *title;	   /* NULL: "Flame Graph" */
	const char *subtitle;	   /* NULL: none */
	const char *count_name;	   /* NULL: "samples" */
	unsigned int width;	   /* 0: 1200 px */
	unsigned int frame_height; /* 0: 16 px */
	double font_size;	   /* 0: 12 */
	double min_width;	   /* frames narrower than this (px) are left out; 0: 0.1 */
	bool inverted;		   /* icicle: root at the top */
	const char *palette;	   /* flamegraph.pl --colors name, or NULL: by frame kind */
	const char *name_type;	   /* the details line's label; NULL: "Function:" */
	/* Differential graphs (flame__is_diff()): */
	double before_scale; /* the before counts' factor (normalisation); 0: 1 */
	bool negate;	     /* swap the hues: red shrank, blue grew */
};

/* True for the palettes --colors takes: sear, hot, mem, io, red, green, blue, yellow, purple, aqua,
 * orange, java, js. */
bool svg__palette_known(const char *palette);

/* Writes the SVG for f to out. Returns 0, or -EIO when the stream failed. */
int flame__render_svg(const struct flame *f, const struct flame_svg_opts *opts, FILE *out);

/*
 * Writes len bytes of s as XML text: entities for & < > " ', '?' for invalid
 * UTF-8 and for characters XML 1.0 forbids.
 */
void svg__escape(FILE *out, const char *s, size_t len);

/*
 * Returns how many bytes of s (len bytes) hold at most max characters,
 * never cutting a UTF-8 sequence.
 */
size_t svg__prefix(const char *s, size_t len, size_t max);

#endif
