// SPDX-License-Identifier: MIT
/*
 * Spins in attach_target_spin until killed or SECONDS pass: something to
 * attach to with -p. It starts a second thread after a delay, to check
 * that threads created after attach are followed.
 * usage: spinner [SECONDS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static double seconds = 30;
static volatile uint64_t sink;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static NOINLINE void attach_target_spin(double until)
{
	uint64_t x = 1;

	while (now() < until)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1;
	sink = x;
}

static NOINLINE void *late_thread_spin(void *arg)
{
	double until = *(double *)arg;
	uint64_t x = 3;

	while (now() < until)
		for (int i = 0; i < 100000; i++)
			x = x * 2862933555777941757ULL + 7;
	sink = x;
	return NULL;
}

int main(int argc, char **argv)
{
	double start = now(), until;
	pthread_t t;

	if (argc > 1)
		seconds = atof(argv[1]);
	until = start + seconds;
	/* The late thread starts after a second: after any attach a test makes. */
	attach_target_spin(start + 1.0 < until ? start + 1.0 : until);
	pthread_create(&t, NULL, late_thread_spin, &until);
	attach_target_spin(until);
	pthread_join(t, NULL);
	return 0;
}
