// SPDX-License-Identifier: MIT
/*
 * Calls libtiny's tiny_step through its PLT stub in a tight loop, so that
 * samples land in the stub itself. usage: plt [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

uint64_t tiny_step(uint64_t x);

static volatile uint64_t sink;

NOINLINE void step_many(void)
{
	uint64_t x = sink;

	for (int i = 0; i < 1000000; i++)
		x = tiny_step(x);
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1, end;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	end = t.tv_sec + t.tv_nsec / 1e9 + seconds;
	do {
		step_many();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec + t.tv_nsec / 1e9 < end);
	return 0;
}
