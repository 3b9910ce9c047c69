// SPDX-License-Identifier: MIT
/*
 * A parent that forks a busy child and sleeps until it is done: the CPU
 * time, and so the samples, belong to the child's child_burn.
 * usage: forker [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static NOINLINE void child_burn(double seconds)
{
	struct timespec start, now;
	uint64_t x = 1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.5;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (!pid) {
		child_burn(seconds);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return 0;
}
