// SPDX-License-Identifier: MIT
/*
 * A tiny JIT: copies a loop of machine code into anonymous executable
 * memory and runs it, as V8 does with its code. It prints the code's
 * address and size so that a test can write (or plant) its perf map, then
 * waits for a line on stdin before it starts, and runs SECONDS.
 * x86-64 only. usage: jit [SECONDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* mov rax, rdi; 1: dec rax; jnz 1b; ret */
static const unsigned char code[] = { 0x48, 0x89, 0xf8, 0x48, 0xff, 0xc8, 0x75, 0xfb, 0xc3 };

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec start, now;
	uint64_t (*fn)(uint64_t);
	char line[16];
	void *mem;

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memcpy(mem, code, sizeof(code));
	if (mprotect(mem, 4096, PROT_READ | PROT_EXEC))
		return 1;
	fn = (uint64_t(*)(uint64_t))mem;
	printf("%lx %zx\n", (unsigned long)mem, sizeof(code));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		fn(1000000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	return 0;
}
