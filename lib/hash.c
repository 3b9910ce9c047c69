// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "hash.h"

void u64map__init(struct u64map *m)
{
	*m = (struct u64map){ 0 };
}

void u64map__release(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	u64map__init(m);
}

uint64_t *u64map__find(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash_u64(key) & (m->cap - 1); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return &m->vals[i];
	return NULL;
}

static void u64map__put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i = hash_u64(key) & (m->cap - 1);

	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->used[i])
		m->len++;
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = val;
}

static int u64map__grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t cap = old.cap ? old.cap * 2 : 64, i;

	m->keys = malloc(cap * sizeof(*m->keys));
	m->vals = malloc(cap * sizeof(*m->vals));
	m->used = calloc(cap, 1);
	if (!m->keys || !m->vals || !m->used) {
		free(m->keys);
		free(m->vals);
		free(m->used);
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->len = 0;
	for (i = 0; i < old.cap; i++)
		if (old.used[i])
			u64map__put(m, old.keys[i], old.vals[i]);
	u64map__release(&old);
	return 0;
}

int u64map__set(struct u64map *m, uint64_t key, uint64_t val)
{
	uint64_t *v = u64map__find(m, key);

	if (v) {
		*v = val;
		return 0;
	}
	if ((m->len + 1) * 2 > m->cap && u64map__grow(m))
		return -ENOMEM;
	u64map__put(m, key, val);
	return 0;
}
