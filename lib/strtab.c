// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strtab.h"

#define STRTAB_BLOCK (256 * 1024)

struct strtab_entry {
	char *s;
	size_t len;
	uint64_t hash;
};

struct strtab_block {
	struct strtab_block *next;
	size_t used, size;
	char data[];
};

struct strtab {
	struct strtab_entry *entries;
	uint32_t count, cap;
	uint32_t *index; /* id + 1, 0 = empty */
	size_t index_cap;
	struct strtab_block *blocks;
};

struct strtab *strtab__new(void)
{
	return calloc(1, sizeof(struct strtab));
}

void strtab__free(struct strtab *t)
{
	struct strtab_block *b, *next;

	if (!t)
		return;
	for (b = t->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(t->entries);
	free(t->index);
	free(t);
}

static char *strtab__store(struct strtab *t, const char *s, size_t len)
{
	struct strtab_block *b = t->blocks;
	char *p;

	if (!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > STRTAB_BLOCK ? len + 1 : STRTAB_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		/* A full-sized string gets its own block; keep filling the old one. */
		if (t->blocks && size > STRTAB_BLOCK) {
			b->next = t->blocks->next;
			t->blocks->next = b;
		} else {
			b->next = t->blocks;
			t->blocks = b;
		}
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

static int strtab__reindex(struct strtab *t)
{
	size_t cap = t->index_cap ? t->index_cap * 2 : 1024, mask = cap - 1, i;
	uint32_t *index = calloc(cap, sizeof(*index)), id;

	if (!index)
		return -ENOMEM;
	for (id = 0; id < t->count; id++) {
		for (i = t->entries[id].hash & mask; index[i]; i = (i + 1) & mask)
			;
		index[i] = id + 1;
	}
	free(t->index);
	t->index = index;
	t->index_cap = cap;
	return 0;
}

int64_t strtab__intern_len(struct strtab *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len);
	size_t mask, i;
	struct strtab_entry *e;

	if (t->index_cap) {
		mask = t->index_cap - 1;
		for (i = h & mask; t->index[i]; i = (i + 1) & mask) {
			e = &t->entries[t->index[i] - 1];
			if (e->hash == h && e->len == len && !memcmp(e->s, s, len))
				return t->index[i] - 1;
		}
	}
	if (t->count == UINT32_MAX - 1)
		return -ENOMEM;
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		struct strtab_entry *n = realloc(t->entries, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->entries = n;
		t->cap = cap;
	}
	if ((t->count + 1) * 2 > t->index_cap && strtab__reindex(t))
		return -ENOMEM;
	e = &t->entries[t->count];
	e->s = strtab__store(t, s, len);
	if (!e->s)
		return -ENOMEM;
	e->len = len;
	e->hash = h;
	mask = t->index_cap - 1;
	for (i = h & mask; t->index[i]; i = (i + 1) & mask)
		;
	t->index[i] = t->count + 1;
	return t->count++;
}

int64_t strtab__intern(struct strtab *t, const char *s)
{
	return strtab__intern_len(t, s, strlen(s));
}

const char *strtab__str(const struct strtab *t, uint32_t id)
{
	return t->entries[id].s;
}

size_t strtab__len(const struct strtab *t, uint32_t id)
{
	return t->entries[id].len;
}

uint32_t strtab__count(const struct strtab *t)
{
	return t->count;
}
