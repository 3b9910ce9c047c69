#!/usr/bin/env bash
# Runs every test: installs and builds first (tools/setup.sh), checks the
# code style, then runs ctest (unit, golden, fuzz-corpus and integration),
# and then the whole suite again on a build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh --test

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/fuzz/corpus/' || true)
if [ -n "$files" ]; then
	clang-format --dry-run -Werror $files
fi

# The build enforces the layers through each library's include path; a relative
# include would walk around it.
echo "== layers"
if grep -n '#include "\.\./' $files; then
	echo "test: include project headers by their folder (\"lib/x.h\"), never with ../" >&2
	exit 1
fi

echo "== ctest"
ctest --test-dir build --output-on-failure "$@"

# The same suite, sanitized: any overread, leak or undefined behaviour fails its test.
# Warnings are not errors here: GCC's -Wnonnull misfires on sanitized code.
# Left out: integration/docker, which checks the release binary's runtime packages (a
# sanitized sear links libasan and libubsan), and the browser test, which drives the same
# SVG in Chromium and runs no more of sear. record-signals sends signals at every moment of
# a run, 50 per signal, for 80 s: at ASan's speed it runs 10 per signal, after the rest.
echo "== ctest, sanitized (address, undefined)"
cmake -S . -B build-asan -DSEAR_SANITIZE=address,undefined -DSEAR_WERROR=OFF \
	-DSEAR_TESTS=ON >/dev/null
cmake --build build-asan -j "$(nproc)" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan.supp
ctest --test-dir build-asan --output-on-failure \
	-E '^(integration/docker|integration/record-signals|browser/svg)$' "$@"
if [ $# = 0 ]; then
	SIGNAL_RUNS=10 ctest --test-dir build-asan --output-on-failure \
		-R '^integration/record-signals$'
fi
