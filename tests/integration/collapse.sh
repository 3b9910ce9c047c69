# sear collapse and sear flamegraph against golden files, and as a pipeline with perf.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
golden="$SOURCE_DIR/tests/golden/collapse"

for v in "" pid tid all; do
	want="$golden/expected${v:+-$v}.folded"
	"$SEAR" collapse ${v:+--$v} "$golden/input.txt" >"$TMP/got.folded" 2>"$TMP/err"
	diff -u "$want" "$TMP/got.folded" || fail "collapse ${v:+--$v} differs from $want"
	# stdin works the same as a file
	"$SEAR" collapse ${v:+--$v} <"$golden/input.txt" 2>/dev/null | cmp -s - "$want" ||
		fail "collapse ${v:+--$v} from stdin differs"
done
grep -q "1 lines of .* were not perf script samples or frames" "$TMP/err" || fail "no note on skipped lines"
pass "collapse golden: default, --pid, --tid, --all"

# --kernel alone annotates the kernel only.
"$SEAR" collapse --kernel "$golden/input.txt" 2>/dev/null | grep -q 'x64_sys_call_\[k\] 1' ||
	fail "--kernel"
"$SEAR" collapse --kernel "$golden/input.txt" 2>/dev/null | grep -q '_\[j\]' && fail "--kernel added _[j]"
pass "--kernel"

# flamegraph: folded in, SVG out, with flamegraph.pl's options.
"$SEAR" flamegraph --title "T" --subtitle "S" --width 800 --height 20 --fontsize 10 \
	--colors java --countname bytes --nametype "Frame:" --minwidth 0 --hash \
	"$golden/expected-all.folded" >"$TMP/fg.svg"
xmllint --noout "$TMP/fg.svg" || fail "flamegraph SVG not well-formed"
grep -q 'width="800"' "$TMP/fg.svg" || fail "--width"
grep -q ' bytes, ' "$TMP/fg.svg" || fail "--countname"
grep -q '>Frame:</text>' "$TMP/fg.svg" || fail "--nametype"
grep -q '<title>LazyCompile:\*fib /app/x.js:2_\[j\] (1 bytes' "$TMP/fg.svg" || fail "JIT name with spaces"
# java palette: _[j] green, _[k] orange
fill() { grep -o "<title>$1 ([^<]*</title><rect[^>]*fill=\"[^\"]*\"" "$TMP/fg.svg" | sed -n 1p | sed 's/.*fill="rgb(//;s/)"//'; }
g=$(fill 'LazyCompile:\*fib /app/x.js:2_\[j\]')
k=$(fill 'native_safe_halt_\[k\]')
[ "$(echo "$g" | cut -d, -f2)" -gt "$(echo "$g" | cut -d, -f1)" ] || fail "_[j] is not green: $g"
[ "$(echo "$k" | cut -d, -f3)" = 0 ] || fail "_[k] is not orange: $k"
for pal in hot mem io red green blue yellow purple aqua orange js; do
	"$SEAR" flamegraph --colors "$pal" "$golden/expected.folded" >/dev/null || fail "--colors $pal"
done
"$SEAR" flamegraph --colors plaid "$golden/expected.folded" 2>"$TMP/err" >/dev/null && fail "bad palette accepted"
grep -q "unknown palette 'plaid'" "$TMP/err" || fail "palette error: $(cat "$TMP/err")"
"$SEAR" flamegraph --reverse --inverted "$golden/expected.folded" >"$TMP/rev.svg"
grep -q '<title>x64_sys_call (1 samples' "$TMP/rev.svg" || fail "--reverse"
pass "flamegraph options"

# A malformed line is named by its number; an empty input still gives a valid SVG.
printf 'a;b 1\na;c 2\nno count here\n' >"$TMP/bad.folded"
"$SEAR" flamegraph "$TMP/bad.folded" >/dev/null 2>"$TMP/err" && fail "a malformed line was accepted"
grep -q "bad.folded:3: not a folded stack" "$TMP/err" || fail "line number: $(cat "$TMP/err")"
: | "$SEAR" flamegraph >"$TMP/empty.svg" 2>/dev/null
xmllint --noout "$TMP/empty.svg" && grep -q 'no samples' "$TMP/empty.svg" || fail "empty input"
pass "bad folded input"

# Pipelines with perf, as people use them today.
if command -v perf >/dev/null && "$SEAR" record -q -F 99 -o "$TMP/probe.folded" -- true 2>/dev/null; then
	perf record -q -e cpu-clock -g -o "$TMP/perf.data" -- "$WORKLOADS/two_threads" 1 2>/dev/null
	perf script -i "$TMP/perf.data" 2>/dev/null | "$SEAR" collapse | "$SEAR" flamegraph >"$TMP/pipe.svg"
	xmllint --noout "$TMP/pipe.svg" || fail "pipeline SVG"
	grep -q '<title>leaf_alpha ' "$TMP/pipe.svg" || fail "pipeline lost leaf_alpha"
	pass "perf script | sear collapse | sear flamegraph"
fi
