#!/usr/bin/env bash
# Runs every test: installs and builds first (tools/setup.sh), checks the
# code style, then runs ctest (unit, golden, fuzz-corpus and integration).
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
