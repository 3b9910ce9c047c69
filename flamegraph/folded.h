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
 * Counts may have decimals (rounded to whole samples). Frames annotated
 * "_[k]" are kernel frames and "_[j]" JIT frames, for the colours; the
 * names keep their annotations, as flamegraph.pl shows them.
 */

struct folded_opts {
	bool reverse; /* leaf first: flamegraph.pl --reverse */
	bool swap;    /* in two-column input, take the first column as the shape */
};

/*
 * Calls fn for every stack of buf, root first, with its count and (in
 * two-column input) its before count, else -1. Returns 0, fn's non-zero
 * value, -EINVAL for a line without a count (*bad_line, 1-based, says
 * which), or -ENOMEM.
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

#endif
