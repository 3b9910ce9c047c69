/* SPDX-License-Identifier: MIT */
#ifndef SEAR_FOLDED_H
#define SEAR_FOLDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flame.h"

/*
 * Reading folded text into a call tree: "a;b;c 123", one stack per line,
 * as stackcollapse tools and 'sear collapse' write it, and difffolded's
 * two-column "a;b;c BEFORE AFTER".
 *
 * A line is read as flamegraph.pl and difffolded.pl read it: the count is
 * its last word, digits with an optional fraction, after one whitespace
 * character; the stack is everything before that character, other spaces
 * included; frames are split at ';', empty ones at the end dropped. As in
 * those scripts, folded__flow_mem() takes Unicode spaces for whitespace
 * (flamegraph.pl decodes UTF-8) and folded__for_each() only ASCII ones
 * (difffolded.pl reads bytes). A count with a fraction is rounded to whole samples;
 * counts past 2^64-1 stop there. Frames annotated "_[k]" are kernel frames
 * and "_[j]" JIT frames, for the colours.
 */

struct folded_opts {
	bool reverse; /* leaf first: flamegraph.pl --reverse */
	bool swap;    /* in two-column input, take the first column as the shape */
};

/*
 * Calls fn for every stack of buf, root first, with its count and (in
 * two-column input) its before count, else -1. Empty lines and spaces at
 * the ends of lines are skipped. Returns 0, fn's non-zero value, -EINVAL
 * for a line without a count (*bad_line, 1-based, says which), or -ENOMEM.
 */
typedef int (*folded_fn)(void *ctx, const char *const *names, const enum frame_kind *kinds,
			 size_t nr, uint64_t count, int64_t before);
int folded__for_each(const char *buf, size_t len, const struct folded_opts *opts, folded_fn fn,
		     void *ctx, size_t *bad_line);

/*
 * Adds every stack of buf to f. Empty lines are skipped. Returns 0, or
 * -EINVAL for a line without a count (*bad_line, 1-based, says which), or
 * -ENOMEM.
 */
int folded__parse_mem(struct flame *f, const char *buf, size_t len, const struct folded_opts *opts,
		      size_t *bad_line);

/* flamegraph.pl's reading, for a flow tree (flame__new_flow()). */
struct folded_flow_opts {
	bool reverse;	 /* --reverse: each line's stack reversed first */
	bool flamechart; /* --flamechart: lines in input order, not sorted */
	bool chain;	 /* --colors chain: waker frames after ";--;" get "_[w]" */
};

/* What the reading saw, for flamegraph.pl's warnings. */
struct folded_stats {
	size_t lines;	/* lines read */
	size_t ignored; /* lines that are not "STACK COUNT" (empty ones too) */
	bool rounded;	/* a count had a fraction */
};

/*
 * Reads buf as flamegraph.pl does: every line, reversed with reverse,
 * sorted as strings unless flamechart, then added in that order to the
 * flow tree f (two counts: flame__add_diff(), the second the shape).
 * Lines that do not parse are counted in stats and skipped. Returns 0 or
 * -ENOMEM.
 */
int folded__flow_mem(struct flame *f, const char *buf, size_t len,
		     const struct folded_flow_opts *opts, struct folded_stats *stats);

#endif
