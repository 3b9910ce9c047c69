// SPDX-License-Identifier: MIT
/*
 * Two threads that each burn the CPU in their own leaf function for the
 * same time: a profile should give about 50% to each of leaf_alpha and
 * leaf_beta. usage: two_threads [SECONDS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static double seconds = 2.0;

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static NOINLINE uint64_t publish(uint64_t x)
{
	return x ^ (x >> 29);
}

/* The call to publish() gives each leaf a frame, so fp stacks keep run() as its caller. */
static NOINLINE uint64_t leaf_alpha(uint64_t x)
{
	for (int i = 0; i < 1000000; i++)
		x = x * 2862933555777941757ULL + 3037000493ULL;
	return publish(x);
}

static NOINLINE uint64_t leaf_beta(uint64_t x)
{
	for (int i = 0; i < 1000000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return publish(x);
}

static void *run(void *arg)
{
	uint64_t (*leaf)(uint64_t) = arg, x = 1;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed(&start) < seconds)
		x = leaf(x);
	return (void *)(uintptr_t)x;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 1)
		seconds = atof(argv[1]);
	pthread_create(&a, NULL, run, (void *)leaf_alpha);
	pthread_create(&b, NULL, run, (void *)leaf_beta);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
