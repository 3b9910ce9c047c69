// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/array.h"
#include "lib/io.h"
#include "lib/strtab.h"
#include "collapse.h"

/* Input is parsed a block at a time, each block cut at a sample boundary and shared out. */
#define BLOCK	    (16u << 20)
#define MIN_SEGMENT (1u << 20) /* smaller blocks are not worth a thread */
#define MAX_THREADS 8
#define EVENT_MAX   255

/*
 * A sample's count, with perl's arithmetic: exact while the sum fits in 64
 * bits, a double once it does not (perl's NV), printed as perl prints it.
 */
struct count {
	uint64_t u;
	double d;
	bool nv;
};

static double count__double(struct count c)
{
	return c.nv ? c.d : (double)c.u;
}

static struct count count__add(struct count a, struct count b)
{
	if (!a.nv && !b.nv && a.u <= UINT64_MAX - b.u)
		return (struct count){ .u = a.u + b.u };
	return (struct count){ .d = count__double(a) + count__double(b), .nv = true };
}

/* A period as perl reads the digits: "0" and none are 1; past 2^64-1, a double. */
static struct count count__parse(const char *s, size_t n)
{
	struct count c = { .u = 1 };
	uint64_t v = 0;
	size_t i = 0;
	char buf[400];

	if (!n || (n == 1 && s[0] == '0'))
		return c;
	while (i < n && s[i] == '0')
		i++;
	if (n - i <= 20) {
		bool fits = true;

		for (; i < n; i++) {
			if (v > (UINT64_MAX - (s[i] - '0')) / 10) {
				fits = false;
				break;
			}
			v = v * 10 + (s[i] - '0');
		}
		if (fits)
			return (struct count){ .u = v };
	}
	/* More digits than a double holds: the first ones and the exponent are what count. */
	if (n - i >= sizeof(buf) - 32) {
		snprintf(buf, sizeof(buf), "%.300se%zu", s + i, n - i - 300);
	} else {
		memcpy(buf, s + i, n - i);
		buf[n - i] = '\0';
	}
	return (struct count){ .d = strtod(buf, NULL), .nv = true };
}

/* One name of a stack line ("a->b" has two), in the frames buffer. */
struct part {
	size_t off, len;
};

/* An unrecognized line worth quoting. */
struct quote {
	uint64_t line;
	char text[sizeof(((struct collapse_notes *)0)->first[0].text)];
};

struct collapse;

/*
 * One parser: the script's variables for the sample being read, and its
 * own table of stacks. Several parse at once, each from an empty line on.
 */
struct parser {
	struct collapse *c;
	struct strtab *stacks;
	struct count *counts;
	size_t cap_counts;
	/* the sample being read */
	bool have_pname, java;
	char *pname;
	size_t pname_len, pname_cap;
	struct count period;
	/*
	 * The sample's stack, written from the end backwards: lines come leaf
	 * first, so the finished buffer is the key, root first. Its bytes are
	 * stack[stack_pos, stack_cap).
	 */
	char *stack;
	size_t stack_pos, stack_cap;
	/* the names of the stack line being read, before they join the stack */
	char *frames;
	size_t frames_len, frames_cap;
	struct part *parts;
	size_t nr_parts, cap_parts;
	char *scratch;
	size_t scratch_cap;
	/* --srcline: how many of those names wait for their source lines */
	size_t pending_need, pending_done;
	bool big; /* a count passed 2^64-1: its sum depends on the order of the additions */
	/* what this parser saw in its segment of the current block */
	const char *seg;
	size_t seg_len;
	uint64_t lines, unrecognized, dropped, long_lines;
	struct quote quotes[COLLAPSE_NOTE_LINES];
	unsigned int nr_quotes;
	char dropped_event[EVENT_MAX + 1];
	int err;
};

struct collapse {
	struct collapse_opts opts;
	unsigned int nr_parsers;
	struct parser *parsers;
	/* the event kept: given, or the first one seen */
	char filter[EVENT_MAX + 1];
	size_t filter_len;
	bool filter_set, defaulted;
	/* input not parsed yet: whole lines, and the start of the next */
	char *block;
	size_t block_len, block_cap;
	bool skip_to_nl; /* the rest of an overlong line is being dropped */
	bool parallel;	 /* some block was parsed in more than one segment */
	/* collapse__read_fd()'s input, read again on one thread if the order of sums matters */
	int fd;
	off_t fd_start;
	bool finished;
	struct collapse_notes notes;
};

/* Character classes, as perl's \s, \d and \w see bytes, and the bytes a name's tidying acts on. */
enum {
	C_SPACE = 1,
	C_DIGIT = 2,
	C_WORD = 4,
	C_HEX = 8,
	C_TIDY = 16,  /* ( " ' ; - : what a name's tidying looks at */
	C_QUOTE = 32, /* " ' ; : what copying a name changes */
};

static unsigned char char_class[256];
static pthread_once_t char_class_once = PTHREAD_ONCE_INIT;

static void char_class__init(void)
{
	const char *tidy = "(\"';-";
	int ch;

	for (ch = 0; ch < 256; ch++) {
		unsigned char v = 0;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v')
			v |= C_SPACE;
		if (ch >= '0' && ch <= '9')
			v |= C_DIGIT | C_WORD | C_HEX;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_')
			v |= C_WORD;
		if (ch >= 'a' && ch <= 'f')
			v |= C_HEX;
		if (ch && strchr(tidy, ch))
			v |= C_TIDY;
		if (ch == '"' || ch == '\'' || ch == ';')
			v |= C_QUOTE;
		char_class[ch] = v;
	}
}

static inline bool is_space(char ch)
{
	return char_class[(unsigned char)ch] & C_SPACE;
}

static inline bool is_digit(char ch)
{
	return char_class[(unsigned char)ch] & C_DIGIT;
}

static inline bool is_word(char ch)
{
	return char_class[(unsigned char)ch] & C_WORD;
}

static inline bool is_hex(char ch)
{
	return char_class[(unsigned char)ch] & C_HEX;
}

/* The offset of the first byte of s that tidying looks at (C_TIDY), or n. */
static size_t tidy_span(const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i paren = _mm_set1_epi8('('), dquote = _mm_set1_epi8('"'),
		      squote = _mm_set1_epi8('\''), semi = _mm_set1_epi8(';'),
		      dash = _mm_set1_epi8('-');

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i m = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, paren), _mm_cmpeq_epi8(v, dquote)),
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, squote), _mm_cmpeq_epi8(v, semi)),
				 _mm_cmpeq_epi8(v, dash)));
		int bits = _mm_movemask_epi8(m);

		if (bits)
			return i + __builtin_ctz(bits);
	}
#endif
	for (; i < n; i++)
		if (char_class[(unsigned char)s[i]] & C_TIDY)
			return i;
	return n;
}

static bool has(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/*
 * A sample's first line: "COMM PID[/TID] ...". COMM is the shortest run of
 * two or more characters, the first not a space, that is followed by
 * spaces, digits, slashes, digits and a space. Returns whether the line is
 * one, with COMM's length and the digit runs.
 */
struct header {
	size_t comm_len;
	size_t d1, d1_end, d2, d2_end;
};

static bool header__match(const char *s, size_t n, struct header *h)
{
	size_t k, w, p;

	if (n < 2 || is_space(s[0]))
		return false;
	for (k = 2; k < n;) {
		if (!is_space(s[k])) {
			k++;
			continue;
		}
		/* Every COMM that ends inside this run of spaces sees the same rest: try the first.
		 */
		for (w = k; w < n && is_space(s[w]); w++)
			;
		h->d1 = w;
		for (p = w; p < n && is_digit(s[p]); p++)
			;
		h->d1_end = p;
		if (p > w) {
			while (p < n && s[p] == '/')
				p++;
			h->d2 = p;
			while (p < n && is_digit(s[p]))
				p++;
			h->d2_end = p;
			if (p < n && is_space(s[p])) {
				h->comm_len = k;
				return true;
			}
		}
		k = w;
	}
	return false;
}

/*
 * The event at the end of a sample's first line: ": [PERIOD] EVENT:" and
 * spaces. Returns whether there is one, with the event and the period
 * (empty when there is none).
 */
static bool event__match(const char *s, size_t n, const char **ev, size_t *ev_len, const char **per,
			 size_t *per_len)
{
	size_t e = n, t, w, d, z;

	while (e > 0 && is_space(s[e - 1]))
		e--;
	if (e < 2 || s[e - 1] != ':')
		return false;
	for (t = e - 1; t > 0 && !is_space(s[t - 1]); t--)
		;
	if (t == e - 1 || t == 0)
		return false;
	for (w = t; w > 0 && is_space(s[w - 1]); w--)
		;
	if (w == 0)
		return false;
	*ev = s + t;
	*ev_len = e - 1 - t;
	*per = s + w;
	*per_len = 0;
	if (s[w - 1] == ':')
		return true;
	if (!is_digit(s[w - 1]))
		return false;
	for (d = w; d > 0 && is_digit(s[d - 1]); d--)
		;
	for (z = d; z > 0 && is_space(s[z - 1]); z--)
		;
	if (z == 0 || s[z - 1] != ':')
		return false;
	*per = s + d;
	*per_len = w - d;
	return true;
}

/* A stack line: "  PC FUNC (MODULE)". */
struct frame_line {
	const char *pc, *func, *mod;
	size_t pc_len, func_len, mod_len;
};

static bool frame__match(const char *s, size_t n, struct frame_line *f)
{
	size_t st, we, rs, p;
	const char *r;

	for (st = 0; st < n && is_space(s[st]); st++)
		;
	if (st >= n || !is_word(s[st]))
		return false;
	r = memrchr(s, ')', n);
	if (!r)
		return false;
	/* The module opens at the last " (" that the last ')' follows. */
	for (p = r - s;;) {
		const char *open = p > st + 3 ? memrchr(s + st + 3, '(', p - (st + 3)) : NULL;

		if (!open)
			return false;
		p = open - s;
		if (s[p - 1] == ' ')
			break;
	}
	p--;
	for (we = st; we < n && is_word(s[we]); we++)
		;
	for (rs = we; rs < n && is_space(s[rs]); rs++)
		;
	/* The name takes at least one character, from the spaces or the PC if need be. */
	if (rs > p - 1)
		rs = p - 1;
	f->pc = s + st;
	f->pc_len = (rs < we ? rs : we) - st;
	f->func = s + rs;
	f->func_len = p - rs;
	f->mod = s + p + 2;
	f->mod_len = r - (s + p + 2);
	return true;
}

/* Modules --inline leaves alone: perf maps, the kernel, "[vdso]" and the like. */
static bool inline__skips(const char *m, size_t n)
{
	size_t i, d;
	const char *q;

	for (i = 0; i + 5 <= n; i++) {
		if (memcmp(m + i, "perf-", 5))
			continue;
		for (d = i + 5; d < n && is_digit(m[d]); d++)
			;
		if (d == i + 5)
			continue;
		if ((d - (i + 5) >= 2 && n - d >= 3 && !memcmp(m + d, "map", 3)) ||
		    (n - d >= 4 && m[d] != '\n' && !memcmp(m + d + 1, "map", 3)))
			return true;
	}
	if (has(m, n, "kernel."))
		return true;
	for (q = m; (q = memchr(q, '[', m + n - q)); q++)
		if (q + 1 < m + n && q[1] != ']' && memchr(q + 1, ']', m + n - q - 1))
			return true;
	return false;
}

/* "/tmp/perf-PID.map" anywhere in the module: JIT code. */
static bool is_jit_map(const char *m, size_t n)
{
	const char *q = m, *end = m + n;
	size_t d;

	while ((q = memmem(q, end - q, "/tmp/perf-", 10))) {
		q += 10;
		for (d = 0; q + d < end && is_digit(q[d]); d++)
			;
		if (d && end - (q + d) >= 4 && !memcmp(q + d, ".map", 4))
			return true;
	}
	return false;
}

/* "pkg.(*T).M": a '.(' and a later ').' keep the parentheses. */
static bool is_go_method(const char *f, size_t n)
{
	const char *q = f, *end = f + n;

	while ((q = memchr(q, '(', end - q)) && (q == f || q[-1] != '.'))
		q++;
	if (!q)
		return false;
	for (q++; q + 1 < end; q++)
		if (q[0] == ')' && q[1] == '.')
			return true;
	return false;
}

static int parser__grow_frames(struct parser *p, size_t more)
{
	return array__grow((void **)&p->frames, &p->frames_cap, p->frames_len + more, 1);
}

static int parser__push_part(struct parser *p, size_t off)
{
	if (array__grow((void **)&p->parts, &p->cap_parts, p->nr_parts + 1, sizeof(*p->parts)))
		return -ENOMEM;
	p->parts[p->nr_parts++] = (struct part){ off, p->frames_len - off };
	return 0;
}

/* Puts len bytes in front of the sample's stack, with a ';' before them unless root. */
static int parser__prepend(struct parser *p, const char *s, size_t len, bool root)
{
	size_t need = len + !root;

	if (p->stack_pos < need) {
		size_t used = p->stack_cap - p->stack_pos;
		size_t cap =
		    p->stack_cap * 2 > used + need + 4096 ? p->stack_cap * 2 : used + need + 4096;
		char *n = malloc(cap);

		if (!n)
			return -ENOMEM;
		if (used)
			memcpy(n + cap - used, p->stack + p->stack_pos, used);
		free(p->stack);
		p->stack = n;
		p->stack_pos = cap - used;
		p->stack_cap = cap;
	}
	p->stack_pos -= len;
	if (len)
		memcpy(p->stack + p->stack_pos, s, len);
	if (!root)
		p->stack[--p->stack_pos] = ';';
	return 0;
}

/* The names of one stack line join the stack, in front: the line is further from the leaf. */
static int parser__commit(struct parser *p)
{
	size_t i;
	int err = 0;

	for (i = p->nr_parts; i-- > 0 && !err;)
		err = parser__prepend(p, p->frames + p->parts[i].off, p->parts[i].len, false);
	p->nr_parts = 0;
	p->frames_len = 0;
	return err;
}

/*
 * Appends one name of a stack line, tidied: "[unknown]" named by its
 * module, the part after a '(' dropped, quotes dropped, ';' made ':', and
 * the annotations. Sets *unknown for a frame with neither symbol nor
 * module (it has no source line to read).
 */
static int parser__name(struct parser *p, const struct frame_line *fl, const char *f, size_t n,
			bool inlined, bool *unknown)
{
	const struct collapse_opts *o = &p->c->opts;
	size_t off = p->frames_len, cut = n, i, len;
	const char *q;
	char *out;

	if (n == 9 && !memcmp(f, "[unknown]", 9)) {
		const char *base = "unknown";
		size_t blen = 7;

		if (!(fl->mod_len == 9 && !memcmp(fl->mod, "[unknown]", 9))) {
			const char *slash = memrchr(fl->mod, '/', fl->mod_len);

			base = slash ? slash + 1 : fl->mod;
			blen = fl->mod + fl->mod_len - base;
		} else {
			*unknown = true;
		}
		if (array__grow((void **)&p->scratch, &p->scratch_cap, blen + fl->pc_len + 8, 1))
			return -ENOMEM;
		len = 0;
		p->scratch[len++] = '[';
		memcpy(p->scratch + len, base, blen);
		len += blen;
		if (o->addrs) {
			memcpy(p->scratch + len, " <", 2);
			len += 2;
			memcpy(p->scratch + len, fl->pc, fl->pc_len);
			len += fl->pc_len;
			p->scratch[len++] = '>';
		}
		p->scratch[len++] = ']';
		f = p->scratch;
		n = len;
		cut = n;
	}
	/* Everything from the first '(' on is noise, unless it is Go's or an anonymous namespace.
	 */
	for (q = f; (q = memchr(q, '(', f + n - q)); q++) {
		if (f + n - q > 20 && !memcmp(q + 1, "anonymous namespace)", 20))
			continue;
		if (!is_go_method(f, n))
			cut = q - f;
		break;
	}
	if (parser__grow_frames(p, cut + 8))
		return -ENOMEM;
	out = p->frames + off;
	for (i = 0, len = 0; i < cut; i++) {
		size_t span = i;

		while (span < cut && !(char_class[(unsigned char)f[span]] & C_QUOTE))
			span++;
		memcpy(out + len, f + i, span - i);
		len += span - i;
		i = span;
		if (i < cut && f[i] == ';')
			out[len++] = ':';
	}
	/* Java frames in a process named java*: "Lpkg/Class;" loses its L. */
	if (p->java && len && out[0] == 'L' && memchr(out, '/', len)) {
		memmove(out, out + 1, len - 1);
		len--;
	}
	if (inlined) {
		if (!memmem(out, len, "_[i]", 4)) {
			memcpy(out + len, "_[i]", 4);
			len += 4;
		}
	} else if (o->kernel && fl->mod_len &&
		   (fl->mod[0] == '[' || ends_with(fl->mod, fl->mod_len, "vmlinux")) &&
		   !has(fl->mod, fl->mod_len, "unknown")) {
		memcpy(out + len, "_[k]", 4);
		len += 4;
	} else if (o->jit && is_jit_map(fl->mod, fl->mod_len)) {
		if (!memmem(out, len, "_[j]", 4)) {
			memcpy(out + len, "_[j]", 4);
			len += 4;
		}
	}
	p->frames_len = off + len;
	return 0;
}

static int parser__frame(struct parser *p, const char *s, size_t n, bool *matched)
{
	const struct collapse_opts *o = &p->c->opts;
	struct frame_line fl;
	const char *f, *end, *arrow;
	size_t j;
	bool unknown = false;
	int err;

	*matched = frame__match(s, n, &fl);
	if (!*matched || !p->have_pname)
		return 0;
	if (o->inline_fn && !inline__skips(fl.mod, fl.mod_len)) {
		const char *res = NULL;
		size_t res_len = 0;

		err = o->inline_fn(o->inline_ctx, fl.pc, fl.pc_len, fl.func, fl.func_len, fl.mod,
				   fl.mod_len, &res, &res_len);
		if (err)
			return err;
		if (res_len && !(res_len == 2 && !memcmp(res, "??", 2)) &&
		    !(res_len == 7 && !memcmp(res, "??:??:0", 7)))
			return parser__prepend(p, res, res_len, false);
	}
	/* Linux 4.8+ prints "+0x1f" offsets: drop them. */
	f = fl.func;
	end = f + fl.func_len;
	for (j = fl.func_len; j > 0 && is_hex(f[j - 1]); j--)
		;
	if (j < fl.func_len && j >= 3 && !memcmp(f + j - 3, "+0x", 3))
		end = f + j - 3;
	if (end == f || f[0] == '(')
		return 0; /* no name, or a process name */
	/* Most names need no tidying and no annotation: copy them whole. */
	if (!o->kernel && !o->jit && !o->srcline && !p->java && end - f != 9) {
		for (j = 0; (j += tidy_span(f + j, end - f - j)) < (size_t)(end - f); j++)
			if (f[j] != '-' || (f + j + 1 < end && f[j + 1] == '>'))
				break;
		if (j == (size_t)(end - f))
			return parser__prepend(p, f, j, false);
	}
	/* "a->b": b inlined into a. Empty names at the end are dropped, as perl's split does. */
	while (end - f >= 2 && end[-2] == '-' && end[-1] == '>')
		end -= 2;
	if (end == f)
		return 0; /* no names at all */
	p->nr_parts = 0;
	p->frames_len = 0;
	while (f < end) {
		for (arrow = f; (arrow = memchr(arrow, '-', end - arrow)); arrow++)
			if (arrow + 1 < end && arrow[1] == '>')
				break;
		if (!arrow)
			arrow = end;
		j = p->frames_len;
		err = parser__name(p, &fl, f, arrow - f, p->nr_parts > 0, &unknown);
		if (err)
			return err;
		err = parser__push_part(p, j);
		if (err)
			return err;
		/* --srcline: a source line follows each name that has a symbol or a module. */
		if (o->srcline && !unknown)
			p->pending_need++;
		f = arrow == end ? end : arrow + 2;
	}
	if (p->pending_need) {
		p->pending_done = 0;
		return 0;
	}
	return parser__commit(p);
}

/*
 * --srcline: the line after a frame is its source ("file.c:12"), added to
 * the name after a ':' once stripped of "[...]" and of spaces at its ends.
 * The part grows at the end of the frames buffer.
 */
static int parser__srcline(struct parser *p, const char *s, size_t n)
{
	struct part *pt = &p->parts[p->pending_done];
	size_t i, k = 0, b = 0, off = p->frames_len;
	const char *close;
	int err;

	if (array__grow((void **)&p->scratch, &p->scratch_cap, n + 1, 1))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '[' && (close = memchr(s + i + 1, ']', n - i - 1))) {
			i = close - s;
			continue;
		}
		p->scratch[k++] = s[i];
	}
	while (b < k && is_space(p->scratch[b]))
		b++;
	while (k > b && is_space(p->scratch[k - 1]))
		k--;
	if (k > b) {
		if (parser__grow_frames(p, pt->len + 1 + k - b))
			return -ENOMEM;
		memcpy(p->frames + off, p->frames + pt->off, pt->len);
		p->frames[off + pt->len] = ':';
		memcpy(p->frames + off + pt->len + 1, p->scratch + b, k - b);
		pt->off = off;
		pt->len += 1 + k - b;
		p->frames_len = off + pt->len;
	}
	if (++p->pending_done < p->pending_need)
		return 0;
	p->pending_need = p->pending_done = 0;
	err = parser__commit(p);
	return err;
}

static int parser__end_sample(struct parser *p)
{
	int64_t id;

	if (!p->have_pname)
		return 0;
	if (parser__prepend(p, p->pname, p->pname_len, true))
		return -ENOMEM;
	id = strtab__intern_len(p->stacks, p->stack + p->stack_pos, p->stack_cap - p->stack_pos);
	if (id < 0 || array__grow((void **)&p->counts, &p->cap_counts, id + 1, sizeof(*p->counts)))
		return -ENOMEM;
	p->counts[id] = count__add(p->counts[id], p->period);
	p->big |= p->counts[id].nv;
	p->stack_pos = p->stack_cap;
	p->have_pname = false;
	return 0;
}

/* Forgets the sample being read: a new segment starts after an empty line. */
static void parser__reset(struct parser *p)
{
	p->have_pname = false;
	p->stack_pos = p->stack_cap;
	p->nr_parts = 0;
	p->frames_len = 0;
	p->pending_need = p->pending_done = 0;
}

static int parser__header(struct parser *p, const char *s, size_t n, bool *matched)
{
	struct collapse *c = p->c;
	const struct collapse_opts *o = &c->opts;
	const char *ev, *per;
	size_t ev_len, per_len, need, i;
	struct header h;
	bool tid;
	char *q;

	*matched = header__match(s, n, &h);
	if (!*matched)
		return 0;
	if (event__match(s, n, &ev, &ev_len, &per, &per_len)) {
		if (ev_len > EVENT_MAX)
			ev_len = EVENT_MAX; /* no event name is this long */
		if (!c->filter_set) {
			memcpy(c->filter, ev, ev_len);
			c->filter_len = ev_len;
			c->filter_set = c->defaulted = true;
		} else if (ev_len != c->filter_len || memcmp(ev, c->filter, ev_len)) {
			if (!p->dropped++ && c->defaulted) {
				memcpy(p->dropped_event, ev, ev_len);
				p->dropped_event[ev_len] = '\0';
			}
			return 0;
		}
	} else {
		per_len = 0;
	}
	p->period = count__parse(per, per_len);
	/* A TID of "0" reads as none, as in perl: then the one number is the TID. */
	tid = h.d2_end > h.d2 && !(h.d2_end - h.d2 == 1 && s[h.d2] == '0');
	need = h.comm_len + (h.d1_end - h.d1) + (h.d2_end - h.d2) + 8;
	if (array__grow((void **)&p->pname, &p->pname_cap, need, 1))
		return -ENOMEM;
	q = p->pname;
	memcpy(q, s, h.comm_len);
	q += h.comm_len;
	if (o->tid || o->pid) {
		*q++ = '-';
		if (tid) {
			memcpy(q, s + h.d1, h.d1_end - h.d1);
			q += h.d1_end - h.d1;
		} else {
			*q++ = '?';
		}
	}
	if (o->tid) {
		*q++ = '/';
		if (tid) {
			memcpy(q, s + h.d2, h.d2_end - h.d2);
			q += h.d2_end - h.d2;
		} else {
			memcpy(q, s + h.d1, h.d1_end - h.d1);
			q += h.d1_end - h.d1;
		}
	}
	p->pname_len = q - p->pname;
	for (i = 0; i < p->pname_len; i++)
		if (p->pname[i] == ' ')
			p->pname[i] = '_';
	p->java = p->pname_len >= 4 && !memcmp(p->pname, "java", 4);
	p->have_pname = true;
	return 0;
}

static void parser__quote(struct parser *p, const char *s, size_t n)
{
	struct quote *q;

	if (p->unrecognized++ >= COLLAPSE_NOTE_LINES)
		return;
	q = &p->quotes[p->nr_quotes++];
	q->line = p->lines;
	if (n >= sizeof(q->text))
		n = sizeof(q->text) - 1;
	memcpy(q->text, s, n);
	q->text[n] = '\0';
}

static int parser__line(struct parser *p, const char *s, size_t n)
{
	bool matched;
	int err;

	p->lines++;
	if (n > COLLAPSE_MAX_LINE) {
		n = COLLAPSE_MAX_LINE;
		p->long_lines++;
	}
	if (p->pending_need)
		return parser__srcline(p, s, n);
	if (n && s[0] == '#')
		return 0;
	if (!n)
		return parser__end_sample(p);
	err = parser__header(p, s, n, &matched);
	if (err || matched)
		return err;
	err = parser__frame(p, s, n, &matched);
	if (!err && !matched)
		parser__quote(p, s, n);
	return err;
}

/* Parses whole lines; the last one may lack its newline only at the end of the input. */
static int parser__lines(struct parser *p, const char *s, size_t len)
{
	const char *end = s + len, *nl;
	int err;

	while (s < end) {
		nl = memchr(s, '\n', end - s);
		if (!nl)
			nl = end;
		err = parser__line(p, s, nl - s);
		if (err)
			return err;
		s = nl + 1;
	}
	return 0;
}

static void *parser__thread(void *arg)
{
	struct parser *p = arg;

	p->err = parser__lines(p, p->seg, p->seg_len);
	return NULL;
}

static unsigned int online_cpus(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set))
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

struct collapse *collapse__new(const struct collapse_opts *opts)
{
	struct collapse *c = calloc(1, sizeof(*c));
	unsigned int i, n;

	pthread_once(&char_class_once, char_class__init);
	if (!c)
		return NULL;
	if (opts)
		c->opts = *opts;
	if (c->opts.event_filter && c->opts.event_filter[0]) {
		c->filter_len = strnlen(c->opts.event_filter, EVENT_MAX);
		memcpy(c->filter, c->opts.event_filter, c->filter_len);
		c->filter_set = true;
	}
	c->opts.event_filter = NULL; /* not kept: the caller's string may go */
	c->fd = -1;
	n = c->opts.threads ? c->opts.threads : online_cpus();
	/* A source line belongs to the frame before it, and --inline asks in order: one thread. */
	if (c->opts.srcline || c->opts.inline_fn || n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	c->nr_parsers = n;
	c->parsers = calloc(n, sizeof(*c->parsers));
	if (!c->parsers)
		goto out_free;
	for (i = 0; i < n; i++) {
		c->parsers[i].c = c;
		c->parsers[i].stacks = strtab__new();
		if (!c->parsers[i].stacks)
			goto out_free;
	}
	return c;
out_free:
	collapse__free(c);
	errno = ENOMEM;
	return NULL;
}

static void parser__release(struct parser *p)
{
	strtab__free(p->stacks);
	free(p->counts);
	free(p->pname);
	free(p->stack);
	free(p->frames);
	free(p->parts);
	free(p->scratch);
}

void collapse__free(struct collapse *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; c->parsers && i < c->nr_parsers; i++)
		parser__release(&c->parsers[i]);
	free(c->parsers);
	free(c->block);
	free(c);
}

/*
 * Finds the event to keep before the parsers share a block out: the first
 * sample line that names one, as the script, reading in order, would.
 */
static void collapse__find_event(struct collapse *c, const char *s, size_t len)
{
	const char *end = s + len, *nl, *ev, *per;
	size_t n, ev_len, per_len;
	struct header h;

	for (; s < end && !c->filter_set; s = nl + 1) {
		nl = memchr(s, '\n', end - s);
		if (!nl)
			nl = end;
		n = nl - s;
		if (n > COLLAPSE_MAX_LINE)
			n = COLLAPSE_MAX_LINE;
		if (!n || s[0] == '#' || !header__match(s, n, &h))
			continue;
		if (event__match(s, n, &ev, &ev_len, &per, &per_len)) {
			if (ev_len > EVENT_MAX)
				ev_len = EVENT_MAX;
			memcpy(c->filter, ev, ev_len);
			c->filter_len = ev_len;
			c->filter_set = c->defaulted = true;
		}
	}
}

/* Adds a parser's notes for its segment to the collapse's, in input order. */
static void collapse__gather(struct collapse *c, struct parser *p)
{
	struct collapse_notes *n = &c->notes;
	unsigned int i;

	for (i = 0; i < p->nr_quotes && n->nr_first < COLLAPSE_NOTE_LINES; i++) {
		n->first[n->nr_first].line = n->lines + p->quotes[i].line;
		memcpy(n->first[n->nr_first].text, p->quotes[i].text, sizeof(p->quotes[i].text));
		n->nr_first++;
	}
	if (p->dropped_event[0] && !n->dropped_event[0])
		memcpy(n->dropped_event, p->dropped_event, sizeof(n->dropped_event));
	n->unrecognized += p->unrecognized;
	n->dropped_samples += p->dropped;
	n->long_lines += p->long_lines;
	n->lines += p->lines;
	p->lines = p->unrecognized = p->dropped = p->long_lines = 0;
	p->nr_quotes = 0;
	p->dropped_event[0] = '\0';
}

/* The end of the last empty line in s (the start of a sample), or 0. */
static size_t last_boundary(const char *s, size_t len)
{
	const char *nl;

	while (len >= 2 && (nl = memrchr(s, '\n', len - 1))) {
		if (nl[1] == '\n')
			return nl + 2 - s;
		len = nl + 1 - s;
	}
	return 0;
}

/* The end of the first empty line at or after from, or 0. */
static size_t next_boundary(const char *s, size_t from, size_t len)
{
	const char *p = from < len ? memmem(s + from, len - from, "\n\n", 2) : NULL;

	return p ? (size_t)(p + 2 - s) : 0;
}

/*
 * Parses the whole lines at the start of the block (all of it at the end
 * of the input), in segments that each start after an empty line, one per
 * parser. The first parser goes on from where it stopped; the others start
 * afresh, as the script's state is after an empty line.
 */
static int collapse__dispatch(struct collapse *c, bool final)
{
	size_t cut, start[MAX_THREADS + 1], b;
	pthread_t tids[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	unsigned int nseg = 1, i;
	const char *nl;
	int err = 0;

	if (c->skip_to_nl) {
		nl = memchr(c->block, '\n', c->block_len);
		if (!nl) {
			c->block_len = 0;
			return 0;
		}
		c->skip_to_nl = false;
		memmove(c->block, nl + 1, c->block + c->block_len - (nl + 1));
		c->block_len -= nl + 1 - c->block;
	}
	if (final) {
		cut = c->block_len;
	} else {
		cut = c->nr_parsers > 1 ? last_boundary(c->block, c->block_len) : 0;
		if (!cut) {
			nl = memrchr(c->block, '\n', c->block_len);
			cut = nl ? (size_t)(nl + 1 - c->block) : 0;
		}
		if (!cut) {
			if (c->block_len < COLLAPSE_MAX_LINE)
				return 0; /* a long line: wait for its end */
			/* Longer than any line is allowed to be: parse its start, drop the rest. */
			err = parser__line(&c->parsers[0], c->block, COLLAPSE_MAX_LINE);
			c->parsers[0].long_lines++;
			collapse__gather(c, &c->parsers[0]);
			c->block_len = 0;
			c->skip_to_nl = true;
			return err;
		}
	}
	start[0] = 0;
	if (c->nr_parsers > 1) {
		if (!c->filter_set)
			collapse__find_event(c, c->block, cut);
		for (i = 1; i < c->nr_parsers && cut / c->nr_parsers >= MIN_SEGMENT; i++) {
			b = next_boundary(c->block, (size_t)((uint64_t)cut * i / c->nr_parsers) - 1,
					  cut);
			if (!b || b <= start[nseg - 1] || b >= cut)
				break;
			start[nseg++] = b;
		}
	}
	start[nseg] = cut;
	c->parallel |= nseg > 1;
	for (i = 0; i < nseg; i++) {
		struct parser *p = &c->parsers[i];

		p->seg = c->block + start[i];
		p->seg_len = start[i + 1] - start[i];
		p->err = 0;
		if (i == 0)
			continue;
		parser__reset(p);
		started[i] = !pthread_create(&tids[i], NULL, parser__thread, p);
		if (!started[i])
			parser__thread(p); /* no thread: parse it here */
	}
	parser__thread(&c->parsers[0]);
	for (i = 0; i < nseg; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		if (c->parsers[i].err && !err)
			err = c->parsers[i].err;
		collapse__gather(c, &c->parsers[i]);
	}
	memmove(c->block, c->block + cut, c->block_len - cut);
	c->block_len -= cut;
	return err;
}

int collapse__feed(struct collapse *c, const char *buf, size_t len)
{
	size_t n;
	int err;

	while (len) {
		n = len < BLOCK ? len : BLOCK;
		if (array__grow((void **)&c->block, &c->block_cap, c->block_len + n, 1))
			return -ENOMEM;
		memcpy(c->block + c->block_len, buf, n);
		c->block_len += n;
		buf += n;
		len -= n;
		if (c->block_len >= BLOCK) {
			err = collapse__dispatch(c, false);
			if (err)
				return err;
		}
	}
	return 0;
}

int collapse__read_fd(struct collapse *c, int fd)
{
	struct stat st;
	ssize_t got;
	int err;

	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && !c->block_len && !c->notes.lines) {
		c->fd = fd;
		c->fd_start = lseek(fd, 0, SEEK_CUR);
	}
	for (;;) {
		if (array__grow((void **)&c->block, &c->block_cap, c->block_len + BLOCK, 1))
			return -ENOMEM;
		got = io__read_full(fd, c->block + c->block_len, BLOCK);
		if (got < 0)
			return got;
		if (!got)
			return 0;
		c->block_len += got;
		err = collapse__dispatch(c, false);
		if (err)
			return err;
	}
}

static int collapse__merge(struct collapse *c, bool *exact);

/* Back to an empty table and the start of the input, with one parser. */
static void collapse__restart(struct collapse *c)
{
	struct parser *p = &c->parsers[0];
	struct strtab *t = strtab__new();

	if (t) {
		strtab__free(p->stacks);
		p->stacks = t;
		memset(p->counts, 0, p->cap_counts * sizeof(*p->counts));
	}
	parser__reset(p);
	p->big = false;
	c->nr_parsers = 1;
	c->parallel = c->finished = c->skip_to_nl = false;
	c->block_len = 0;
	c->filter_set = c->defaulted = false;
	memset(&c->notes, 0, sizeof(c->notes));
}

int collapse__finish(struct collapse *c)
{
	char filter[sizeof(c->filter)];
	size_t filter_len = c->filter_len;
	bool given = c->filter_set && !c->defaulted, exact;
	int err = 0, fd = c->fd;

	if (c->finished)
		return 0;
	c->finished = true;
	if (c->block_len)
		err = collapse__dispatch(c, false) ?: collapse__dispatch(c, true);
	/* The script keeps only the samples that an empty line ends. */
	parser__reset(&c->parsers[0]);
	if (!err)
		err = collapse__merge(c, &exact);
	if (err || exact || fd < 0 || lseek(fd, c->fd_start, SEEK_SET) != c->fd_start)
		return err;
	/* A sum past 2^64 in perl's doubles depends on the order: read again, in order. */
	memcpy(filter, c->filter, sizeof(filter));
	collapse__restart(c);
	if (given) {
		memcpy(c->filter, filter, sizeof(filter));
		c->filter_len = filter_len;
		c->filter_set = true;
	}
	err = collapse__read_fd(c, fd);
	return err ? err : collapse__finish(c);
}

void collapse__notes(const struct collapse *c, struct collapse_notes *notes)
{
	*notes = c->notes;
	if (c->filter_set) {
		memcpy(notes->event, c->filter, c->filter_len);
		notes->event[c->filter_len] = '\0';
	}
	notes->event_defaulted = c->defaulted;
}

/*
 * Folds the other parsers' tables into the first one's. The result is
 * exact, the same as one parser's, unless a sum passed 2^64-1 after the
 * input was shared out (*exact false).
 */
static int collapse__merge(struct collapse *c, bool *exact)
{
	struct parser *to = &c->parsers[0];
	unsigned int i;
	uint32_t id, n;
	bool big = false;
	int64_t k;

	for (i = 0; i < c->nr_parsers; i++)
		big |= c->parsers[i].big;
	for (i = 1; i < c->nr_parsers; i++) {
		struct parser *from = &c->parsers[i];

		n = strtab__count(from->stacks);
		for (id = 0; id < n; id++) {
			k = strtab__intern_len(to->stacks, strtab__str(from->stacks, id),
					       strtab__len(from->stacks, id));
			if (k < 0 || array__grow((void **)&to->counts, &to->cap_counts, k + 1,
						 sizeof(*to->counts)))
				return -ENOMEM;
			to->counts[k] = count__add(to->counts[k], from->counts[id]);
			big |= to->counts[k].nv;
		}
		strtab__free(from->stacks);
		from->stacks = strtab__new();
		free(from->counts);
		from->counts = NULL;
		from->cap_counts = 0;
		if (!from->stacks)
			return -ENOMEM;
	}
	*exact = !big || !c->parallel;
	c->notes.inexact = !*exact;
	return 0;
}

/*
 * The length of line once its first " (discriminator N)" is gone (N: no
 * spaces), which *gap_at and *gap_len locate; *gap_len 0 when there is none.
 */
static void discriminator(const char *line, size_t len, size_t *gap_at, size_t *gap_len)
{
	const char *d = line, *end = line + len, *run, *close;

	*gap_len = 0;
	while ((d = memmem(d, end - d, " (discriminator ", 16))) {
		for (run = d + 16; run < end && *run != ' ' && *run != '\t'; run++)
			;
		close = run > d + 17 ? memrchr(d + 17, ')', run - (d + 17)) : NULL;
		if (close) {
			*gap_at = d - line;
			*gap_len = close + 1 - d;
			return;
		}
		d++;
	}
}

/*
 * Builds the answer from addr2line's lines, which alternate function and
 * file:line, innermost first: the functions outermost first, joined by ';'
 * (with --context, each as "function:file:line").
 */
int collapse__inline_answer(const char *out, bool context, char **buf, size_t *cap)
{
	struct {
		const char *s;
		size_t len, gap_at, gap_len;
	} item = { 0 }, place, *pairs = NULL;
	size_t nr = 0, pairs_cap = 0, len = 0, i;
	const char *line, *q;
	bool have = false;

	for (line = out; *line; line = q + (*q == '\n')) {
		q = strchrnul(line, '\n');
		place.s = line;
		place.len = q - line;
		discriminator(line, place.len, &place.gap_at, &place.gap_len);
		/* A function line that is empty once cut counts as none: the next line is one. */
		if (!have || item.len == item.gap_len) {
			item = place;
			have = true;
			continue;
		}
		if (array__grow((void **)&pairs, &pairs_cap, nr + 2, sizeof(*pairs))) {
			free(pairs);
			return -ENOMEM;
		}
		pairs[nr++] = item;
		pairs[nr++] = place;
		have = false;
	}
	for (i = nr; i >= 2; i -= 2) {
		size_t k, parts = context ? 2 : 1;

		if (array__grow((void **)buf, cap, len + pairs[i - 2].len + pairs[i - 1].len + 3,
				1)) {
			free(pairs);
			return -ENOMEM;
		}
		if (i < nr)
			(*buf)[len++] = ';';
		for (k = 0; k < parts; k++) {
			const typeof(*pairs) *x = &pairs[i - 2 + k];

			if (k)
				(*buf)[len++] = ':';
			memcpy(*buf + len, x->s, x->gap_len ? x->gap_at : x->len);
			len += x->gap_len ? x->gap_at : x->len;
			if (x->gap_len) {
				memcpy(*buf + len, x->s + x->gap_at + x->gap_len,
				       x->len - x->gap_at - x->gap_len);
				len += x->len - x->gap_at - x->gap_len;
			}
		}
	}
	free(pairs);
	if (array__grow((void **)buf, cap, len + 1, 1))
		return -ENOMEM;
	(*buf)[len] = '\0';
	return 0;
}

bool collapse__nm_address(const char *nm, const char *func, size_t flen, unsigned long long *addr)
{
	const char *line, *q;

	/* The first line "ADDR T name" for this name, as the script's regex finds it. */
	for (line = nm; *line; line = q + (*q == '\n')) {
		size_t hex = strspn(line, "0123456789abcdef");

		q = strchrnul(line, '\n');
		if (hex && line[hex] == ' ' && line[hex + 1] && line[hex + 1] != '\n' &&
		    line[hex + 2] == ' ' && (size_t)(q - (line + hex + 3)) == flen &&
		    !memcmp(line + hex + 3, func, flen)) {
			*addr = strtoull(line, NULL, 16);
			return true;
		}
	}
	return false;
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
	struct parser *p = &c->parsers[0];
	uint32_t n, i, *ids;

	n = strtab__count(p->stacks);
	ids = malloc((n ? n : 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = i;
	sort_tab = p->stacks;
	qsort(ids, n, sizeof(*ids), key__cmp);
	for (i = 0; i < n; i++) {
		struct count v = p->counts[ids[i]];

		fwrite(strtab__str(p->stacks, ids[i]), 1, strtab__len(p->stacks, ids[i]), out);
		if (v.nv && isinf(v.d))
			fputs(" Inf\n", out);
		else if (v.nv)
			fprintf(out, " %.15g\n", v.d);
		else
			fprintf(out, " %llu\n", (unsigned long long)v.u);
	}
	free(ids);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
