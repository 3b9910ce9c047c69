// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/strtab.h"
#include "collapse.h"

#define LINE_MAX_LEN (1u << 20) /* longer lines are cut: no real frame is this long */

struct part {
	size_t off, len;  /* into frames */
	bool group_start; /* first part of one input line's group */
};

struct collapse {
	struct collapse_opts opts;
	struct strtab *stacks;
	uint64_t *counts;
	size_t cap_counts;
	uint64_t unrecognized;
	/* the sample being read */
	char pname[512];
	bool have_pname;
	char *frames;
	size_t frames_len, frames_cap;
	struct part *parts;
	size_t nr_parts, cap_parts;
	/* a line split across feeds */
	char *line;
	size_t line_len, line_cap;
	char *key;
	size_t key_cap;
};

struct collapse *collapse__new(const struct collapse_opts *opts)
{
	struct collapse *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (opts)
		c->opts = *opts;
	c->stacks = strtab__new();
	if (!c->stacks) {
		free(c);
		return NULL;
	}
	return c;
}

void collapse__free(struct collapse *c)
{
	if (!c)
		return;
	strtab__free(c->stacks);
	free(c->counts);
	free(c->frames);
	free(c->parts);
	free(c->line);
	free(c->key);
	free(c);
}

uint64_t collapse__unrecognized(const struct collapse *c)
{
	return c->unrecognized;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_word(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* An empty line: the sample ends. Its stack is the root name and the frames, outermost first. */
static int collapse__end_sample(struct collapse *c)
{
	size_t len = 0, need = strlen(c->pname) + 1, i, g, end;
	int64_t id;
	int err;

	for (i = 0; i < c->nr_parts; i++)
		need += c->parts[i].len + 1;
	err = array__grow((void **)&c->key, &c->key_cap, need + 1, 1);
	if (err)
		return err;
	if (c->have_pname) {
		memcpy(c->key, c->pname, strlen(c->pname));
		len = strlen(c->pname);
	}
	/* Lines came leaf first: emit the groups in reverse, each group's parts in order. */
	for (end = c->nr_parts; end > 0; end = g) {
		for (g = end; g > 0 && !c->parts[g - 1].group_start; g--)
			;
		if (g > 0)
			g--;
		for (i = g; i < end; i++) {
			c->key[len++] = ';';
			memcpy(c->key + len, c->frames + c->parts[i].off, c->parts[i].len);
			len += c->parts[i].len;
		}
	}
	id = strtab__intern_len(c->stacks, c->key, len);
	if (id < 0)
		return -ENOMEM;
	err = array__grow((void **)&c->counts, &c->cap_counts, id + 1, sizeof(*c->counts));
	if (err)
		return err;
	c->counts[id]++;
	c->nr_parts = 0;
	c->frames_len = 0;
	c->have_pname = false;
	c->pname[0] = '\0';
	return 0;
}

/*
 * "comm[ more words] PID[/TID] ..." with the shortest comm of at least two
 * characters that is followed by whitespace, digits, optional '/' and
 * digits, and whitespace.
 */
static bool collapse__header(struct collapse *c, const char *s, size_t n)
{
	size_t k, p, d1, d1e, d2, d2e;

	if (!n || is_space(s[0]))
		return false;
	for (k = 2; k < n; k++) {
		if (!is_space(s[k]))
			continue;
		for (p = k; p < n && is_space(s[p]); p++)
			;
		for (d1 = p; p < n && is_digit(s[p]); p++)
			;
		d1e = p;
		if (d1e == d1)
			continue;
		while (p < n && s[p] == '/')
			p++;
		for (d2 = p; p < n && is_digit(s[p]); p++)
			;
		d2e = p;
		if (p >= n || !is_space(s[p]))
			continue;
		{
			/* A tid of "0" reads as none, as in perl. */
			bool tid = d2e > d2 && !(d2e - d2 == 1 && s[d2] == '0');
			char pid[32], both[64];
			size_t i;

			snprintf(pid, sizeof(pid), "%.*s", tid ? (int)(d1e - d1) : 1,
				 tid ? s + d1 : "?");
			if (tid)
				snprintf(both, sizeof(both), "%s/%.*s", pid, (int)(d2e - d2),
					 s + d2);
			else
				snprintf(both, sizeof(both), "?/%.*s", (int)(d1e - d1), s + d1);
			if (c->opts.tid)
				snprintf(c->pname, sizeof(c->pname), "%.*s-%s", (int)k, s, both);
			else if (c->opts.pid)
				snprintf(c->pname, sizeof(c->pname), "%.*s-%s", (int)k, s, pid);
			else
				snprintf(c->pname, sizeof(c->pname), "%.*s", (int)k, s);
			for (i = 0; c->pname[i]; i++)
				if (c->pname[i] == ' ')
					c->pname[i] = '_';
			c->have_pname = true;
			return true;
		}
	}
	return false;
}

static int collapse__push(struct collapse *c, const char *s, size_t len, bool group_start)
{
	if (array__grow((void **)&c->frames, &c->frames_cap, c->frames_len + len, 1) ||
	    array__grow((void **)&c->parts, &c->cap_parts, c->nr_parts + 1, sizeof(*c->parts)))
		return -ENOMEM;
	memcpy(c->frames + c->frames_len, s, len);
	c->parts[c->nr_parts++] = (struct part){ c->frames_len, len, group_start };
	c->frames_len += len;
	return 0;
}

/* True when func holds ".(" and later ")." (a Go method: keep its parentheses). */
static bool is_go_method(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (f[i] == '.' && f[i + 1] == '(')
			break;
	for (i += 2; i + 1 < n; i++)
		if (f[i] == ')' && f[i + 1] == '.')
			return true;
	return false;
}

/* Tidies one frame name into out (cap bytes); returns its length. */
static size_t collapse__tidy(struct collapse *c, const char *f, size_t n, const char *mod,
			     size_t modlen, bool inlined, char *out, size_t cap)
{
	char tmp[4096];
	size_t len = 0, i;

	if (n == 9 && !memcmp(f, "[unknown]", 9) &&
	    !(modlen == 9 && !memcmp(mod, "[unknown]", 9))) {
		const char *base = mod;

		for (i = 0; i < modlen; i++)
			if (mod[i] == '/')
				base = mod + i + 1;
		len = snprintf(tmp, sizeof(tmp), "[%.*s]", (int)(modlen - (base - mod)), base);
		if (len >= sizeof(tmp))
			len = sizeof(tmp) - 1;
		f = tmp;
		n = len;
	}
	len = 0;
	{
		bool go = is_go_method(f, n);

		for (i = 0; i < n && len < cap; i++) {
			char ch = f[i];

			/* Cut at the first '(' that does not open "(anonymous namespace)". */
			if (ch == '(' && !go &&
			    !(n - i >= 21 && !memcmp(f + i + 1, "anonymous namespace)", 20)))
				break;
			if (ch == '"' || ch == '\'')
				continue;
			out[len++] = ch == ';' ? ':' : ch;
		}
	}
	/* Java, as the process named java shows it: "Lpkg/Class;" loses its L. */
	if (!strcmp(c->pname, "java") && len && out[0] == 'L' && memchr(out, '/', len)) {
		memmove(out, out + 1, len - 1);
		len--;
	}
	if (inlined && len + 4 <= cap) {
		memcpy(out + len, "_[i]", 4);
		len += 4;
	}
	return len;
}

/* "<ws>ADDR FUNC (MODULE)": the last " (" ... ")" closes the frame. */
static int collapse__frame(struct collapse *c, const char *s, size_t n, bool *matched)
{
	size_t st, p, pc_end, ws_end, j, mod_end, fstart, flen, partlen;
	char func[4096 + 8], name[4200];
	const char *mod = NULL, *part;
	size_t modlen = 0;
	bool found = false, first = true;

	*matched = false;
	for (st = 0; st < n && is_space(s[st]); st++)
		;
	if (st >= n || !is_word(s[st]))
		return 0;
	/* The rightmost " (" whose non-space run holds a ')'. */
	for (p = n; p-- > st + 1;) {
		if (s[p] != ' ' || p + 1 >= n || s[p + 1] != '(')
			continue;
		for (j = p + 2; j < n && !is_space(s[j]); j++)
			;
		for (mod_end = j; mod_end > p + 2 && s[mod_end - 1] != ')'; mod_end--)
			;
		if (mod_end > p + 2) {
			mod = s + p + 2;
			modlen = mod_end - 1 - (p + 2);
			found = true;
			break;
		}
	}
	if (!found)
		return 0;
	for (pc_end = st; pc_end < p && is_word(s[pc_end]); pc_end++)
		;
	if (pc_end >= p)
		pc_end = p - 1; /* the function needs at least one character */
	if (pc_end <= st)
		return 0;
	for (ws_end = pc_end; ws_end < p && is_space(s[ws_end]); ws_end++)
		;
	if (ws_end >= p)
		ws_end = p - 1;
	*matched = true;
	fstart = ws_end;
	flen = p - fstart;
	if (flen > 4096)
		flen = 4096;
	memcpy(func, s + fstart, flen);
	/* Linux 4.8+ prints "+0x1f" offsets: drop them. */
	for (j = flen; j > 0 && ((func[j - 1] >= '0' && func[j - 1] <= '9') ||
				 (func[j - 1] >= 'a' && func[j - 1] <= 'f'));
	     j--)
		;
	if (j < flen && j >= 3 && !memcmp(func + j - 3, "+0x", 3))
		flen = j - 3;
	if (c->opts.kernel && (memmem(mod, modlen, "kernel.", 7) ||
			       (modlen >= 7 && !memcmp(mod + modlen - 7, "vmlinux", 7)))) {
		memcpy(func + flen, "_[k]", 4);
		flen += 4;
	}
	if (c->opts.jit && modlen > 14 && !memcmp(mod, "/tmp/perf-", 10) &&
	    !memcmp(mod + modlen - 4, ".map", 4)) {
		memcpy(func + flen, "_[j]", 4);
		flen += 4;
	}
	if (flen && func[0] == '(')
		return 0; /* a process name, not a frame */
	/* "a->b": b was inlined into a. Empty trailing parts are dropped, as perl's split does. */
	while (flen >= 2 && func[flen - 2] == '-' && func[flen - 1] == '>')
		flen -= 2;
	for (part = func; part <= func + flen;) {
		const char *arrow = flen ? memmem(part, func + flen - part, "->", 2) : NULL;

		partlen = arrow ? (size_t)(arrow - part) : (size_t)(func + flen - part);
		if (!flen)
			break;
		{
			size_t len = collapse__tidy(c, part, partlen, mod, modlen, !first, name,
						    sizeof(name));

			if (collapse__push(c, name, len, first))
				return -ENOMEM;
		}
		first = false;
		if (!arrow)
			break;
		part = arrow + 2;
	}
	return 0;
}

static int collapse__line(struct collapse *c, const char *s, size_t n)
{
	bool matched;
	int err;

	if (n && s[0] == '#')
		return 0;
	if (!n)
		return collapse__end_sample(c);
	if (collapse__header(c, s, n))
		return 0;
	err = collapse__frame(c, s, n, &matched);
	if (err)
		return err;
	if (!matched)
		c->unrecognized++;
	return 0;
}

int collapse__feed(struct collapse *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	int err;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl) {
			size_t add = end - p;

			if (c->line_len + add > LINE_MAX_LEN)
				add = c->line_len < LINE_MAX_LEN ? LINE_MAX_LEN - c->line_len : 0;
			if (array__grow((void **)&c->line, &c->line_cap, c->line_len + add + 1, 1))
				return -ENOMEM;
			memcpy(c->line + c->line_len, p, add);
			c->line_len += add;
			return 0;
		}
		if (c->line_len) {
			size_t add = nl - p;

			if (c->line_len + add > LINE_MAX_LEN)
				add = c->line_len < LINE_MAX_LEN ? LINE_MAX_LEN - c->line_len : 0;
			if (array__grow((void **)&c->line, &c->line_cap, c->line_len + add + 1, 1))
				return -ENOMEM;
			memcpy(c->line + c->line_len, p, add);
			err = collapse__line(c, c->line, c->line_len + add);
			c->line_len = 0;
		} else {
			err = collapse__line(c, p,
					     (size_t)(nl - p) > LINE_MAX_LEN ? LINE_MAX_LEN
									     : (size_t)(nl - p));
		}
		if (err)
			return err;
		p = nl + 1;
	}
	return 0;
}

int collapse__finish(struct collapse *c)
{
	int err = 0;

	if (c->line_len) {
		err = collapse__line(c, c->line, c->line_len);
		c->line_len = 0;
	}
	/* stackcollapse keeps only samples ended by an empty line. */
	c->nr_parts = 0;
	c->frames_len = 0;
	return err;
}

static const struct strtab *sort_tab;

static int key__cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = strtab__len(sort_tab, x), ly = strtab__len(sort_tab, y);
	int r = memcmp(strtab__str(sort_tab, x), strtab__str(sort_tab, y), lx < ly ? lx : ly);

	if (r)
		return r;
	return lx < ly ? -1 : lx > ly;
}

int collapse__write(struct collapse *c, FILE *out)
{
	uint32_t n = strtab__count(c->stacks), i, *ids = malloc((n ? n : 1) * sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = i;
	sort_tab = c->stacks;
	qsort(ids, n, sizeof(*ids), key__cmp);
	for (i = 0; i < n; i++) {
		fwrite(strtab__str(c->stacks, ids[i]), 1, strtab__len(c->stacks, ids[i]), out);
		fprintf(out, " %llu\n", (unsigned long long)c->counts[ids[i]]);
	}
	free(ids);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
