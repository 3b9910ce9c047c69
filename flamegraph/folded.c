// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"

#define FOLDED_MAX_FRAMES 4096

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Reads a count that ends at *end (exclusive): digits, optionally ".digits". */
static bool count_before(const char *start, const char **end, double *v)
{
	const char *e = *end, *p = e;
	char buf[64];

	while (p > start && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.'))
		p--;
	if (p == e || *p == '.' || e - p >= (long)sizeof(buf) || (p > start && !is_blank(p[-1])))
		return false;
	if (memchr(p, '.', e - p) != memrchr(p, '.', e - p))
		return false; /* two dots */
	memcpy(buf, p, e - p);
	buf[e - p] = '\0';
	*v = strtod(buf, NULL);
	/* the stack ends before the blanks that precede the count */
	while (p > start && is_blank(p[-1]))
		p--;
	*end = p;
	return isfinite(*v);
}

static enum frame_kind kind_of(const char *s, size_t n)
{
	if (n >= 4 && !memcmp(s + n - 4, "_[k]", 4))
		return FRAME_KERNEL;
	if (n >= 4 && !memcmp(s + n - 4, "_[j]", 4))
		return FRAME_JIT;
	return FRAME_USER;
}

struct to_flame {
	struct flame *f;
	bool swap;
};

static int folded__to_flame(void *ctx, const char *const *names, const enum frame_kind *kinds,
			    size_t nr, uint64_t count, int64_t before)
{
	struct to_flame *t = ctx;

	if (before < 0)
		return flame__add(t->f, names, kinds, nr, count);
	if (t->swap)
		return flame__add_diff(t->f, names, kinds, nr, before, count);
	return flame__add_diff(t->f, names, kinds, nr, count, before);
}

int folded__parse_mem(struct flame *f, const char *buf, size_t len, const struct folded_opts *opts,
		      size_t *bad_line)
{
	struct to_flame t = { f, opts && opts->swap };

	return folded__for_each(buf, len, opts, folded__to_flame, &t, bad_line);
}

int folded__for_each(const char *buf, size_t len, const struct folded_opts *opts, folded_fn fn,
		     void *ctx, size_t *bad_line)
{
	const char *p = buf, *end = buf + len, *eol, *e, *s;
	static const struct folded_opts none;
	const char **names = malloc(FOLDED_MAX_FRAMES * sizeof(*names));
	enum frame_kind *kinds = malloc(FOLDED_MAX_FRAMES * sizeof(*kinds));
	char *copy = NULL;
	size_t line = 0, copy_cap = 0;
	int ret = 0;

	if (!opts)
		opts = &none;
	if (!names || !kinds) {
		ret = -ENOMEM;
		goto out;
	}
	for (; p < end; p = eol + 1) {
		double after, before = -1;
		size_t nr = 0;
		char *q, *frame;

		line++;
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		for (e = eol; e > p && is_blank(e[-1]); e--)
			;
		if (e == p)
			continue;
		/* " 1" is an empty stack with a count, as stackcollapse writes it; "1" is not. */
		if (!count_before(p, &e, &after) || (e == p && !is_blank(*p))) {
			*bad_line = line;
			ret = -EINVAL;
			goto out;
		}
		/* difffolded: a second count before the first */
		s = e;
		if (count_before(p, &s, &before) && s > p)
			e = s;
		else
			before = -1;
		if ((size_t)(e - p) + 1 > copy_cap) {
			copy_cap = (e - p) * 2 + 64;
			free(copy);
			copy = malloc(copy_cap);
			if (!copy) {
				ret = -ENOMEM;
				goto out;
			}
		}
		memcpy(copy, p, e - p);
		copy[e - p] = '\0';
		for (frame = e > p ? copy : NULL; frame && nr < FOLDED_MAX_FRAMES; frame = q) {
			q = strchr(frame, ';');
			if (q)
				*q++ = '\0';
			names[nr] = frame;
			kinds[nr] = nr ? kind_of(frame, strlen(frame)) : FRAME_ROOT;
			nr++;
		}
		if (opts->reverse)
			flame__reverse_stack(names, kinds, nr);
		ret = fn(ctx, (const char *const *)names, kinds, nr, llround(after),
			 before < 0 ? -1 : llround(before));
		if (ret)
			goto out;
	}
out:
	free(copy);
	free(names);
	free(kinds);
	return ret;
}
