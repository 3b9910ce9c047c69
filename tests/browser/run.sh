# Drives sear's SVGs in headless Chromium (playwright-core): a recording of the demo
# (svg.mjs), a diff of two runs where one function disappeared and one appeared (diff.mjs),
# and a graph with hostile text in every option and name (hostile.mjs).
set -euo pipefail
: "${SEAR:?}" "${DEMO:?}" "${WORKLOADS:?}"
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || [ ! -d "$here/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
	echo "skip: needs node, chromium and 'npm ci' in tests/browser (tools/setup.sh does both)" >&2
	exit 77
fi
tmp=$(mktemp -d /tmp/sear-browser.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$SEAR" record -q -o "$tmp/flame.svg" -- "$DEMO" 1
node "$here/svg.mjs" "$tmp/flame.svg"
"$SEAR" record -q -o "$tmp/before.sear" -- "$WORKLOADS/shift" before 1.5
"$SEAR" record -q -o "$tmp/after.sear" -- "$WORKLOADS/shift" after 1
"$SEAR" diff "$tmp/before.sear" "$tmp/after.sear" -o "$tmp/diff.svg"
node "$here/diff.mjs" "$tmp/diff.svg"
