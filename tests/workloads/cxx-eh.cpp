// SPDX-License-Identifier: MIT
// For the in-kernel unwinder: std::sort with a hot comparator, and exceptions thrown
// through several frames, built with -O2 -fomit-frame-pointer. The functions that
// catch have an LSDA and a personality routine ("zPLR" CIEs).
// usage: cxx-eh [SECONDS]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#define NOINLINE __attribute__((noinline))

namespace work
{
volatile uint64_t sink;

static uint64_t mix(uint64_t x)
{
	for (int i = 0; i < 16; i++)
		x = (x ^ (x >> 31)) * 0x94d049bb133111ebULL;
	return x;
}

NOINLINE void sort_keys(std::vector<uint64_t> &v)
{
	std::sort(v.begin(), v.end(), [](uint64_t a, uint64_t b) { return mix(a) < mix(b); });
}

/* Throws from 16 frames down, so that unwinding the exception takes a visible share. */
NOINLINE void check(const std::vector<uint64_t> &v, int round, int depth)
{
	if (depth)
		check(v, round, depth - 1);
	else if (round % 2 == 0)
		throw std::runtime_error("round rejected");
	sink = sink + v[0];
}

NOINLINE int round_trip(std::vector<uint64_t> &v, int round)
{
	try {
		for (size_t i = 0; i < v.size(); i++)
			v[i] = (i + round) * 0x9e3779b97f4a7c15ULL;
		sort_keys(v);
		check(v, round, 16);
	} catch (const std::exception &e) {
		return 1;
	}
	return 0;
}
} // namespace work

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	std::vector<uint64_t> v(64);
	int round = 0, caught = 0;

	while (std::chrono::steady_clock::now() < until)
		caught += work::round_trip(v, round++);
	return caught < 0;
}
