#!/usr/bin/env bash
# Installs what sear needs on Debian (apt-get, as root), then builds it into build/.
# With --test, also what the tests need. Safe to run again: packages already
# there are not reinstalled, and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

# To build: a compiler, cmake, and the libraries sear links.
packages="gcc make cmake pkg-config libelf-dev libdw-dev libunwind-dev libpfm4-dev libzstd-dev
	libiberty-dev"
if [ "${1:-}" = --test ]; then
	# To test: cmocka, xmllint, perf (the reference), clang-format (the style check),
	# util-linux and procps (setpriv, unshare, pgrep), time (what a hostile input costs),
	# and chromium for the SVG's browser test.
	packages="$packages libcmocka-dev libxml2-utils linux-perf clang-format util-linux procps
		time chromium"
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
