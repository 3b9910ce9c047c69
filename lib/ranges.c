// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ranges.h"

void ranges__release(struct ranges *r)
{
	free(r->v);
	r->v = NULL;
	r->nr = r->cap = 0;
}

void ranges__clear(struct ranges *r)
{
	r->nr = 0;
}

/* Index of the first range whose end is above addr. */
static size_t ranges__lower(const struct ranges *r, uint64_t addr)
{
	size_t lo = 0, hi = r->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct range *ranges__find(const struct ranges *r, uint64_t addr)
{
	size_t i = ranges__lower(r, addr);

	return i < r->nr && r->v[i].start <= addr ? &r->v[i] : NULL;
}

static int ranges__reserve(struct ranges *r, size_t n)
{
	size_t cap = r->cap ? r->cap : 16;
	struct range *v;

	if (n <= r->cap)
		return 0;
	if (r->max && n > r->max + 2)
		return -E2BIG;
	while (cap < n)
		cap *= 2;
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

int ranges__insert(struct ranges *r, uint64_t start, uint64_t len, uint64_t off, uint64_t val)
{
	struct range m = { start, start + len, off, val };
	size_t i, j;
	int err;

	if (!len || m.end < start)
		return 0;
	/* Room for the new range and a split remainder. */
	err = ranges__reserve(r, r->nr + 2);
	if (err)
		return err;
	i = ranges__lower(r, start);
	/* A range that straddles the new one's start keeps its head, and maybe a tail. */
	if (i < r->nr && r->v[i].start < start) {
		struct range *o = &r->v[i];

		if (o->end > m.end) {
			struct range tail = *o;

			tail.off += m.end - o->start;
			tail.start = m.end;
			o->end = start;
			/* Two new entries after i: the new range and the old one's tail. */
			memmove(&r->v[i + 3], &r->v[i + 1], (r->nr - i - 1) * sizeof(*r->v));
			r->v[i + 1] = m;
			r->v[i + 2] = tail;
			r->nr += 2;
			return 0;
		}
		o->end = start;
		i++;
	}
	/* Ranges wholly covered go; one that sticks out past the end keeps its tail. */
	for (j = i; j < r->nr && r->v[j].end <= m.end; j++)
		;
	if (j < r->nr && r->v[j].start < m.end) {
		r->v[j].off += m.end - r->v[j].start;
		r->v[j].start = m.end;
	}
	if (j == i) {
		memmove(&r->v[i + 1], &r->v[i], (r->nr - i) * sizeof(*r->v));
		r->nr++;
	} else if (j > i + 1) {
		memmove(&r->v[i + 1], &r->v[j], (r->nr - j) * sizeof(*r->v));
		r->nr -= j - i - 1;
	}
	r->v[i] = m;
	return 0;
}

int ranges__copy(struct ranges *dst, const struct ranges *src)
{
	int err = ranges__reserve(dst, src->nr);

	if (err)
		return err;
	if (src->nr)
		memcpy(dst->v, src->v, src->nr * sizeof(*src->v));
	dst->nr = src->nr;
	return 0;
}
