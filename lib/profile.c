// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "profile.h"

struct stack {
	uint64_t hash;
	size_t first; /* index into frames */
	uint32_t nr;
};

struct count {
	uint32_t pid, comm, stack;
	uint16_t event;
	uint16_t used;
	uint64_t n;
};

struct profile {
	struct frame *frames;
	size_t nr_frames, cap_frames;
	struct stack *stacks;
	uint32_t nr_stacks, cap_stacks;
	uint32_t *index; /* stack id + 1; 0 = empty */
	size_t index_cap;
	struct count *counts; /* open addressing on (pid, comm, stack) */
	size_t nr_counts, cap_counts;
};

struct profile *profile__new(void)
{
	return calloc(1, sizeof(struct profile));
}

void profile__free(struct profile *p)
{
	if (!p)
		return;
	free(p->frames);
	free(p->stacks);
	free(p->index);
	free(p->counts);
	free(p);
}

static bool stack__equal(const struct profile *p, const struct stack *s, uint64_t hash,
			 const struct frame *frames, uint32_t nr)
{
	return s->hash == hash && s->nr == nr &&
	       (!nr || !memcmp(&p->frames[s->first], frames, nr * sizeof(*frames)));
}

static int profile__reindex(struct profile *p)
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

int64_t profile__stack(struct profile *p, const struct frame *frames, uint32_t nr)
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
	if ((p->nr_stacks + 1) * 2 > p->index_cap && profile__reindex(p))
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

const struct frame *profile__frames(const struct profile *p, uint32_t id, uint32_t *nr)
{
	*nr = p->stacks[id].nr;
	return &p->frames[p->stacks[id].first];
}

static uint64_t count__hash(uint16_t event, uint32_t pid, uint32_t comm, uint32_t stack)
{
	return hash_u64((uint64_t)pid << 32 ^ (uint64_t)comm << 20 ^ (uint64_t)event << 48 ^ stack);
}

static struct count *profile__slot(struct count *v, size_t cap, uint16_t event, uint32_t pid,
				   uint32_t comm, uint32_t stack)
{
	size_t mask = cap - 1, i;

	for (i = count__hash(event, pid, comm, stack) & mask; v[i].used; i = (i + 1) & mask)
		if (v[i].pid == pid && v[i].comm == comm && v[i].stack == stack &&
		    v[i].event == event)
			break;
	return &v[i];
}

static int profile__grow_counts(struct profile *p)
{
	size_t cap = p->cap_counts ? p->cap_counts * 2 : 1024, i;
	struct count *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < p->cap_counts; i++)
		if (p->counts[i].used)
			*profile__slot(v, cap, p->counts[i].event, p->counts[i].pid,
				       p->counts[i].comm, p->counts[i].stack) = p->counts[i];
	free(p->counts);
	p->counts = v;
	p->cap_counts = cap;
	return 0;
}

int profile__add(struct profile *p, uint16_t event, uint32_t pid, uint32_t comm, uint32_t stack,
		 uint64_t count)
{
	struct count *c;

	if ((p->nr_counts + 1) * 2 > p->cap_counts && profile__grow_counts(p))
		return -ENOMEM;
	c = profile__slot(p->counts, p->cap_counts, event, pid, comm, stack);
	if (!c->used) {
		*c = (struct count){
			.pid = pid, .comm = comm, .stack = stack, .event = event, .used = 1
		};
		p->nr_counts++;
	}
	c->n += count;
	return 0;
}

int profile__for_each(const struct profile *p, profile_fn fn, void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < p->cap_counts; i++) {
		const struct count *c = &p->counts[i];

		if (!c->used)
			continue;
		ret = fn(ctx, c->event, c->pid, c->comm, c->stack, c->n);
		if (ret)
			return ret;
	}
	return 0;
}
