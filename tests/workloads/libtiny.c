// SPDX-License-Identifier: MIT
/*
 * A function so small that a caller looping over it spends a visible share
 * of its time in the PLT stub that reaches it: for the stubs' names
 * (tiny_step@plt, as perf names them), tested by tests/integration/unwind.sh.
 */
#include <stdint.h>

uint64_t tiny_step(uint64_t x)
{
	return x * 0x9e3779b97f4a7c15ULL + 1;
}
