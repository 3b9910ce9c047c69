#!/usr/bin/env bash
# What the sandboxed ELF reader costs: addresses named per second, as 'sear report
# --inline --srcline' names them (symbols, then DWARF inline chains and source lines),
# in this process and through the sandbox (batched as the session asks, and one address
# at a time), on binaries with DWARF: sear itself, and libc when its debug file is here.
#
#   bench/sandbox.sh [STEP]     (every STEP-th byte of .text; default 16)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/bench-names ] || { echo "build first: tools/setup.sh --test" >&2; exit 1; }
step=${1:-16}
build/bench-names build/sear "$step"
libc=$(ldd build/sear | awk '/libc\.so/ { print $3 }')
[ -n "$libc" ] && build/bench-names "$libc" "$step"
