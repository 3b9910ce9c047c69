// SPDX-License-Identifier: MIT
/*
 * A request loop that computes for about 5 ms and then sleeps about 5 ms:
 * on-CPU profiles see only the first half, --off-cpu both, at 50/50.
 * usage: offcpu [SECONDS]
 *
 * offcpu --forks N: after 200 ms (for a profiler to learn this process's
 * own mappings), forks N children that each block for 300 ms from their
 * first instant (a fork, no exec), and waits for them: N x 300 ms off-CPU
 * in child_wait.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define HALF_NS	 5000000LL

static volatile uint64_t sink;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

NOINLINE void compute_part(void)
{
	int64_t end = now_ns() + HALF_NS;
	uint64_t x = sink;

	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

NOINLINE void sleep_part(void)
{
	struct timespec t = { 0, HALF_NS };

	nanosleep(&t, NULL);
}

NOINLINE void handle_request(void)
{
	compute_part();
	sleep_part();
	sink = sink + 1; /* not a tail call: handle_request stays on the stack */
}

NOINLINE void child_wait(void)
{
	struct timespec t = { 0, 300000000 };

	nanosleep(&t, NULL);
	sink = sink + 1;
}

NOINLINE void spawn_children(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!fork()) {
			child_wait();
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--forks")) {
		struct timespec settle = { 0, 200000000 };

		nanosleep(&settle, NULL);
		spawn_children(atoi(argv[2]));
		return 0;
	}
	int64_t end = now_ns() + (int64_t)((argc > 1 ? atof(argv[1]) : 2) * 1e9);

	while (now_ns() < end)
		handle_request();
	return 0;
}
