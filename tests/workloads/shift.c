// SPDX-License-Identifier: MIT
/*
 * Two phases of work whose balance shifts between runs: "before" spends
 * about 75% in work_alpha and 25% in work_beta, "after" the reverse. A
 * diff of the two shows work_beta grown and work_alpha shrunk.
 * usage: shift before|after [SECONDS]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static NOINLINE uint64_t publish(uint64_t x)
{
	return x ^ (x >> 17);
}

static NOINLINE void work_alpha(int rounds)
{
	uint64_t x = 1;

	for (int i = 0; i < rounds * 1000; i++)
		x = x * 6364136223846793005ULL + 1;
	sink = publish(x);
}

static NOINLINE void work_beta(int rounds)
{
	uint64_t x = 2;

	for (int i = 0; i < rounds * 1000; i++)
		x = x * 2862933555777941757ULL + 3;
	sink = publish(x);
}

static NOINLINE void step(int alpha, int beta)
{
	work_alpha(alpha);
	work_beta(beta);
}

int main(int argc, char **argv)
{
	bool after = argc > 1 && !strcmp(argv[1], "after");
	double seconds = argc > 2 ? atof(argv[2]) : 1.0;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		step(after ? 100 : 300, after ? 300 : 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	return 0;
}
