// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "folded.h"

#define FOLDED_MAX_FRAMES 4096

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The length of the whitespace character that ends at end (exclusive), or
 * 0: perl's \s on a Unicode string (flamegraph.pl decodes its input), or
 * on bytes (difffolded.pl does not).
 */
static size_t space_before(const char *start, const char *end, bool unicode)
{
	const unsigned char *e = (const unsigned char *)end;
	size_t n = end - start;

	if (!n)
		return 0;
	if (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r'))
		return 1;
	if (!unicode)
		return 0;
	if (n >= 2 && e[-2] == 0xc2 && (e[-1] == 0x85 || e[-1] == 0xa0))
		return 2; /* NEL, NO-BREAK SPACE */
	if (n < 3)
		return 0;
	if (e[-3] == 0xe1 && e[-2] == 0x9a && e[-1] == 0x80)
		return 3; /* OGHAM SPACE MARK */
	if (e[-3] == 0xe2 && e[-2] == 0x80 &&
	    (e[-1] <= 0x8a || e[-1] == 0xa8 || e[-1] == 0xa9 || e[-1] == 0xaf) && e[-1] >= 0x80)
		return 3; /* EN QUAD..HAIR SPACE, LINE and PARAGRAPH SEPARATOR, NNBSP */
	if (e[-3] == 0xe2 && e[-2] == 0x81 && e[-1] == 0x9f)
		return 3; /* MEDIUM MATHEMATICAL SPACE */
	if (e[-3] == 0xe3 && e[-2] == 0x80 && e[-1] == 0x80)
		return 3; /* IDEOGRAPHIC SPACE */
	return 0;
}

/*
 * flamegraph.pl's "^(.*)\s+?(\d+(?:\.\d*)?)$" on [start, *end): a count,
 * digits and an optional fraction, after one whitespace character. On a
 * match, sets *v (rounded, saturated), *token to where the count starts,
 * moves *end to where the stack ends (before that character) and returns
 * true.
 */
static bool count_token(const char *start, const char **end, uint64_t *v, bool *rounded,
			const char **token, bool unicode)
{
	const char *e = *end, *p = e, *dot = NULL, *q;
	uint64_t n = 0;
	size_t sp;

	while (p > start && (is_digit(p[-1]) || p[-1] == '.')) {
		if (p[-1] == '.') {
			if (dot)
				return false;
			dot = p - 1;
		}
		p--;
	}
	if (p == e || !is_digit(*p) || !(sp = space_before(start, p, unicode)))
		return false;
	for (q = p; q < (dot ? dot : e); q++)
		n = n > (UINT64_MAX - (*q - '0')) / 10 ? UINT64_MAX : n * 10 + (*q - '0');
	for (q = dot ? dot + 1 : e; q < e && *q == '0'; q++)
		;
	if (q < e) { /* a fraction that is not all zeros */
		*rounded = true;
		if (dot[1] >= '5' && n < UINT64_MAX)
			n++;
	}
	*v = n;
	*token = p;
	*end = p - sp;
	return true;
}

/* flamegraph.pl's reading, Unicode spaces and all. */
static bool count_before(const char *start, const char **end, uint64_t *v, bool *rounded)
{
	const char *token;

	return count_token(start, end, v, rounded, &token, true);
}

/* difffolded.pl's, on bytes. */
static bool count_before_bytes(const char *start, const char **end, uint64_t *v, bool *rounded)
{
	const char *token;

	return count_token(start, end, v, rounded, &token, false);
}

static enum frame_kind kind_of(const char *s, size_t n)
{
	if (n >= 4 && !memcmp(s + n - 4, "_[k]", 4))
		return FRAME_KERNEL;
	if (n >= 4 && !memcmp(s + n - 4, "_[j]", 4))
		return FRAME_JIT;
	return FRAME_USER;
}

/* Splits copy (NUL-terminated, modified) at ';' into names[]; empty names at the end are dropped.
 */
static size_t split_frames(char *copy, size_t len, const char **names, enum frame_kind *kinds)
{
	size_t nr = 0;
	char *frame, *q;

	for (frame = len ? copy : NULL; frame && nr < FOLDED_MAX_FRAMES; frame = q) {
		q = strchr(frame, ';');
		if (q)
			*q++ = '\0';
		names[nr] = frame;
		kinds[nr] = nr ? kind_of(frame, strlen(frame)) : FRAME_ROOT;
		nr++;
	}
	while (nr && !names[nr - 1][0])
		nr--;
	return nr;
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

struct scratch {
	const char **names;
	enum frame_kind *kinds;
	char *copy;
	size_t copy_cap;
};

static int scratch__init(struct scratch *s)
{
	*s = (struct scratch){ 0 };
	s->names = malloc(FOLDED_MAX_FRAMES * sizeof(*s->names));
	s->kinds = malloc(FOLDED_MAX_FRAMES * sizeof(*s->kinds));
	return s->names && s->kinds ? 0 : -ENOMEM;
}

static void scratch__release(struct scratch *s)
{
	free(s->names);
	free(s->kinds);
	free(s->copy);
}

/* A NUL-terminated copy of len bytes, in the scratch. */
static char *scratch__copy(struct scratch *s, const char *p, size_t len)
{
	if (array__grow((void **)&s->copy, &s->copy_cap, len + 1, 1))
		return NULL;
	memcpy(s->copy, p, len);
	s->copy[len] = '\0';
	return s->copy;
}

int folded__for_each(const char *buf, size_t len, const struct folded_opts *opts, folded_fn fn,
		     void *ctx, size_t *bad_line)
{
	const char *p = buf, *end = buf + len, *eol, *e, *s;
	static const struct folded_opts none;
	struct scratch sc;
	size_t line = 0;
	bool rounded;
	int ret;

	if (!opts)
		opts = &none;
	ret = scratch__init(&sc);
	for (; !ret && p < end; p = eol + 1) {
		uint64_t after, before = 0;
		bool two;
		size_t nr;
		char *copy;

		line++;
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		for (e = eol; e > p && is_blank(e[-1]); e--)
			;
		if (e == p)
			continue;
		if (!count_before_bytes(p, &e, &after, &rounded)) {
			*bad_line = line;
			ret = -EINVAL;
			break;
		}
		/* difffolded: a second count before the first */
		s = e;
		two = count_before_bytes(p, &s, &before, &rounded);
		if (two)
			e = s;
		copy = scratch__copy(&sc, p, e - p);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		nr = split_frames(copy, e - p, sc.names, sc.kinds);
		if (opts->reverse)
			flame__reverse_stack(sc.names, sc.kinds, nr);
		ret = fn(ctx, (const char *const *)sc.names, sc.kinds, nr, after,
			 two ? (int64_t)(before > INT64_MAX ? INT64_MAX : before) : -1);
	}
	scratch__release(&sc);
	return ret;
}

/* One line of input, or one that --reverse wrote. */
struct line {
	const char *s;
	size_t len;
};

static int line__cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Appends len bytes to the store. Returns the offset, or SIZE_MAX without memory. */
static size_t store__add(char **store, size_t *used, size_t *cap, const char *s, size_t len)
{
	size_t at = *used;

	if (array__grow((void **)store, cap, *used + len, 1))
		return SIZE_MAX;
	memcpy(*store + at, s, len);
	*used += len;
	return at;
}

/*
 * --reverse rewrites each line before the sort, into the store: its stack
 * reversed, then " COUNT" (or " COUNT COUNT2"), the counts as written. A
 * line that does not parse becomes " ", which is then ignored. Returns the
 * line's offset in the store, or SIZE_MAX without memory.
 */
static size_t flow__reverse(const struct line *l, char **store, size_t *used, size_t *cap)
{
	const char *e = l->s + l->len, *tok1, *tok2 = NULL, *s2, *q, *f;
	size_t at = *used, len2 = 0, len1, i, nf = 0;
	bool rounded = false, two;
	uint64_t v;
	struct line *fields;

	if (!count_token(l->s, &e, &v, &rounded, &tok1, true))
		return store__add(store, used, cap, " ", 1);
	len1 = l->s + l->len - tok1;
	s2 = e;
	two = count_token(l->s, &s2, &v, &rounded, &tok2, true);
	if (two) {
		len2 = len1;
		len1 = e - tok2;
		e = s2;
	}
	/* the stack's fields, empty ones at the end dropped, in reverse */
	fields = malloc(((e - l->s) + 1) * sizeof(*fields));
	if (!fields)
		return SIZE_MAX;
	for (f = l->s; f < e; f = q + 1) {
		q = memchr(f, ';', e - f);
		if (!q)
			q = e;
		fields[nf++] = (struct line){ f, q - f };
	}
	while (nf && !fields[nf - 1].len)
		nf--;
	for (i = nf; i-- > 0;)
		if (store__add(store, used, cap, fields[i].s, fields[i].len) == SIZE_MAX ||
		    (i && store__add(store, used, cap, ";", 1) == SIZE_MAX))
			goto out_nomem;
	free(fields);
	/* " $samples $samples2": the first column, then the second */
	if (store__add(store, used, cap, " ", 1) == SIZE_MAX ||
	    store__add(store, used, cap, two ? tok2 : tok1, len1) == SIZE_MAX)
		return SIZE_MAX;
	if (two && (store__add(store, used, cap, " ", 1) == SIZE_MAX ||
		    store__add(store, used, cap, tok1, len2) == SIZE_MAX))
		return SIZE_MAX;
	return at;
out_nomem:
	free(fields);
	return SIZE_MAX;
}

/*
 * --colors chain: "a;b;--;c;d" becomes "a;b;--;c_[w];d_[w]": every part
 * after the first ";--;" is a waker's, its frames marked. As in
 * flamegraph.pl, the parts are split at each ";--;" with empty ones at the
 * end dropped, and the first part always gets a ";--;" after it. Returns
 * the new stack's length in out (cap at least 8 * len + 16).
 */
static size_t chain__rewrite(const char *s, size_t len, char *out)
{
	const char *end = s + len, *p = s, *sep;
	struct line parts[FOLDED_MAX_FRAMES];
	size_t nr = 0, k = 0, i, j;

	while (nr < FOLDED_MAX_FRAMES) {
		sep = memmem(p, end - p, ";--;", 4);
		parts[nr++] = (struct line){ p, (sep ? sep : end) - p };
		if (!sep)
			break;
		p = sep + 4;
	}
	while (nr && !parts[nr - 1].len)
		nr--;
	if (nr) {
		memcpy(out, parts[0].s, parts[0].len);
		k = parts[0].len;
	}
	memcpy(out + k, ";--;", 4);
	k += 4;
	for (i = 1; i < nr; i++) {
		if (i > 1) {
			memcpy(out + k, ";--;", 4);
			k += 4;
		}
		for (j = 0; j < parts[i].len; j++) {
			if (parts[i].s[j] == ';') {
				memcpy(out + k, "_[w]", 4);
				k += 4;
			}
			out[k++] = parts[i].s[j];
		}
		memcpy(out + k, "_[w]", 4);
		k += 4;
	}
	return k;
}

int folded__flow_mem(struct flame *f, const char *buf, size_t len,
		     const struct folded_flow_opts *opts, struct folded_stats *stats)
{
	static const struct folded_flow_opts none;
	struct line *lines = NULL;
	size_t nr = 0, cap = 0, i, used = 0, store_cap = 0, *offs = NULL;
	const char *p = buf, *end = buf + len, *eol;
	char *store = NULL, *chain = NULL;
	size_t chain_cap = 0;
	struct scratch sc;
	int ret;

	if (!opts)
		opts = &none;
	memset(stats, 0, sizeof(*stats));
	ret = scratch__init(&sc);
	for (; !ret && p < end; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (array__grow((void **)&lines, &cap, nr + 1, sizeof(*lines)))
			ret = -ENOMEM;
		else
			lines[nr++] = (struct line){ p, eol - p };
	}
	stats->lines = nr;
	if (!ret && opts->reverse) {
		offs = calloc(nr ? nr : 1, sizeof(*offs));
		if (!offs)
			ret = -ENOMEM;
		for (i = 0; !ret && i < nr; i++) {
			offs[i] = flow__reverse(&lines[i], &store, &used, &store_cap);
			if (offs[i] == SIZE_MAX)
				ret = -ENOMEM;
			else
				lines[i].len = used - offs[i];
		}
		/* the store has stopped moving */
		for (i = 0; !ret && i < nr; i++)
			lines[i].s = store + offs[i];
	}
	if (!ret && !opts->flamechart && nr)
		qsort(lines, nr, sizeof(*lines), line__cmp);
	for (i = 0; !ret && i < nr; i++) {
		const char *s = lines[i].s, *e = s + lines[i].len, *s2;
		uint64_t after, before = 0;
		bool two;
		size_t n;
		char *copy;

		if (!count_before(s, &e, &after, &stats->rounded)) {
			stats->ignored++;
			continue;
		}
		s2 = e;
		two = count_before(s, &s2, &before, &stats->rounded);
		if (two)
			e = s2; /* "STACK BEFORE AFTER": the second column is the shape */
		if (opts->chain) {
			/* each ';' of a waker part grows to "_[w];", and each part gains 8 */
			if (array__grow((void **)&chain, &chain_cap, 8 * (e - s) + 16, 1)) {
				ret = -ENOMEM;
				break;
			}
			n = chain__rewrite(s, e - s, chain);
			s = chain;
			e = chain + n;
		}
		copy = scratch__copy(&sc, s, e - s);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		n = split_frames(copy, e - s, sc.names, sc.kinds);
		if (two)
			ret = flame__add_diff(f, (const char *const *)sc.names, sc.kinds, n, after,
					      before);
		else
			ret = flame__add(f, (const char *const *)sc.names, sc.kinds, n, after);
	}
	free(offs);
	free(store);
	free(chain);
	free(lines);
	scratch__release(&sc);
	return ret;
}
