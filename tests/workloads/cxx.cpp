// SPDX-License-Identifier: MIT
// C++ names to demangle: a namespace, a class, a template and an overload.
// usage: cxx [SECONDS]
#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace app
{
volatile uint64_t sink;

template <typename T> struct Accumulator {
	__attribute__((noinline)) T crunch(T x, int rounds)
	{
		for (int i = 0; i < rounds; i++)
			x = x * 6364136223846793005ULL + 1;
		sink = x;
		return x;
	}
};

class Engine
{
      public:
	__attribute__((noinline)) void step(int rounds)
	{
		acc.crunch(state, rounds);
	}

      private:
	Accumulator<uint64_t> acc;
	uint64_t state = 1;
};
} // namespace app

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	app::Engine engine;

	while (std::chrono::steady_clock::now() < until)
		engine.step(100000);
	return 0;
}
