// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "profile.h"
#include "sat.h"

/*
 * Key nodes: under the root, one per (event, pid, comm), its dso KEY_DSO |
 * event; below it, when threads are kept apart, one per tid (TID_DSO).
 * Frames' dsos are module ids, far below both.
 */
#define KEY_DSO 0xffff0000u
#define TID_DSO 0xfffe0000u
#define ANY_KEY TID_DSO

struct node {
	uint64_t addr; /* key nodes: pid << 32 | comm */
	uint32_t dso;  /* key nodes: KEY_DSO | event */
	uint32_t parent;
	uint64_t count, weight;
	uint32_t hint; /* the child last looked up: often the one asked for next */
};

struct profile {
	struct node *nodes; /* node 0 is the root */
	uint32_t nr, cap;
	uint32_t *index; /* open addressing on (parent, dso, addr): node id, 0 = empty */
	uint32_t mask;
	uint64_t stacks; /* nodes with a count */
	/* The last stack interned: the next one often shares its outer frames. */
	struct frame *last;
	uint32_t *last_ids;
	uint32_t nr_last, cap_last;
	uint32_t last_key;
};

struct profile *profile__new(void)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cap = 1024;
	p->nodes = calloc(p->cap, sizeof(*p->nodes));
	p->index = calloc(2048, sizeof(*p->index));
	if (!p->nodes || !p->index) {
		profile__free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->mask = 2047;
	p->nr = 1;
	return p;
}

void profile__free(struct profile *p)
{
	if (!p)
		return;

	free(p->nodes);
	free(p->index);
	free(p->last);
	free(p->last_ids);
	free(p);
}

static uint32_t node__hash(uint32_t parent, uint32_t dso, uint64_t addr)
{
	return hash_u64(addr * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)parent << 32 | dso));
}

static int profile__grow(struct profile *p)
{
	uint32_t cap = p->cap * 2, mask = cap * 2 - 1, i, j;
	struct node *n = realloc(p->nodes, (size_t)cap * sizeof(*n));
	uint32_t *index;

	if (!n)
		return -ENOMEM;
	p->nodes = n;
	p->cap = cap;
	index = calloc((size_t)mask + 1, sizeof(*index));
	if (!index)
		return -ENOMEM;
	for (i = 1; i < p->nr; i++) {
		const struct node *x = &p->nodes[i];

		for (j = node__hash(x->parent, x->dso, x->addr) & mask; index[j];
		     j = (j + 1) & mask)
			;
		index[j] = i;
	}
	free(p->index);
	p->index = index;
	p->mask = mask;
	return 0;
}

/* The child of parent for (dso, addr), made if new. Returns its id, or -ENOMEM. */
static int64_t profile__child(struct profile *p, uint32_t parent, uint32_t dso, uint64_t addr)
{
	uint32_t i, h = p->nodes[parent].hint;
	struct node *n;

	if (h && p->nodes[h].addr == addr && p->nodes[h].dso == dso)
		return h;
	for (i = node__hash(parent, dso, addr) & p->mask; p->index[i]; i = (i + 1) & p->mask) {
		n = &p->nodes[p->index[i]];
		if (n->addr == addr && n->dso == dso && n->parent == parent) {
			p->nodes[parent].hint = p->index[i];
			return p->index[i];
		}
	}
	if (p->nr == UINT32_MAX)
		return -ENOMEM;
	if (p->nr == p->cap) {
		if (profile__grow(p))
			return -ENOMEM;
		for (i = node__hash(parent, dso, addr) & p->mask; p->index[i];
		     i = (i + 1) & p->mask)
			;
	}
	p->index[i] = p->nr;
	p->nodes[p->nr] = (struct node){ .addr = addr, .dso = dso, .parent = parent };
	p->nodes[parent].hint = p->nr;
	return p->nr++;
}

/* Makes room for a path of nr frames in the cache of the last one. Returns 0 or -ENOMEM. */
static int profile__grow_last(struct profile *p, uint32_t nr)
{
	uint32_t cap = nr < 64 ? 64 : nr, *ids;
	struct frame *f;

	if (nr <= p->cap_last)
		return 0;
	f = realloc(p->last, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	p->last = f;
	ids = realloc(p->last_ids, cap * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	p->last_ids = ids;
	p->cap_last = cap;
	return 0;
}

int64_t profile__stack(struct profile *p, uint16_t event, uint32_t pid, uint32_t comm, uint32_t tid,
		       const struct frame *frames, uint32_t nr)
{
	int64_t key = profile__child(p, 0, KEY_DSO | event, (uint64_t)pid << 32 | comm), node;
	uint32_t shared = 0, i;

	if (key >= 0 && tid)
		key = profile__child(p, key, TID_DSO, tid);
	if (key < 0)
		return key;
	if (profile__grow_last(p, nr)) {
		/* No room to remember this path: walk without the cache. */
		p->nr_last = 0;
		for (node = key, i = nr; i-- > 0 && node >= 0;)
			node = profile__child(p, node, frames[i].dso, frames[i].addr);
		return node;
	}
	/* The outer frames this stack shares with the last one have their nodes already. */
	if (key == p->last_key)
		while (shared < nr && shared < p->nr_last &&
		       !memcmp(&frames[nr - 1 - shared], &p->last[p->nr_last - 1 - shared],
			       sizeof(*frames)))
			shared++;
	/* last_ids[k] is frame k's node, innermost first. */
	if (shared) /* none before the first stack, when last_ids is still NULL */
		memmove(p->last_ids + nr - shared, p->last_ids + p->nr_last - shared,
			shared * sizeof(*p->last_ids));
	node = shared ? p->last_ids[nr - shared] : key;
	for (i = nr - shared; i-- > 0;) {
		node = profile__child(p, node, frames[i].dso, frames[i].addr);
		if (node < 0) {
			p->nr_last = 0;
			return node;
		}
		p->last_ids[i] = node;
	}
	if (nr) /* an empty stack may come before any array was made */
		memcpy(p->last, frames, nr * sizeof(*frames));
	p->nr_last = nr;
	p->last_key = key;
	return node;
}

int profile__add(struct profile *p, uint32_t id, uint64_t count, uint64_t weight)
{
	struct node *n = &p->nodes[id];

	p->stacks += !n->count && count;
	n->count = u64_sat_add(n->count, count);
	n->weight = u64_sat_add(n->weight, weight);
	return 0;
}

uint32_t profile__frames(const struct profile *p, uint32_t id, struct frame *out, uint32_t max)
{
	uint32_t n = 0;

	while (id && p->nodes[id].dso < ANY_KEY && n < max) {
		out[n++] = (struct frame){ .addr = p->nodes[id].addr, .dso = p->nodes[id].dso };
		id = p->nodes[id].parent;
	}
	return n;
}

uint64_t profile__count(const struct profile *p)
{
	return p->stacks;
}

int profile__for_each(const struct profile *p, profile_fn fn, void *ctx)
{
	uint32_t *key = malloc((size_t)p->nr * sizeof(*key)), i, tid;
	int ret = 0;

	if (!key)
		return -ENOMEM;
	/* Parents come before children: one pass finds every node's key node. */
	key[0] = 0;
	for (i = 1; i < p->nr && !ret; i++) {
		const struct node *n = &p->nodes[i];
		const struct node *k;

		/* key[] holds the tid node when there is one; its parent is the (event, pid, comm)
		 */
		key[i] = n->dso >= ANY_KEY ? i : key[n->parent];
		if (!n->count)
			continue; /* a caller, or a key whose empty stack had no samples */
		k = &p->nodes[key[i]];
		tid = 0;
		if (k->dso == TID_DSO) {
			tid = k->addr;
			k = &p->nodes[k->parent];
		}
		ret = fn(ctx, k->dso & ~KEY_DSO, k->addr >> 32, (uint32_t)k->addr, tid, i, n->count,
			 n->weight);
	}
	free(key);
	return ret;
}

uint32_t profile__nodes(const struct profile *p)
{
	return p->nr;
}

int profile__walk(const struct profile *p, profile_walk_fn fn, void *ctx)
{
	uint32_t i;
	int ret;

	for (i = 1; i < p->nr; i++) {
		const struct node *n = &p->nodes[i];
		struct profile_node pn = {
			.id = i, .parent = n->parent, .count = n->count, .weight = n->weight
		};

		if (n->dso == TID_DSO) {
			pn.key = true;
			pn.tid = n->addr;
			pn.parent_key = true;
		} else if (n->dso >= KEY_DSO) {
			pn.key = true;
			pn.event = n->dso & ~KEY_DSO;
			pn.pid = n->addr >> 32;
			pn.comm = (uint32_t)n->addr;
		} else {
			pn.frame = (struct frame){ .addr = n->addr, .dso = n->dso };
		}
		ret = fn(ctx, &pn);
		if (ret)
			return ret;
	}
	return 0;
}

size_t profile__node_frames(const struct profile *p, uint32_t from, uint32_t to, struct frame *out)
{
	size_t n = 0;
	uint32_t i;

	for (i = from ? from : 1; i < to && i < p->nr; i++)
		if (p->nodes[i].dso < KEY_DSO)
			out[n++] =
			    (struct frame){ .addr = p->nodes[i].addr, .dso = p->nodes[i].dso };
	return n;
}
