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

/* What a walk down the tree reads, apart from what only counting touches: more to a cache line. */
struct node {
	uint64_t addr; /* key nodes: pid << 32 | comm */
	uint64_t path; /* a hash of the path from the root to here: its place in the index */
	uint32_t dso;  /* key nodes: KEY_DSO | event */
	uint32_t parent;
};

struct tally {
	uint64_t count, weight;
};

struct profile {
	struct node *nodes;    /* node 0 is the root */
	struct tally *tallies; /* the nodes' samples, by node id */
	uint32_t nr, cap;
	uint32_t *index; /* open addressing on the nodes' paths: node id, 0 = empty */
	uint32_t mask;
	uint64_t stacks; /* nodes with a count */
	/* The last stack interned: the next one often shares its outer frames. */
	struct frame *last;
	uint32_t *last_ids;
	uint64_t *paths; /* scratch: the path hashes of the frames being looked up */
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
	p->tallies = calloc(p->cap, sizeof(*p->tallies));
	p->index = calloc(2048, sizeof(*p->index));
	if (!p->nodes || !p->tallies || !p->index) {
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
	free(p->tallies);
	free(p->index);
	free(p->last);
	free(p->last_ids);
	free(p->paths);
	free(p);
}

/*
 * The path hash of a child (dso, addr) of a node whose path hash is
 * parent: computed from the frames alone, it lets a stack's lookups be
 * started all at once, before any node is known.
 */
static uint64_t path__hash(uint64_t parent, uint32_t dso, uint64_t addr)
{
	return hash_u64((parent + dso) * 0xc2b2ae3d27d4eb4fULL ^ addr);
}

static int profile__grow(struct profile *p)
{
	uint32_t cap = p->cap * 2, mask = cap * 2 - 1, i, j;
	struct node *n = realloc(p->nodes, (size_t)cap * sizeof(*n));
	struct tally *t;
	uint32_t *index;

	if (!n)
		return -ENOMEM;
	p->nodes = n;
	t = realloc(p->tallies, (size_t)cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	p->tallies = t;
	p->cap = cap;
	index = calloc((size_t)mask + 1, sizeof(*index));
	if (!index)
		return -ENOMEM;
	for (i = 1; i < p->nr; i++) {
		const struct node *x = &p->nodes[i];

		for (j = x->path & mask; index[j]; j = (j + 1) & mask)
			;
		index[j] = i;
	}
	free(p->index);
	p->index = index;
	p->mask = mask;
	return 0;
}

/*
 * The child of parent for (dso, addr), whose path hash is path, made if
 * new. Returns its id, or -ENOMEM.
 */
static int64_t profile__find(struct profile *p, uint32_t parent, uint64_t path, uint32_t dso,
			     uint64_t addr)
{
	const struct node *n;
	uint32_t i;

	for (i = path & p->mask; p->index[i]; i = (i + 1) & p->mask) {
		n = &p->nodes[p->index[i]];
		if (n->path == path && n->parent == parent && n->addr == addr && n->dso == dso)
			return p->index[i];
	}
	if (p->nr == UINT32_MAX)
		return -ENOMEM;
	if (p->nr == p->cap) {
		if (profile__grow(p))
			return -ENOMEM;
		for (i = path & p->mask; p->index[i]; i = (i + 1) & p->mask)
			;
	}
	p->index[i] = p->nr;
	p->nodes[p->nr] = (struct node){ .addr = addr, .path = path, .dso = dso, .parent = parent };
	p->tallies[p->nr] = (struct tally){ 0, 0 };
	return p->nr++;
}

static int64_t profile__child(struct profile *p, uint32_t parent, uint32_t dso, uint64_t addr)
{
	return profile__find(p, parent, path__hash(p->nodes[parent].path, dso, addr), dso, addr);
}

/* Makes room for a path of nr frames in the cache of the last one. Returns 0 or -ENOMEM. */
static int profile__grow_last(struct profile *p, uint32_t nr)
{
	uint32_t cap = nr < 64 ? 64 : nr, *ids;
	uint64_t *paths;
	struct frame *f;

	if (nr <= p->cap_last)
		return 0;
	paths = realloc(p->paths, cap * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	p->paths = paths;
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
	uint64_t h;

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
	/*
	 * The frames below node: their path hashes first, so that their index
	 * slots, and then their nodes, are fetched together rather than one
	 * cache miss after the other.
	 */
	h = p->nodes[node].path;
	for (i = nr - shared; i-- > 0;) {
		h = path__hash(h, frames[i].dso, frames[i].addr);
		p->paths[i] = h;
		__builtin_prefetch(&p->index[h & p->mask]);
	}
	for (i = nr - shared; i-- > 0;)
		__builtin_prefetch(&p->nodes[p->index[p->paths[i] & p->mask]]);
	for (i = nr - shared; i-- > 0;) {
		node = profile__find(p, node, p->paths[i], frames[i].dso, frames[i].addr);
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
	struct tally *t = &p->tallies[id];

	p->stacks += !t->count && count;
	t->count = u64_sat_add(t->count, count);
	t->weight = u64_sat_add(t->weight, weight);
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
		if (!p->tallies[i].count)
			continue; /* a caller, or a key whose empty stack had no samples */
		k = &p->nodes[key[i]];
		tid = 0;
		if (k->dso == TID_DSO) {
			tid = k->addr;
			k = &p->nodes[k->parent];
		}
		ret = fn(ctx, k->dso & ~KEY_DSO, k->addr >> 32, (uint32_t)k->addr, tid, i,
			 p->tallies[i].count, p->tallies[i].weight);
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
			.id = i,
			.parent = n->parent,
			.count = p->tallies[i].count,
			.weight = p->tallies[i].weight,
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
