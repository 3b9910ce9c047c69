// SPDX-License-Identifier: MIT
/*
 * A shared library whose hot functions are static, as in a distribution's
 * stripped library: once stripped, nothing names them but its debug file
 * (or their unwind tables' bounds). About 70% of the time goes to
 * hot_convolve and 30% to hot_reflect.
 */
#include <stdint.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static uint64_t hot_convolve(uint64_t x)
{
	for (int i = 0; i < 7000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL + (x >> 29);
	return x;
}

__attribute__((noinline)) static uint64_t hot_reflect(uint64_t x)
{
	for (int i = 0; i < 3000; i++)
		x = (x ^ (x << 13)) * 0x9e3779b97f4a7c15ULL + (x >> 7);
	return x;
}

uint64_t hot_run(double seconds)
{
	double end = now() + seconds;
	uint64_t x = 1;

	while (now() < end)
		x = hot_reflect(hot_convolve(x));
	return x;
}
