// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/strtab.h"
#include "diff.h"

#define DIFF_MAX_NAME	4096
#define DIFF_MAX_FRAMES 4096

struct stack_counts {
	uint64_t before, after;
	size_t kinds_off; /* into kinds: one byte per frame */
	uint32_t nr;
};

struct flame_diff {
	struct diff_opts opts;
	struct strtab *stacks; /* folded text of each stack */
	struct stack_counts *counts;
	size_t cap_counts;
	unsigned char *kinds;
	size_t kinds_len, kinds_cap;
	uint64_t total[2];
	struct strtab *renamed; /* names that normalisation changed, once each */
	char *key;
	size_t key_cap;
};

struct flame_diff *flame_diff__new(const struct diff_opts *opts)
{
	struct flame_diff *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (opts)
		d->opts = *opts;
	d->stacks = strtab__new();
	d->renamed = strtab__new();
	if (!d->stacks || !d->renamed) {
		flame_diff__free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void flame_diff__free(struct flame_diff *d)
{
	if (!d)
		return;
	strtab__free(d->stacks);
	strtab__free(d->renamed);
	free(d->counts);
	free(d->kinds);
	free(d->key);
	free(d);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The start of "0x<hex>" that ends at end (one hex digit at least), or NULL. */
static const char *hex_before(const char *start, const char *end)
{
	const char *p = end;

	while (p > start && is_hex(p[-1]))
		p--;
	if (p == end || p - start < 2 || p[-1] != 'x' || p[-2] != '0')
		return NULL;
	return p - 2;
}

size_t diff__normalize_name(const char *in, size_t len, char *out, size_t cap)
{
	char *s = out, *e, ann[4];
	bool has_ann = false;
	const char *h;
	size_t n, p;

	if (cap < len + 8)
		len = cap > 8 ? cap - 8 : 0;
	memcpy(s, in, len);
	e = s + len;
	/* an annotation ("_[k]") stays at the end */
	if (len >= 4 && e[-4] == '_' && e[-3] == '[' && e[-1] == ']') {
		memcpy(ann, e - 4, 4);
		e -= 4;
		has_ann = true;
	}
	/* glibc: "__GI___libc_write" is "__libc_write", "__memcpy_X" is "__memmove_X" */
	if (e - s >= 5 && !memcmp(s, "__GI_", 5)) {
		memmove(s, s + 5, e - s - 5);
		e -= 5;
	}
	if (e - s >= 9 && !memcmp(s, "__memcpy_", 9)) {
		memmove(s + 10, s + 9, e - s - 9);
		memcpy(s, "__memmove_", 10);
		e++;
	}
	/* V8's tiers: "~f", "^f", "+f", "*f", after an optional "Prefix:" */
	for (p = 0; s + p < e && is_alpha(s[p]); p++)
		;
	if (!(s + p < e && s[p] == ':' && p))
		p = 0;
	else
		p++;
	if (s + p + 1 < e && strchr("~^+*", s[p]) && s[p + 1] != ' ') {
		memmove(s + p, s + p + 1, e - s - p - 1);
		e--;
	}
	/* addresses: "f 0x1f", "f+0x1f", "[lib.so+0x1f]", "[lib.so <7f1f>]" */
	n = e - s;
	if (n && s[n - 1] == ']' && s[0] == '[') {
		char *lt = memrchr(s, '<', n);

		if (lt && lt > s + 1 && lt[-1] == ' ' && e - lt >= 3 && e[-2] == '>') {
			char *q;

			for (q = lt + 1; q < e - 2 && is_hex(*q); q++)
				;
			if (q == e - 2 && q > lt + 1) {
				lt[-1] = ']';
				e = lt;
			}
		}
		h = hex_before(s, e - 1);
		if (h && h > s + 1 && h[-1] == '+') {
			((char *)h)[-1] = ']';
			e = (char *)h;
		}
	} else if ((h = hex_before(s, e)) && h > s && (h[-1] == ' ' || h[-1] == '+')) {
		e = (char *)h - 1;
	}
	if (has_ann) {
		memcpy(e, ann, 4);
		e += 4;
	}
	*e = '\0';
	return e - s;
}

/*
 * difffolded -s: every "0x" and hex digits in the stack becomes "0x...".
 * The text may grow ("0x1" is shorter): it is read from a copy at the end
 * of the buffer (cap bytes, at least 3 * len).
 */
static size_t strip_hex(char *s, size_t len, size_t cap)
{
	const char *in = s + cap - len;
	size_t i = 0, o = 0;

	memmove(s + cap - len, s, len);
	while (i < len) {
		if (i + 2 < len && in[i] == '0' && in[i + 1] == 'x' && is_hex(in[i + 2])) {
			i += 2;
			while (i < len && is_hex(in[i]))
				i++;
			memcpy(s + o, "0x...", 5);
			o += 5;
			continue;
		}
		s[o++] = in[i++];
	}
	return o;
}

/* Adds count to the stack whose text is d->key (len bytes), kinds from kinds or annotations. */
static int flame_diff__count(struct flame_diff *d, bool after, size_t len,
			     const enum frame_kind *kinds, size_t nr, uint64_t count)
{
	int64_t id;
	size_t i;

	if (d->opts.strip_hex) {
		if (array__grow((void **)&d->key, &d->key_cap, 3 * len + 8, 1))
			return -ENOMEM;
		len = strip_hex(d->key, len, d->key_cap);
	}
	id = strtab__intern_len(d->stacks, d->key, len);
	if (id < 0 || array__grow((void **)&d->counts, &d->cap_counts, id + 1, sizeof(*d->counts)))
		return -ENOMEM;
	if (!d->counts[id].nr && kinds && nr) {
		if (array__grow((void **)&d->kinds, &d->kinds_cap, d->kinds_len + nr + 1, 1))
			return -ENOMEM;
		d->counts[id].kinds_off = d->kinds_len;
		d->counts[id].nr = nr;
		for (i = 0; i < nr; i++)
			d->kinds[d->kinds_len++] = kinds[i];
	}
	if (after)
		d->counts[id].after = d->counts[id].after > UINT64_MAX - count
					  ? UINT64_MAX
					  : d->counts[id].after + count;
	else
		d->counts[id].before = d->counts[id].before > UINT64_MAX - count
					   ? UINT64_MAX
					   : d->counts[id].before + count;
	d->total[after] =
	    d->total[after] > UINT64_MAX - count ? UINT64_MAX : d->total[after] + count;
	return 0;
}

/* Appends one name to d->key (room made by the caller), normalised unless exact_names. */
static int flame_diff__name(struct flame_diff *d, size_t *len, const char *s, size_t in_len)
{
	char name[DIFF_MAX_NAME + 8];
	size_t n, k;

	if (in_len > DIFF_MAX_NAME)
		in_len = DIFF_MAX_NAME;
	if (d->opts.exact_names) {
		memcpy(d->key + *len, s, in_len);
		*len += in_len;
		return 0;
	}
	n = diff__normalize_name(s, in_len, name, sizeof(name));
	if ((n != in_len || memcmp(name, s, n)) && strtab__intern_len(d->renamed, s, in_len) < 0)
		return -ENOMEM;
	for (k = 0; k < n; k++) /* a ';' would split the frame */
		d->key[(*len)++] = name[k] == ';' ? ':' : name[k];
	return 0;
}

int flame_diff__add(struct flame_diff *d, bool after, const char *const *names,
		    const enum frame_kind *kinds, size_t nr, uint64_t count)
{
	size_t len = 0, i, need;
	int err;

	if (nr > DIFF_MAX_FRAMES)
		nr = DIFF_MAX_FRAMES;
	for (i = 0, need = 8; i < nr; i++)
		need += strnlen(names[i], DIFF_MAX_NAME) + 16;
	/* "0x1" may become "0x..." with -s: room for that too */
	if (array__grow((void **)&d->key, &d->key_cap, need * 2, 1))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (i)
			d->key[len++] = ';';
		err = flame_diff__name(d, &len, names[i], strnlen(names[i], DIFF_MAX_NAME));
		if (err)
			return err;
	}
	return flame_diff__count(d, after, len, kinds, nr, count);
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* difffolded's "^(.*)\s+?(\d+(?:\.\d*)?)$" on bytes: sets *stack_len and *count. */
static bool folded_line(const char *s, size_t n, size_t *stack_len, uint64_t *count)
{
	const char *e = s + n, *p = e, *dot = NULL, *q;
	uint64_t v = 0;

	while (p > s && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')) {
		if (p[-1] == '.') {
			if (dot)
				return false;
			dot = p - 1;
		}
		p--;
	}
	if (p == e || p == s || *p == '.' || !is_space(p[-1]))
		return false;
	for (q = p; q < (dot ? dot : e); q++)
		v = v > (UINT64_MAX - (*q - '0')) / 10 ? UINT64_MAX : v * 10 + (*q - '0');
	if (dot && dot + 1 < e && dot[1] >= '5' && v < UINT64_MAX)
		v++;
	*count = v;
	*stack_len = p - 1 - s;
	return true;
}

int flame_diff__add_folded(struct flame_diff *d, bool after, const char *buf, size_t len,
			   bool reverse, bool (*keep)(void *ctx, const char *root), void *ctx,
			   size_t *bad)
{
	const char *p = buf, *end = buf + len, *eol;
	char *root = NULL;
	size_t root_cap = 0;
	int err = 0;

	for (; !err && p < end; p = eol + 1) {
		size_t stack_len = 0, klen = 0, i, nf = 0;

		uint64_t count = 0;
		const char *f, *q;

		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (!folded_line(p, eol - p, &stack_len, &count)) {
			if (bad)
				(*bad)++;
			stack_len = 0; /* difffolded: an empty stack, no samples */
		}
		if (keep) {
			q = memchr(p, ';', stack_len);
			i = q ? (size_t)(q - p) : stack_len;
			if (array__grow((void **)&root, &root_cap, i + 1, 1)) {
				err = -ENOMEM;
				break;
			}
			memcpy(root, p, i);
			root[i] = '\0';
			if (!keep(ctx, root))
				continue;
		}
		if (array__grow((void **)&d->key, &d->key_cap, stack_len * 2 + 64, 1)) {
			err = -ENOMEM;
			break;
		}
		if (reverse) {
			/* as flamegraph.pl --reverse: empty frames at the end go first */
			const char *e = p + stack_len;

			while (e > p && e[-1] == ';')
				e--;
			for (q = e; e > p;) {
				f = memrchr(p, ';', q - p);
				if (nf++)
					d->key[klen++] = ';';
				err =
				    flame_diff__name(d, &klen, f ? f + 1 : p, q - (f ? f + 1 : p));
				if (err || !f)
					break;
				q = f;
			}
		} else {
			for (f = p; f <= p + stack_len && stack_len; f = q + 1) {
				q = memchr(f, ';', p + stack_len - f);
				if (!q)
					q = p + stack_len;
				if (nf++)
					d->key[klen++] = ';';
				err = flame_diff__name(d, &klen, f, q - f);
				if (err || q == p + stack_len)
					break;
			}
		}
		if (!err)
			err = flame_diff__count(d, after, klen, NULL, 0, count);
	}
	free(root);
	return err;
}

uint64_t flame_diff__total(const struct flame_diff *d, bool after)
{
	return d->total[after];
}

uint64_t flame_diff__renamed(const struct flame_diff *d)
{
	return strtab__count(d->renamed);
}

static const struct strtab *sort_stacks;

static int key__cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = strtab__len(sort_stacks, x), ly = strtab__len(sort_stacks, y);
	int c = memcmp(strtab__str(sort_stacks, x), strtab__str(sort_stacks, y), lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly;
}

/*
 * count * scale, truncated, as difffolded -n's int(c1 * total2 / total1):
 * the product first (exactly, for whole numbers), then the division.
 */
static void put_scaled(FILE *out, uint64_t count, double num, double den)
{
	double v;

	if (num == den || !count) {
		fprintf(out, "%llu", (unsigned long long)count);
		return;
	}
	if (num == floor(num) && num >= 0 && num < 18446744073709551616.0)
		v = (double)((unsigned __int128)count * (uint64_t)num) / den;
	else
		v = count * num / den;
	v = isfinite(v) ? trunc(v) : 0;
	if (v < 9223372036854775808.0)
		fprintf(out, "%lld", (long long)v);
	else
		fprintf(out, "%.15g", v);
}

int flame_diff__write_folded(const struct flame_diff *d, FILE *out, double before_scale)
{
	uint32_t n = strtab__count(d->stacks), i, *ids = malloc((n ? n : 1) * sizeof(*ids));
	double num = before_scale, den = 1;

	if (!ids)
		return -ENOMEM;
	/* The totals' ratio, as difffolded -n computes it: counts times AFTER's, over BEFORE's. */
	if (d->total[0] && fabs(before_scale - (double)d->total[1] / d->total[0]) < 1e-12) {
		num = d->total[1];
		den = d->total[0];
	}
	for (i = 0; i < n; i++)
		ids[i] = i;
	sort_stacks = d->stacks;
	qsort(ids, n, sizeof(*ids), key__cmp);
	for (i = 0; i < n; i++) {
		fwrite(strtab__str(d->stacks, ids[i]), 1, strtab__len(d->stacks, ids[i]), out);
		fputc(' ', out);
		put_scaled(out, d->counts[ids[i]].before, num, den);
		fprintf(out, " %llu\n", (unsigned long long)d->counts[ids[i]].after);
	}
	free(ids);
	return fflush(out) || ferror(out) ? -EIO : 0;
}

int flame_diff__to_flame(const struct flame_diff *d, struct flame *f, bool negate)
{
	const char **names = malloc(DIFF_MAX_FRAMES * sizeof(*names));
	enum frame_kind *kinds = malloc(DIFF_MAX_FRAMES * sizeof(*kinds));
	uint32_t n = strtab__count(d->stacks), id;
	char *copy = NULL;
	size_t cap = 0;
	int err = 0;

	if (!names || !kinds)
		err = -ENOMEM;
	for (id = 0; !err && id < n; id++) {
		const struct stack_counts *c = &d->counts[id];
		size_t len = strtab__len(d->stacks, id), nr = 0, i;
		char *p, *q;

		if (array__grow((void **)&copy, &cap, len + 1, 1)) {
			err = -ENOMEM;
			break;
		}
		memcpy(copy, strtab__str(d->stacks, id), len + 1);
		for (p = len ? copy : NULL; p && nr < DIFF_MAX_FRAMES; p = q) {
			q = strchr(p, ';');
			if (q)
				*q++ = '\0';
			names[nr++] = p;
		}
		for (i = 0; i < nr; i++) {
			size_t n = strlen(names[i]);

			if (i < c->nr)
				kinds[i] = (enum frame_kind)d->kinds[c->kinds_off + i];
			else if (!i)
				kinds[i] = FRAME_ROOT;
			else if (n >= 4 && !memcmp(names[i] + n - 4, "_[k]", 4))
				kinds[i] = FRAME_KERNEL;
			else if (n >= 4 && !memcmp(names[i] + n - 4, "_[j]", 4))
				kinds[i] = FRAME_JIT;
			else
				kinds[i] = FRAME_USER;
		}
		err = flame__add_diff(f, names, kinds, nr, negate ? c->before : c->after,
				      negate ? c->after : c->before);
	}
	free(copy);
	free(names);
	free(kinds);
	return err;
}
