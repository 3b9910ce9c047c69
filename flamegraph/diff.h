/* SPDX-License-Identifier: MIT */
#ifndef SEAR_DIFF_H
#define SEAR_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flame.h"

/*
 * Two profiles side by side, stack by stack: what 'sear diff' compares.
 * Stacks are kept as their folded text (frames joined by ';'), each with
 * its BEFORE and AFTER counts, so that the two-column text is
 * difffolded.pl's, and the call tree for the SVG has both counts on every
 * frame, frames of one profile only included.
 *
 * Names that differ only in ways that say nothing about the code are made
 * equal first, unless exact_names (see diff__normalize_name()):
 *
 * - a JIT tier marker: V8's "~fib" (interpreted), "^fib" (baseline), "+fib"
 *   (Maglev) and "*fib" (optimised), also after a "JS:" or "LazyCompile:"
 *   prefix, are all "fib": a function that got optimised is the same
 *   function, and would otherwise show as one removed and one new;
 * - an address: " 0x1f2e" or "+0x1f2e" at the end of a name, "[lib.so+0x1f]"
 *   and the "<7f12ab>" of stackcollapse's --addrs: code without a symbol
 *   is named by its module, not by where it was hit;
 * - glibc's aliases of one function: "__memcpy_X" is "__memmove_X" (the
 *   same code under two names, picked at random by symbolizers), and the
 *   "__GI_" prefix of internal calls goes.
 *
 * These can hide a real change only when two distinct functions share a
 * normalised name, which is why exact_names turns them off.
 * strip_hex is difffolded.pl's -s: every "0x..." in a stack becomes "0x...".
 */

struct diff_opts {
	bool exact_names; /* keep names as they are */
	bool strip_hex;	  /* difffolded -s */
};

struct flame_diff;

/* Returns a new, empty comparison; free with flame_diff__free(). NULL with errno on failure. */
struct flame_diff *flame_diff__new(const struct diff_opts *opts);
void flame_diff__free(struct flame_diff *d);

/*
 * Adds count samples of one stack (root first; kinds may be NULL) to the
 * AFTER profile, or to the BEFORE one. Returns 0 or -ENOMEM.
 */
int flame_diff__add(struct flame_diff *d, bool after, const char *const *names,
		    const enum frame_kind *kinds, size_t nr, uint64_t count);

/*
 * Adds the lines of folded text buf to one profile, as difffolded.pl reads
 * them: "STACK COUNT", the count after one ASCII whitespace character, the
 * stack kept as written (but for the normalisation of its names). A line
 * that is not one counts as an empty stack with no samples, as there;
 * *bad (may be NULL) counts them. With reverse, frames are reversed
 * first; keep (may be NULL) chooses stacks by their first frame. A count
 * with a fraction is rounded. Returns 0 or -ENOMEM.
 */
int flame_diff__add_folded(struct flame_diff *d, bool after, const char *buf, size_t len,
			   bool reverse, bool (*keep)(void *ctx, const char *root), void *ctx,
			   size_t *bad);

/* Returns a profile's total samples. */
uint64_t flame_diff__total(const struct flame_diff *d, bool after);

/* Returns how many distinct names normalisation changed. */
uint64_t flame_diff__renamed(const struct flame_diff *d);

/*
 * Writes difffolded's "STACK BEFORE AFTER" lines, sorted: BEFORE's counts
 * times before_scale, truncated as difffolded -n truncates them. Returns
 * 0, -ENOMEM, or -EIO when the stream failed.
 */
int flame_diff__write_folded(const struct flame_diff *d, FILE *out, double before_scale);

/*
 * Adds every stack to f with flame__add_diff(): the shape's counts (AFTER's,
 * or BEFORE's with negate) and the other profile's. Returns 0 or -ENOMEM.
 */
int flame_diff__to_flame(const struct flame_diff *d, struct flame *f, bool negate);

/*
 * The name diffs compare: in (len bytes) with the rules above, into out
 * (cap bytes, at least len + 1). Returns the new length.
 */
size_t diff__normalize_name(const char *in, size_t len, char *out, size_t cap);

#endif
