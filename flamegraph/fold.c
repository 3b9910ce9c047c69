// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "lib/strtab.h"
#include "flame.h"

#define FLAME_MAX_NAME 4096

struct flame {
	struct flame_node *nodes;
	uint32_t nr, cap;
	struct u64map children; /* parent << 32 | name -> node id */
	/* The last stack's path: the next stack often shares its outer frames. */
	uint32_t *path;
	size_t nr_path, cap_path;
	struct strtab *names;
	uint32_t depth;
	bool diff;
	bool flow;	    /* flamegraph.pl's merge: see flame.h */
	uint64_t time;	    /* flow: the samples added so far */
	uint64_t max_delta; /* flow: the largest change of a stack with two counts */
	bool any;	    /* flow: a stack was added (the first one's change is the root's) */
};

struct flame *flame__new(void)
{
	struct flame *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->names = strtab__new();
	f->nodes = calloc(64, sizeof(*f->nodes));
	if (!f->names || !f->nodes || strtab__intern(f->names, "all") != 0) {
		flame__free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->cap = 64;
	f->nr = 1;
	f->nodes[0].kind = FRAME_ROOT;
	return f;
}

struct flame *flame__new_flow(void)
{
	struct flame *f = flame__new();

	if (f)
		f->flow = true;
	return f;
}

bool flame__is_flow(const struct flame *f)
{
	return f->flow;
}

uint64_t flame__max_delta(const struct flame *f)
{
	return f->max_delta;
}

void flame__free(struct flame *f)
{
	if (!f)
		return;
	free(f->nodes);
	free(f->path);
	u64map__release(&f->children);
	strtab__free(f->names);
	free(f);
}

static bool name__clean(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ';' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int64_t flame__intern(struct flame *f, const char *s)
{
	size_t len = strnlen(s, FLAME_MAX_NAME), i;
	char buf[FLAME_MAX_NAME];

	if (len == 0)
		return strtab__intern(f->names, "[unknown]");
	if (name__clean(s, len))
		return strtab__intern_len(f->names, s, len);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		buf[i] = (c == ';' || c < 0x20 || c == 0x7f) ? '?' : c;
	}
	return strtab__intern_len(f->names, buf, len);
}

/* A new node under parent, first among its children. Returns its id or -ENOMEM. */
static int64_t flame__new_child(struct flame *f, uint32_t parent, uint32_t name,
				enum frame_kind kind)
{
	struct flame_node *n;

	if (f->nr == UINT32_MAX)
		return -ENOMEM;
	if (f->nr == f->cap) {
		n = realloc(f->nodes, (size_t)f->cap * 2 * sizeof(*n));
		if (!n)
			return -ENOMEM;
		f->nodes = n;
		f->cap *= 2;
	}
	n = &f->nodes[f->nr];
	*n = (struct flame_node){ .name = name, .parent = parent, .kind = kind };
	n->next_sibling = f->nodes[parent].first_child;
	f->nodes[parent].first_child = f->nr;
	return f->nr++;
}

/* The child of parent named name, made if new. Returns its id or -ENOMEM. */
static int64_t flame__child(struct flame *f, uint32_t parent, uint32_t name, enum frame_kind kind)
{
	uint64_t key = (uint64_t)parent << 32 | name, *v = u64map__find(&f->children, key);
	int64_t id;

	if (v)
		return *v;
	id = flame__new_child(f, parent, name, kind);
	if (id >= 0 && u64map__set(&f->children, key, id))
		return -ENOMEM;
	return id;
}

static int flame__add_stack(struct flame *f, const char *const *names, const enum frame_kind *kinds,
			    size_t nr, uint64_t count, uint64_t before, bool two);

int flame__add(struct flame *f, const char *const *names, const enum frame_kind *kinds, size_t nr,
	       uint64_t count)
{
	return flame__add_stack(f, names, kinds, nr, count, 0, false);
}

int flame__add_diff(struct flame *f, const char *const *names, const enum frame_kind *kinds,
		    size_t nr, uint64_t count, uint64_t before)
{
	return flame__add_stack(f, names, kinds, nr, count, before, true);
}

void flame__reverse_stack(const char **names, enum frame_kind *kinds, size_t nr)
{
	size_t i;

	for (i = 0; i < nr / 2; i++) {
		const char *t = names[i];
		enum frame_kind k = kinds[i];

		names[i] = names[nr - 1 - i];
		kinds[i] = kinds[nr - 1 - i];
		names[nr - 1 - i] = t;
		kinds[nr - 1 - i] = k;
	}
}

/* a + b, stopping at the largest count rather than wrapping. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int64_t flame__name_id(struct flame *f, const char *name)
{
	return flame__intern(f, name);
}

int64_t flame__child_id(struct flame *f, uint32_t parent, uint32_t name, enum frame_kind kind)
{
	return flame__child(f, parent, name, kind);
}

int64_t flame__child_named(struct flame *f, uint32_t parent, const char *name, enum frame_kind kind)
{
	int64_t id = flame__intern(f, name);

	return id < 0 ? id : flame__child(f, parent, id, kind);
}

int flame__add_at(struct flame *f, uint32_t node, uint64_t count, uint64_t before)
{
	uint32_t depth = 0, n;

	if (before)
		f->diff = true;
	f->nodes[node].self = sat_add(f->nodes[node].self, count);
	f->nodes[node].before_self = sat_add(f->nodes[node].before_self, before);
	for (n = node; n; n = f->nodes[n].parent, depth++) {
		f->nodes[n].total = sat_add(f->nodes[n].total, count);
		f->nodes[n].before = sat_add(f->nodes[n].before, before);
	}
	f->nodes[0].total = sat_add(f->nodes[0].total, count);
	f->nodes[0].before = sat_add(f->nodes[0].before, before);
	if (depth > f->depth)
		f->depth = depth;
	return 0;
}

int flame__add_self(struct flame *f, uint32_t node, uint64_t count)
{
	if (f->flow) /* a flow tree's starts follow its totals as they grow */
		return flame__add_at(f, node, count, 0);
	f->nodes[node].self = sat_add(f->nodes[node].self, count);
	return 0;
}

int flame__sum(struct flame *f)
{
	uint32_t *depth, n;

	if (f->flow)
		return 0;
	depth = malloc((size_t)f->nr * sizeof(*depth));
	if (!depth)
		return -ENOMEM;
	/* Nodes come after their parents: totals gather bottom-up, depths top-down. */
	for (n = 0; n < f->nr; n++) {
		f->nodes[n].total = f->nodes[n].self;
		f->nodes[n].before = f->nodes[n].before_self;
	}
	for (n = f->nr - 1; n > 0; n--) {
		struct flame_node *p = &f->nodes[f->nodes[n].parent];

		p->total = sat_add(p->total, f->nodes[n].total);
		p->before = sat_add(p->before, f->nodes[n].before);
	}
	depth[0] = 0;
	for (n = 1; n < f->nr; n++) {
		depth[n] = depth[f->nodes[n].parent] + 1;
		if (f->nodes[n].total && depth[n] > f->depth)
			f->depth = depth[n];
	}
	free(depth);
	return 0;
}

bool flame__is_diff(const struct flame *f)
{
	return f->diff;
}

/* True when node's name and kind are name and kind: a cheaper test than interning name. */
static bool flame__same(const struct flame *f, uint32_t node, const char *name,
			enum frame_kind kind)
{
	const struct flame_node *n = &f->nodes[node];

	return n->kind == kind && !strcmp(strtab__str(f->names, n->name), name);
}

/* count - before, as a signed change that stops at the ends rather than wrap. */
static int64_t sat_delta(uint64_t count, uint64_t before)
{
	if (count >= before)
		return count - before > INT64_MAX ? INT64_MAX : (int64_t)(count - before);
	return before - count > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(before - count);
}

/*
 * A flow tree's stack: frames shared with the last stack while the names
 * match, new frames from the first that differs, each starting now.
 */
static int flame__add_flow(struct flame *f, const char *const *names, const enum frame_kind *kinds,
			   size_t nr, uint64_t count, uint64_t before, bool two)
{
	int64_t delta = two ? sat_delta(count, before) : 0;
	uint32_t node = 0;
	bool shared = true;
	size_t i;

	if (two) {
		uint64_t a = delta < 0 ? -(uint64_t)delta : (uint64_t)delta;

		f->diff = true;
		if (a > f->max_delta)
			f->max_delta = a;
	}
	if (!f->any) {
		f->any = true;
		f->nodes[0].has_delta = two;
		f->nodes[0].delta = nr ? 0 : delta;
	}
	if (array__grow((void **)&f->path, &f->cap_path, nr, sizeof(*f->path)))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		enum frame_kind kind = kinds ? kinds[i] : FRAME_USER;
		int64_t name, child;

		/* Names as they came, empty ones too: flamegraph.pl draws them so. */
		if (shared && i < f->nr_path &&
		    !strncmp(strtab__str(f->names, f->nodes[f->path[i]].name), names[i],
			     FLAME_MAX_NAME)) {
			child = f->path[i];
		} else {
			shared = false;
			name = strtab__intern_len(f->names, names[i],
						  strnlen(names[i], FLAME_MAX_NAME));
			if (name < 0)
				return -ENOMEM;
			child = flame__new_child(f, node, name, kind);
			if (child < 0)
				return -ENOMEM;
			f->nodes[child].start = f->time;
			f->nodes[child].has_delta = two;
			f->nodes[child].delta = i == nr - 1 ? delta : 0;
		}
		node = child;
		f->path[i] = node;
	}
	f->nr_path = nr;
	if (nr > f->depth)
		f->depth = nr;
	f->time = sat_add(f->time, count);
	return flame__add_at(f, node, count, before);
}

static int flame__add_stack(struct flame *f, const char *const *names, const enum frame_kind *kinds,
			    size_t nr, uint64_t count, uint64_t before, bool two)
{
	uint32_t node = 0;
	size_t i;

	if (f->flow)
		return flame__add_flow(f, names, kinds, nr, count, before, two);
	if (before)
		f->diff = true;
	if (array__grow((void **)&f->path, &f->cap_path, nr, sizeof(*f->path)))
		return -ENOMEM;
	f->nodes[0].total = sat_add(f->nodes[0].total, count);
	f->nodes[0].before = sat_add(f->nodes[0].before, before);
	for (i = 0; i < nr; i++) {
		enum frame_kind kind = kinds ? kinds[i] : FRAME_USER;
		int64_t name, child;

		if (i < f->nr_path && f->path[i] && flame__same(f, f->path[i], names[i], kind)) {
			child = f->path[i];
		} else {
			f->nr_path = i; /* the shared part ends here */
			name = flame__intern(f, names[i]);
			if (name < 0)
				return -ENOMEM;
			child = flame__child(f, node, name, kind);
			if (child < 0)
				return -ENOMEM;
		}
		node = child;
		f->path[i] = node;
		f->nodes[node].total = sat_add(f->nodes[node].total, count);
		f->nodes[node].before = sat_add(f->nodes[node].before, before);
	}
	f->nr_path = nr;
	f->nodes[node].self = sat_add(f->nodes[node].self, count);
	f->nodes[node].before_self = sat_add(f->nodes[node].before_self, before);
	if (nr > f->depth)
		f->depth = nr;
	return 0;
}

const struct flame_node *flame__node(const struct flame *f, uint32_t id)
{
	return &f->nodes[id];
}

const char *flame__name(const struct flame *f, uint32_t name)
{
	return strtab__str(f->names, name);
}

uint32_t flame__count(const struct flame *f)
{
	return f->nr;
}

uint64_t flame__total(const struct flame *f)
{
	return f->nodes[0].total;
}

uint32_t flame__depth(const struct flame *f)
{
	return f->depth;
}

static const struct flame *sort_flame; /* qsort has no context argument */

/*
 * flamegraph.pl sorts whole lines: a child's come as its name, then ' '
 * and the count when it has samples of its own, else ';' and its callees.
 */
static int child__cmp(const void *a, const void *b)
{
	const struct flame_node *x = &sort_flame->nodes[*(const uint32_t *)a];
	const struct flame_node *y = &sort_flame->nodes[*(const uint32_t *)b];
	const char *p = strtab__str(sort_flame->names, x->name);
	const char *q = strtab__str(sort_flame->names, y->name);
	size_t lp = strtab__len(sort_flame->names, x->name);
	size_t lq = strtab__len(sort_flame->names, y->name), n = lp < lq ? lp : lq;
	unsigned char cp, cq;
	int c = memcmp(p, q, n);

	if (c)
		return c;
	cp = lp > n ? p[n] : (x->self || x->before_self) ? ' ' : ';';
	cq = lq > n ? q[n] : (y->self || y->before_self) ? ' ' : ';';
	if (cp != cq)
		return cp < cq ? -1 : 1;
	return lp < lq ? -1 : lp > lq;
}

uint32_t *flame__children_sorted(const struct flame *f, uint32_t id, uint32_t *nr)
{
	uint32_t n = 0, c, *ids;

	*nr = 0;
	for (c = f->nodes[id].first_child; c; c = f->nodes[c].next_sibling)
		n++;
	if (!n)
		return NULL;
	ids = malloc(n * sizeof(*ids));
	if (!ids)
		return NULL;
	*nr = n;
	/* The list holds the newest first: a flow tree's order is the reverse. */
	for (c = f->nodes[id].first_child; c; c = f->nodes[c].next_sibling)
		ids[--n] = c;
	if (!f->flow) {
		sort_flame = f;
		qsort(ids, *nr, sizeof(*ids), child__cmp);
	}
	return ids;
}

struct line {
	char *s;
	size_t key_len;
};

static int line__cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

int flame__write_folded(const struct flame *f, FILE *out, double before_scale)
{
	struct line *lines = NULL;
	size_t nr_lines = 0, i, path_len = 0, path_cap = 4096;
	char *path = malloc(path_cap);
	uint32_t id, c;
	int ret = 0;

	if (!path)
		return -ENOMEM;
	/* Lines come from nodes with self samples: at most one per node. */
	lines = calloc(f->nr, sizeof(*lines));
	if (!lines) {
		free(path);
		return -ENOMEM;
	}
	/* Depth-first, keeping the path from the root in path[]. */
	id = f->nodes[0].first_child;
	while (id) {
		const struct flame_node *n = &f->nodes[id];
		const char *name = flame__name(f, n->name);
		size_t len = strtab__len(f->names, n->name);

		if (path_len + len + 2 > path_cap) {
			char *p;

			while (path_len + len + 2 > path_cap)
				path_cap *= 2;
			p = realloc(path, path_cap);
			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			path = p;
		}
		if (n->parent)
			path[path_len++] = ';';
		memcpy(path + path_len, name, len);
		path_len += len;
		if (n->self || n->before_self) {
			struct line *l = &lines[nr_lines++];
			char counts[64];
			int w;

			if (f->diff) {
				/* scaled, rounded, and in range for the cast */
				double b = n->before_self * before_scale + 0.5;
				unsigned long long bc = !(b >= 0) ? 0
							: b >= 18446744073709551615.0
							    ? ULLONG_MAX
							    : (unsigned long long)b;

				w = snprintf(counts, sizeof(counts), " %llu %llu", bc,
					     (unsigned long long)n->self);
			} else
				w = snprintf(counts, sizeof(counts), " %llu",
					     (unsigned long long)n->self);
			l->s = malloc(path_len + w + 1);
			if (!l->s) {
				ret = -ENOMEM;
				goto out;
			}
			memcpy(l->s, path, path_len);
			memcpy(l->s + path_len, counts, w + 1);
			l->key_len = path_len;
		}
		if (n->first_child) {
			id = n->first_child;
			continue;
		}
		/* Climb until a node has a next sibling, trimming the path. */
		for (c = id; c; c = f->nodes[c].parent) {
			path_len -= strtab__len(f->names, f->nodes[c].name);
			if (f->nodes[c].parent)
				path_len--;
			if (f->nodes[c].next_sibling)
				break;
		}
		id = c ? f->nodes[c].next_sibling : 0;
	}
	qsort(lines, nr_lines, sizeof(*lines), line__cmp);
	for (i = 0; i < nr_lines; i++)
		fprintf(out, "%s\n", lines[i].s);
	if (fflush(out) || ferror(out))
		ret = -EIO;
out:
	for (i = 0; i < nr_lines; i++)
		free(lines[i].s);
	free(lines);
	free(path);
	return ret;
}
