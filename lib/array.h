/* SPDX-License-Identifier: MIT */
#ifndef SEAR_ARRAY_H
#define SEAR_ARRAY_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Grows the array *p (of *cap elements of elem bytes) to hold at least
 * need, doubling, so that appends cost amortised O(1) and the per-sample
 * paths allocate only when a table really grows. The new elements are
 * zeroed. Returns 0, or -ENOMEM with the array unchanged.
 */
static inline int array__grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*p = q;
	*cap = n;
	return 0;
}

#endif
