/* SPDX-License-Identifier: MIT */
#ifndef SEAR_HASH_H
#define SEAR_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Hashing helpers and a u64 -> u64 open-addressing map.
 *
 * The map keeps no key 0 sentinel: any u64 is a valid key. It grows by
 * doubling at 50% load, so lookups and updates of present keys never
 * allocate.
 */

static inline uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Hashes len bytes a word at a time (a multiply-xorshift mix per word,
 * finished with hash_u64): stacks and names are hashed on hot paths.
 */
static inline uint64_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
	}
	return hash_u64(h);
}

struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	unsigned char *used;
	size_t cap; /* power of two, or 0 */
	size_t len;
};

/* Embedded lifecycle: zero-initialise or u64map__init(); release with u64map__release(). */
void u64map__init(struct u64map *m);
void u64map__release(struct u64map *m);

/* Returns a pointer to key's value, or NULL if absent; valid until the next insertion. */
uint64_t *u64map__find(const struct u64map *m, uint64_t key);

/* Sets key to val. Returns 0, or -ENOMEM. */
int u64map__set(struct u64map *m, uint64_t key, uint64_t val);

#endif
