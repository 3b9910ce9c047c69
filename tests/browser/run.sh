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
# Complete stacks only: a sample taken at start-up, before the unwinder has a library's
# tables, is cut short and would draw a second, narrow frame of the same names.
for phase in before after; do
	secs=1
	[ "$phase" = before ] && secs=1.5
	"$SEAR" record -q -o "$tmp/$phase.all.folded" -- "$WORKLOADS/shift" "$phase" "$secs"
	grep -v '\[truncated\]' "$tmp/$phase.all.folded" >"$tmp/$phase.folded"
done
"$SEAR" diff "$tmp/before.folded" "$tmp/after.folded" -o "$tmp/diff.svg"
node "$here/diff.mjs" "$tmp/diff.svg"

# Payloads in every option, frame name, file name, recorded command line and thread name.
p='<script>window.__pwned=1</script>'
printf 'app;%s;main 50\napp;main;x"/><script>window.__pwned=2</script> 30\n%s;a;b 20\n' "$p" "$p" >"$tmp/hostile.folded"
for o in title subtitle countname nametype notes fonttype; do set -- "$@" "--$o" "$p"; done
"$SEAR" flamegraph -q "$@" "$tmp/hostile.folded" >"$tmp/h-flamegraph.svg"
"$SEAR" report "$@" "$tmp/hostile.folded" -o "$tmp/h-report.svg"
other="$tmp/<img src=x onerror=window.__pwned=3>.folded" # a file name holds no '/'
cp "$tmp/hostile.folded" "$other"
"$SEAR" diff -q "$@" "$tmp/hostile.folded" "$other" -o "$tmp/h-diff.svg"
"$SEAR" diff -q "$tmp/hostile.folded" "$other" -o "$tmp/h-diff-title.svg"
bin="$tmp/<img src=x onerror=window.__pwned=1>"
cp "$WORKLOADS/two_threads" "$bin"
"$SEAR" record -q -o "$tmp/h-record.svg" -- "$bin" 0.3
node "$here/hostile.mjs" "$here/../../flamegraph/flame.js" "$tmp"/h-*.svg
