/* SPDX-License-Identifier: MIT */
#ifndef SEAR_SAT_H
#define SEAR_SAT_H

#include <stdint.h>

/*
 * Saturating arithmetic for counts that come from outside: a .sear weight
 * or a folded count can be anything up to 2^64 - 1, and totals summed from
 * them must stick at the top rather than wrap to a small number.
 */

/* Returns a + b, or UINT64_MAX when that would wrap. */
static inline uint64_t u64_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

#endif
