// SPDX-License-Identifier: MIT
/*
 * The bundled demo: a toy request handler with a known profile, so that a
 * first flame graph has a shape to recognise. Each request parses (~15%),
 * resizes an image (~45%, most of it in blur_row), compresses (~25%) and
 * logs to /dev/null through write(2) (~15%, mostly kernel).
 *
 * usage: demo [SECONDS]   (default 2)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;
static int log_fd;

static NOINLINE uint64_t mix(uint64_t x)
{
	return x ^ (x >> 31);
}

/*
 * The call to mix() makes burn a non-leaf, so gcc gives it a frame even at
 * -O2 and its caller shows in frame-pointer stacks.
 */
static NOINLINE uint64_t burn(uint64_t n, uint64_t seed)
{
	uint64_t x = seed;

	while (n--)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return mix(x);
}

static NOINLINE void parse_request(void)
{
	sink += burn(150000, 1);
}

static NOINLINE void blur_row(void)
{
	sink += burn(100000, 2);
}

static NOINLINE void resize_image(void)
{
	int i;

	for (i = 0; i < 3; i++)
		blur_row();
	sink += burn(150000, 3);
}

static NOINLINE void compress_response(void)
{
	sink += burn(250000, 4);
}

static NOINLINE void write_log(void)
{
	static char line[256];
	int i;

	for (i = 0; i < 1500; i++)
		if (write(log_fd, line, sizeof(line)) < 0)
			abort();
}

static NOINLINE void handle_request(void)
{
	parse_request();
	resize_image();
	compress_response();
	write_log();
}

static NOINLINE void serve_requests(double seconds)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		handle_request();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
}

int main(int argc, char **argv)
{
	log_fd = open("/dev/null", O_WRONLY);
	if (log_fd < 0)
		return 1;
	serve_requests(argc > 1 ? atof(argv[1]) : 2.0);
	return 0;
}
