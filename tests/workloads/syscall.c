// SPDX-License-Identifier: MIT
/*
 * For the in-kernel unwinder: a thread that spends its time inside a
 * system call (reading /dev/zero in large blocks), so that most samples
 * hit in kernel mode and need both the kernel stack and the user stack
 * from the task's saved registers. Built without frame pointers.
 * usage: syscall [SECONDS]
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define BLOCK	 (1 << 20)

static volatile int stop;
static volatile long sink;

NOINLINE long read_zero(int fd, char *buf)
{
	long n = read(fd, buf, BLOCK);

	/* Work after the call: read is not a tail call, read_zero stays on the stack. */
	sink = sink + n;
	return n;
}

NOINLINE void *kernel_loop(void *arg)
{
	int fd = open("/dev/zero", O_RDONLY);
	char *buf = malloc(BLOCK);
	long total = 0;

	(void)arg;
	while (fd >= 0 && buf && !stop)
		total += read_zero(fd, buf);
	free(buf);
	return (void *)total;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec t = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
	struct timespec late = { 0, 800 * 1000 * 1000 };
	pthread_t th;

	/* Late, so that a profiler that attached at start sees the thread inherit its events. */
	nanosleep(&late, NULL);
	if (pthread_create(&th, NULL, kernel_loop, NULL))
		return 1;
	nanosleep(&t, NULL);
	stop = 1;
	pthread_join(th, NULL);
	return 0;
}
