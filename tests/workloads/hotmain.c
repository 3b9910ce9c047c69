// SPDX-License-Identifier: MIT
/* Runs libhot's work for the seconds given: usage: hotmain [SECONDS] */
#include <stdint.h>
#include <stdlib.h>

uint64_t hot_run(double seconds);

volatile uint64_t hot_sink; /* the work's result, so that it is done */

int main(int argc, char **argv)
{
	hot_sink = hot_run(argc > 1 ? atof(argv[1]) : 2);
	return 0;
}
