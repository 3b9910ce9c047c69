# Records the demo and drives its SVG in headless Chromium (tests/browser/svg.mjs).
set -euo pipefail
: "${SEAR:?}" "${DEMO:?}"
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || [ ! -d "$here/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
	echo "skip: needs node, chromium and 'npm ci' in tests/browser (tools/setup.sh does both)" >&2
	exit 77
fi
tmp=$(mktemp -d /tmp/sear-browser.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$SEAR" record -q -o "$tmp/flame.svg" -- "$DEMO" 1
node "$here/svg.mjs" "$tmp/flame.svg"
