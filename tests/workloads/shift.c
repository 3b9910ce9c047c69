// SPDX-License-Identifier: MIT
/*
 * Phases of work whose balance shifts between runs: "before" spends about
 * 60% in work_alpha, 20% in work_beta and 20% in work_gone; "after" 20% in
 * work_alpha, 60% in work_beta and 20% in work_new. A diff of the two
 * shows work_beta grown, work_alpha shrunk, work_gone removed and work_new
 * added. usage: shift before|after [SECONDS]
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

/* Only "before" calls it: what a fix took away. */
static NOINLINE void work_gone(int rounds)
{
	uint64_t x = 3;

	for (int i = 0; i < rounds * 1000; i++)
		x = x * 3935559000370003845ULL + 5;
	sink = publish(x);
}

/* Only "after" calls it: what the change brought. */
static NOINLINE void work_new(int rounds)
{
	uint64_t x = 4;

	for (int i = 0; i < rounds * 1000; i++)
		x = x * 2685821657736338717ULL + 7;
	sink = publish(x);
}

static NOINLINE void step(bool after, int alpha, int beta)
{
	work_alpha(alpha);
	work_beta(beta);
	if (after)
		work_new(100);
	else
		work_gone(100);
}

int main(int argc, char **argv)
{
	bool after = argc > 1 && !strcmp(argv[1], "after");
	double seconds = argc > 2 ? atof(argv[2]) : 1.0;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		step(after, after ? 100 : 300, after ? 300 : 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	return 0;
}
