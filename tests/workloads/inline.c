// SPDX-License-Identifier: MIT
/*
 * A hot function that is always inlined into its caller: with --inline the
 * profile shows hot_outer;inlined_mix, without it only hot_outer.
 * usage: inline [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static inline __attribute__((always_inline)) uint64_t inlined_mix(uint64_t x)
{
	for (int i = 0; i < 200000; i++)
		x = (x ^ (x >> 7)) * 0x9e3779b97f4a7c15ULL + i;
	return x;
}

__attribute__((noinline)) void hot_outer(double seconds)
{
	struct timespec start, now;
	uint64_t x = 1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		x = inlined_mix(x);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	sink = x;
}

int main(int argc, char **argv)
{
	hot_outer(argc > 1 ? atof(argv[1]) : 1.0);
	return 0;
}
