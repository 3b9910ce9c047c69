/* SPDX-License-Identifier: MIT */
#ifndef SEAR_RANGES_H
#define SEAR_RANGES_H

#include <stddef.h>
#include <stdint.h>

/*
 * A sorted set of disjoint address ranges, each with a value. A range
 * added later replaces what it overlaps, splitting or trimming older
 * ranges, as a new mmap replaces the old mappings under it and as a later
 * JIT map entry replaces an earlier one. Lookup is a binary search.
 */

struct range {
	uint64_t start, end; /* [start, end) */
	uint64_t off;	     /* what start corresponds to (a file offset); moved on trims */
	uint64_t val;
};

struct ranges {
	struct range *v;
	size_t nr, cap;
	size_t max; /* refuse to grow past this many; 0: no limit */
};

/* Embedded: zero-initialise; release with ranges__release(). */
void ranges__release(struct ranges *r);

/* Adds [start, start + len) with off and val. Returns 0, -ENOMEM, or -E2BIG past max. */
int ranges__insert(struct ranges *r, uint64_t start, uint64_t len, uint64_t off, uint64_t val);

/* Returns the range holding addr, or NULL. Borrowed until the next insertion. */
const struct range *ranges__find(const struct ranges *r, uint64_t addr);

/* Replaces dst's ranges with a copy of src's. Returns 0 or -ENOMEM. */
int ranges__copy(struct ranges *dst, const struct ranges *src);

/* Drops every range. */
void ranges__clear(struct ranges *r);

#endif
