// SPDX-License-Identifier: MIT
/*
 * A workload for the 'perf script' corpus of sear collapse: what perf
 * prints for it covers the cases a collapser must get right.
 *
 * - threads named with spaces ("V8 WorkerThread"), with a number between
 *   words ("w 42 x"), with one character ("x"), and "java";
 * - a thread in the vDSO (clock_gettime) and one in the kernel (write);
 * - JIT code: a loop copied into anonymous memory, described by
 *   /tmp/perf-PID.map with names that need tidying (V8's and Java's,
 *   arguments, quotes, ';', '->', Go methods, anonymous namespaces);
 * - the main thread runs native code with a deep enough stack.
 *
 * It runs SECONDS (default 1) and exits. usage: names [SECONDS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static double seconds = 1.0;
static volatile uint64_t sink;

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* x86-64: mov rax, rdi; 1: dec rax; jnz 1b; ret */
static const unsigned char loop_code[] = { 0x48, 0x89, 0xf8, 0x48, 0xff, 0xc8, 0x75, 0xfb, 0xc3 };

/* JIT symbols as V8, the JVM and others write them into perf maps. */
static const char *const jit_names[] = {
	"LazyCompile:*fib /app/x.js:2",
	"JS:~handler /srv/app.js:10:3",
	"RegExp:[&<>\"']",
	"Lorg/mozilla/javascript/ContextFactory;.call(Lorg/mozilla/javascript/ContextAction;)V",
	"Ljava/lang/Thread;.run()V",
	"net/http.(*Client).Do",
	"(anonymous namespace)::Worker::Run(void*)",
	"outer;semi->inlined_helper->deeper",
	"Builtin: ArgumentsAdaptorTrampoline",
	"[unknown]",
};
#define NR_JIT	   (sizeof(jit_names) / sizeof(jit_names[0]))
#define JIT_STRIDE 64

static unsigned char *jit;

static void jit__setup(void)
{
	char path[64];
	size_t i;
	FILE *map;

	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (jit == MAP_FAILED) {
		jit = NULL;
		return;
	}
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	map = fopen(path, "w");
	for (i = 0; i < NR_JIT; i++) {
		memcpy(jit + i * JIT_STRIDE, loop_code, sizeof(loop_code));
		if (map)
			fprintf(map, "%lx %x %s\n", (unsigned long)(jit + i * JIT_STRIDE),
				JIT_STRIDE, jit_names[i]);
	}
	if (map)
		fclose(map);
}

static NOINLINE uint64_t spin(uint64_t x, int rounds)
{
	for (int i = 0; i < rounds; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

/* Calls each JIT function in turn. */
static NOINLINE void run_jit(void)
{
	struct timespec start;
	size_t i = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (jit && elapsed(&start) < seconds) {
		uint64_t (*fn)(uint64_t) =
		    (uint64_t(*)(uint64_t))(jit + (i++ % NR_JIT) * JIT_STRIDE);

		sink = fn(200000);
	}
}

static NOINLINE void in_vdso(void)
{
	struct timespec start, t;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed(&start) < seconds)
		for (int i = 0; i < 1000; i++)
			clock_gettime(CLOCK_REALTIME, &t);
}

static NOINLINE void in_kernel(void)
{
	static char buf[4096];
	struct timespec start;
	FILE *null = fopen("/dev/null", "w");
	int fd = null ? fileno(null) : -1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (fd >= 0 && elapsed(&start) < seconds)
		for (int i = 0; i < 100; i++)
			sink += write(fd, buf, sizeof(buf));
	if (null)
		fclose(null);
}

static NOINLINE void native_leaf(void)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed(&start) < seconds)
		sink = spin(sink, 100000);
}

static NOINLINE void native_mid(void)
{
	native_leaf();
}

struct job {
	const char *name;
	void (*fn)(void);
};

static void *thread_main(void *arg)
{
	const struct job *j = arg;

	prctl(PR_SET_NAME, j->name);
	j->fn();
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct job jobs[] = {
		{ "V8 WorkerThread", run_jit },
		{ "w 42 x", in_vdso },
		{ "x", in_kernel },
		{ "java", run_jit },
	};
	pthread_t tids[sizeof(jobs) / sizeof(jobs[0])];
	size_t i;

	if (argc > 1)
		seconds = atof(argv[1]);
	jit__setup();
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		pthread_create(&tids[i], NULL, thread_main, (void *)&jobs[i]);
	native_mid();
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		pthread_join(tids[i], NULL);
	return 0;
}
