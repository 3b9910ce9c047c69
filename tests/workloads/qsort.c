// SPDX-License-Identifier: MIT
/*
 * For the in-kernel unwinder: glibc's qsort (built without frame pointers)
 * calls back a hot comparator, so a frame-pointer walk from the comparator
 * loses qsort's caller. Built with -O2 -fomit-frame-pointer: only CFI
 * finds sort_round and main.
 * usage: qsort [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))
#define N	 4096

static uint64_t keys[N];
static volatile uint64_t sink;

/* A deliberately slow hash, so that the samples land in the comparator. */
static uint64_t mix(uint64_t x)
{
	for (int i = 0; i < 24; i++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL;
	return x;
}

NOINLINE int cmp_keys(const void *a, const void *b)
{
	uint64_t x = mix(*(const uint64_t *)a), y = mix(*(const uint64_t *)b);

	return x < y ? -1 : x > y;
}

NOINLINE void sort_round(uint64_t seed)
{
	for (int i = 0; i < N; i++)
		keys[i] = seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	qsort(keys, N, sizeof(keys[0]), cmp_keys);
	/* Work after the call: qsort is not a tail call, sort_round stays on the stack. */
	sink = sink + keys[0];
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double until = now() + (argc > 1 ? atof(argv[1]) : 1.0);
	uint64_t seed = 1;

	while (now() < until)
		sort_round(seed++);
	return 0;
}
