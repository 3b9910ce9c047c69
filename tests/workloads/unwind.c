// SPDX-License-Identifier: MIT
/*
 * For the unwinders. The hot leaf spin() sets up no frame at -O2, so a
 * frame-pointer walk skips its caller. It is called from caller_a twice as
 * often as from caller_b: a correct profile splits spin 2:1 between them.
 * "recurse" mode spins at the bottom of a 40-deep recursion. Built twice:
 * with -fomit-frame-pointer (unwind-nofp) and without (unwind-fp).
 * With a third argument "count", it prints how many rounds it did: the
 * benchmark's measure of what a profiler costs the target.
 * usage: unwind split|recurse [SECONDS [count]]
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

NOINLINE uint64_t spin(uint64_t n)
{
	/* Reading sink makes spin impure: two calls are two calls, not one reused. */
	uint64_t x = n + sink;

	while (n--)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

/*
 * 200000 rounds on average, but never in lock-step: a cycle of fixed length
 * near the sampling period would alias with it and skew the 2:1 split.
 */
static uint64_t rounds_jittered(void)
{
	static uint64_t x = 88172645463325252ULL;

	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	return 150000 + x % 100001;
}

NOINLINE void caller_a(void)
{
	sink += spin(rounds_jittered());
	sink += spin(rounds_jittered());
}

NOINLINE void caller_b(void)
{
	sink += spin(rounds_jittered());
}

NOINLINE uint64_t recurse(int depth)
{
	uint64_t r;

	if (!depth)
		return spin(200000);
	r = recurse(depth - 1);
	/* An opaque result: gcc cannot turn the recursion into a loop with an accumulator. */
	__asm__ volatile("" : "+r"(r));
	return r + depth;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int rec = argc > 1 && !strcmp(argv[1], "recurse");
	double until = now() + (argc > 2 ? atof(argv[2]) : 1.0);
	unsigned long rounds = 0;

	for (; now() < until; rounds++) {
		if (rec) {
			sink += recurse(40);
		} else {
			caller_a();
			caller_b();
		}
	}
	if (argc > 3 && !strcmp(argv[3], "count"))
		printf("%lu\n", rounds);
	return 0;
}
