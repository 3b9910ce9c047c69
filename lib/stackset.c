// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "stackset.h"

struct stack {
	uint64_t hash;
	size_t first; /* index into frames */
	uint32_t nr;
};

struct stackset {
	struct frame *frames;
	size_t nr_frames, cap_frames;
	struct stack *stacks;
	uint32_t nr_stacks, cap_stacks;
	uint32_t *index; /* stack id + 1; 0 = empty */
	size_t index_cap;
};

struct stackset *stackset__new(void)
{
	return calloc(1, sizeof(struct stackset));
}

void stackset__free(struct stackset *p)
{
	if (!p)
		return;
	free(p->frames);
	free(p->stacks);
	free(p->index);
	free(p);
}

static bool stack__equal(const struct stackset *p, const struct stack *s, uint64_t hash,
			 const struct frame *frames, uint32_t nr)
{
	return s->hash == hash && s->nr == nr &&
	       (!nr || !memcmp(&p->frames[s->first], frames, nr * sizeof(*frames)));
}

static int stackset__reindex(struct stackset *p)
{
	size_t cap = p->index_cap ? p->index_cap * 2 : 4096, mask = cap - 1, i;
	uint32_t *index = calloc(cap, sizeof(*index)), id;

	if (!index)
		return -ENOMEM;
	for (id = 0; id < p->nr_stacks; id++) {
		for (i = p->stacks[id].hash & mask; index[i]; i = (i + 1) & mask)
			;
		index[i] = id + 1;
	}
	free(p->index);
	p->index = index;
	p->index_cap = cap;
	return 0;
}

int64_t stackset__intern(struct stackset *p, const struct frame *frames, uint32_t nr)
{
	uint64_t hash = hash_bytes(frames, nr * sizeof(*frames));
	size_t mask, i;
	struct stack *s;

	if (p->index_cap) {
		mask = p->index_cap - 1;
		for (i = hash & mask; p->index[i]; i = (i + 1) & mask)
			if (stack__equal(p, &p->stacks[p->index[i] - 1], hash, frames, nr))
				return p->index[i] - 1;
	}
	if (p->nr_stacks == UINT32_MAX - 1)
		return -ENOMEM;
	if (p->nr_stacks == p->cap_stacks) {
		uint32_t cap = p->cap_stacks ? p->cap_stacks * 2 : 1024;

		s = realloc(p->stacks, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		p->stacks = s;
		p->cap_stacks = cap;
	}
	/* Allocate even for an empty stack (a callchain of only markers): no NULL + 0. */
	if (p->nr_frames + nr > p->cap_frames || !p->frames) {
		size_t cap = p->cap_frames ? p->cap_frames * 2 : 16384;
		struct frame *f;

		while (cap < p->nr_frames + nr)
			cap *= 2;
		f = realloc(p->frames, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		p->frames = f;
		p->cap_frames = cap;
	}
	if ((p->nr_stacks + 1) * 2 > p->index_cap && stackset__reindex(p))
		return -ENOMEM;
	s = &p->stacks[p->nr_stacks];
	s->hash = hash;
	s->first = p->nr_frames;
	s->nr = nr;
	if (nr)
		memcpy(&p->frames[p->nr_frames], frames, nr * sizeof(*frames));
	p->nr_frames += nr;
	mask = p->index_cap - 1;
	for (i = hash & mask; p->index[i]; i = (i + 1) & mask)
		;
	p->index[i] = p->nr_stacks + 1;
	return p->nr_stacks++;
}

const struct frame *stackset__frames(const struct stackset *p, uint32_t id, uint32_t *nr)
{
	*nr = p->stacks[id].nr;
	return &p->frames[p->stacks[id].first];
}
