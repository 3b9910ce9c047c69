#!/usr/bin/env bash
# Installs what sear needs on Debian (apt-get, as root), then builds it into build/.
# With --test, also what the tests need. Safe to run again: packages already
# there are not reinstalled, and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

# To build: a compiler, cmake, and the libraries sear links; clang and bpftool build the
# in-kernel unwinder's BPF object and its libbpf skeleton.
packages="gcc make cmake pkg-config libelf-dev libdw-dev libunwind-dev libpfm4-dev libzstd-dev
	libiberty-dev libdebuginfod-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libbpf-dev
	bpftool clang"
if [ "${1:-}" = --test ]; then
	# To test: cmocka, xmllint, perf (the reference), clang-format (the style check),
	# util-linux and procps (setpriv, unshare, pgrep), time (what a hostile input costs),
	# chromium for the SVG's browser test, and cairo's headers to build node-canvas
	# (tests/canvas).
	packages="$packages libcmocka-dev libxml2-utils linux-perf clang-format util-linux procps libc6-dbg
		debuginfod elfutils curl golang-go time
		chromium
		libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev"
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages:$missing; run this script as root to install them" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# playwright-core drives chromium in tests/browser; it needs node 20, which the machine has.
if [ "${1:-}" = --test ] && command -v node >/dev/null &&
	[ ! -d tests/browser/node_modules/playwright-core ]; then
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) ||
		echo "setup: npm ci failed in tests/browser: the browser test will be skipped" >&2
fi

tests=OFF
[ "${1:-}" = --test ] && tests=ON
cmake -S . -B build -DSEAR_WERROR=ON -DSEAR_TESTS=$tests >/dev/null
cmake --build build -j "$(nproc)"

# node-canvas, a native addon over cairo and pixman (built without frame pointers), for the
# unwinding test of tests/integration/canvas.sh. Prebuilt binaries cannot be downloaded here:
# it is built from npm's source against Debian's libraries and node's own headers.
canvas=tests/canvas/node_modules/canvas
if [ "${1:-}" = --test ] && command -v node >/dev/null && [ ! -f $canvas/build/Release/canvas.node ]; then
	gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
	(cd tests/canvas && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error &&
		cd node_modules/canvas && node "$gyp" rebuild --nodedir=/usr) >build/node-canvas.log 2>&1 ||
		echo "setup: building node-canvas failed (build/node-canvas.log):" \
			"tests/integration/canvas.sh will fail" >&2
fi
