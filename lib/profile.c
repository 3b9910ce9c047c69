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

struct profile {
	struct frame *frames;
	size_t nr_frames, cap_frames;
	struct stack *stacks;
	uint32_t nr_stacks, cap_stacks;
	uint32_t *index; /* stack id + 1; 0 = empty */
	size_t index_cap;
	struct u64map counts; /* comm << 32 | stack -> samples */
	uint64_t samples;
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
	u64map__release(&p->counts);
	free(p);
}

static bool stack__equal(const struct profile *p, const struct stack *s, uint64_t hash,
			 const struct frame *frames, uint32_t nr)
{
	return s->hash == hash && s->nr == nr &&
	       !memcmp(&p->frames[s->first], frames, nr * sizeof(*frames));
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
	if (p->nr_frames + nr > p->cap_frames) {
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

int profile__add(struct profile *p, uint32_t comm, uint32_t stack, uint64_t count)
{
	uint64_t key = (uint64_t)comm << 32 | stack, *v = u64map__find(&p->counts, key);

	p->samples += count;
	if (v) {
		*v += count;
		return 0;
	}
	return u64map__set(&p->counts, key, count);
}

uint64_t profile__samples(const struct profile *p)
{
	return p->samples;
}

int profile__for_each(const struct profile *p, profile_fn fn, void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < p->counts.cap; i++) {
		if (!p->counts.used[i])
			continue;
		ret = fn(ctx, p->counts.keys[i] >> 32, (uint32_t)p->counts.keys[i],
			 p->counts.vals[i]);
		if (ret)
			return ret;
	}
	return 0;
}
