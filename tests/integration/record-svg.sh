# The SVG: well-formed, self-contained, with the expected names, its script, and shares.
. "$(dirname "$0")/lib.sh"
need_perf_events
: "${DEMO:?}"

# As the README runs it: from the build's parent, by a relative path ("build/demo").
(cd "$(dirname "$DEMO")/.." && "$SEAR" record -q -o "$TMP/flame.svg" -- "$(basename "$(dirname "$DEMO")")/demo" 1.5)
svg="$TMP/flame.svg"
xmllint --noout "$svg" || fail "not well-formed XML"
grep -q '<title>\[demo\]' "$svg" && fail "frames of the demo are unnamed"
for name in demo main serve_requests handle_request parse_request resize_image blur_row \
	compress_response entry_SYSCALL_64; do
	grep -q "<title>$name[ _]" "$svg" || fail "no frame named $name"
done
grep -q '<script type="text/ecmascript"><!\[CDATA\[' "$svg" || fail "no embedded script"
grep -q 'id="sear-config"' "$svg" || fail "no viewer config"
grep -q '>Reset Zoom<' "$svg" && grep -q '>Search<' "$svg" || fail "no zoom/search controls"
# Self-contained: nothing is fetched from anywhere.
if grep -Eq '(href|src)="' "$svg" || grep -Eo 'https?://[^" ]*' "$svg" | grep -vq '^http://www.w3.org/2000/svg$'; then
	fail "the SVG references something outside itself"
fi
# Colours tell kernel, native and root frames apart.
kfill=$(grep -o '<title>do_syscall_64 [^<]*</title><rect[^>]*fill="[^"]*"' "$svg" | sed -n 1p | sed 's/.*fill="//;s/"//')
ufill=$(grep -o '<title>handle_request [^<]*</title><rect[^>]*fill="[^"]*"' "$svg" | sed -n 1p | sed 's/.*fill="//;s/"//')
[ -n "$kfill" ] && [ -n "$ufill" ] || fail "frames lack fills"
# kernel frames are orange (high red, mid green), native user frames are hot (green under 231)
echo "kernel=$kfill user=$ufill"
# Tooltips carry samples and a share; shares match the demo's design (resize ~45%).
# (the widest frame: a stack cut short at startup may draw a second, narrow one)
pct=$(grep -o '<title>resize_image ([0-9,]* samples, [0-9.]*%)' "$svg" | sed 's/.*, //;s/%)//' | sort -g | tail -1)
within "$pct" 35 55 || fail "resize_image is $pct% in the SVG, want about 45"
pass "svg well-formed, self-contained, resize_image at $pct%"

# The viewer script is valid JavaScript.
if command -v node >/dev/null; then
	node --check "${SOURCE_DIR:?}/flamegraph/flame.js" || fail "flame.js does not parse"
fi

# The output's extension picks the format; --format overrides it; '-' is folded on stdout.
"$SEAR" record -q -F 199 -o "$TMP/x.folded" -- "$DEMO" 0.3
grep -Eq '^demo;.* [0-9]+$' "$TMP/x.folded" || fail ".folded is not folded text"
"$SEAR" record -q -F 199 --format svg -o "$TMP/x.txt" -- "$DEMO" 0.3
xmllint --noout "$TMP/x.txt" || fail "--format svg did not give SVG"
"$SEAR" record -q -F 199 -o - -- "$DEMO" 0.3 >"$TMP/stdout.folded"
grep -Eq '^demo;.* [0-9]+$' "$TMP/stdout.folded" || fail "-o - did not write folded stacks"
"$SEAR" record -q -F 199 --inverted --title 'api <server>' -o "$TMP/icicle.svg" -- "$DEMO" 0.3
xmllint --noout "$TMP/icicle.svg" || fail "inverted SVG is not well-formed"
grep -q '>api &lt;server&gt;</text>' "$TMP/icicle.svg" || fail "title not escaped"
grep -q '"inverted":true' "$TMP/icicle.svg" || fail "--inverted not passed to the viewer"
pass "formats"
