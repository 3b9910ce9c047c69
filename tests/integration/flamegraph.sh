# sear flamegraph against the frames flamegraph.pl drew for the same inputs and options
# (tests/golden/flamegraph, made by running it): names, rectangles, fills and labels, parsed.
# Then its options' effects, its notes, and its errors.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
golden="$SOURCE_DIR/tests/golden/flamegraph"
frames() { perl "$SOURCE_DIR/tests/integration/svg-frames.pl" "$@"; }

n=0
cd "$golden"
while IFS='|' read -r input name opts; do
	want="expected/${input%.folded}.$name.frames"
	# shellcheck disable=SC2086
	"$SEAR" flamegraph -q $opts "inputs/$input" >"$TMP/got.svg" || [ $? = 2 ]
	frames "$TMP/got.svg" >"$TMP/got.frames"
	cmp -s "$want" "$TMP/got.frames" || { diff "$want" "$TMP/got.frames" | head -5; fail "flamegraph $opts $input: frames differ from $want"; }
	n=$((n + 1))
done <cases.txt
cd "$TMP"
[ "$n" -gt 40 ] || fail "only $n cases"
pass "$n cases: the same frames, positions, widths, fills and labels as flamegraph.pl"

in="$golden/inputs/names.folded"
"$SEAR" flamegraph --title "T<1>" --subtitle "S&2" --countname bytes --nametype "Frame:" --notes "n>" "$in" >"$TMP/o.svg"
xmllint --noout "$TMP/o.svg" || fail "SVG not well-formed"
grep -q '>T&lt;1&gt;</text>' "$TMP/o.svg" || fail "--title"
grep -q '>S&amp;2</text>' "$TMP/o.svg" || fail "--subtitle"
grep -q ' bytes, ' "$TMP/o.svg" || fail "--countname"
grep -q '>Frame:</text>' "$TMP/o.svg" || fail "--nametype"
grep -q '<desc id="notes">n&gt;</desc>' "$TMP/o.svg" || fail "--notes"
"$SEAR" flamegraph -o "$TMP/o2.svg" "$in" 2>/dev/null && cmp -s "$TMP/o2.svg" <("$SEAR" flamegraph "$in" 2>/dev/null) || fail "-o"
pass "title, subtitle, countname, nametype, notes, -o"

# Errors: a palette or background it does not know, --nameattr, a bad number.
for bad in "--colors plaid" "--bgcolors #12345g" "--bgcolors red" "--width 12.5" "--fontsize 0" "--minwidth 1px" "--encoding latin1"; do
	# shellcheck disable=SC2086
	"$SEAR" flamegraph $bad "$in" >/dev/null 2>"$TMP/err" && fail "$bad accepted"
	[ -s "$TMP/err" ] || fail "$bad: no message"
done
grep -q "invalid --encoding 'latin1'" "$TMP/err" || fail "encoding message: $(cat "$TMP/err")"
"$SEAR" flamegraph --nameattr x "$in" >/dev/null 2>"$TMP/err" && fail "--nameattr accepted"
grep -q "nameattr is not supported" "$TMP/err" || fail "--nameattr message"
"$SEAR" flamegraph --colors plaid "$in" 2>"$TMP/err" >/dev/null || true
grep -q "unknown palette 'plaid'" "$TMP/err" || fail "palette message: $(cat "$TMP/err")"
pass "bad options are refused with a reason"

# Lines that are not "STACK COUNT" are skipped and counted, as flamegraph.pl does.
printf 'a;b 1\na;c 200\nno count here\n\na;d 5\r\n' >"$TMP/bad.folded"
"$SEAR" flamegraph "$TMP/bad.folded" >"$TMP/bad.svg" 2>"$TMP/err" || fail "a bad line made it fail"
grep -q "3 lines of '$TMP/bad.folded' are not 'STACK COUNT' and were skipped" "$TMP/err" ||
	fail "no note on skipped lines: $(cat "$TMP/err")"
grep -q '<title>c (200 samples' "$TMP/bad.svg" || fail "good lines lost"
printf 'a;b 1\n' | "$SEAR" flamegraph 2>"$TMP/err" >/dev/null
grep -q "only 1 samples in 'stdin'" "$TMP/err" || fail "no note on a low count: $(cat "$TMP/err")"
# No counts: an SVG that says so, and exit status 2, as flamegraph.pl.
status=0
: | "$SEAR" flamegraph >"$TMP/empty.svg" 2>"$TMP/err" || status=$?
[ "$status" = 2 ] || fail "no counts: exit $status, want 2"
xmllint --noout "$TMP/empty.svg" && grep -q 'no samples' "$TMP/empty.svg" || fail "empty input SVG"
grep -q "no stack counts found in 'stdin'" "$TMP/err" || fail "empty input message"
pass "skipped lines, low counts and no counts"

# --cp: palette.map in the working directory, read and written back.
mkdir "$TMP/cp" && cd "$TMP/cp"
"$SEAR" flamegraph --cp --colors java "$in" >a.svg
[ -s palette.map ] || fail "--cp wrote no palette.map"
grep -q '^start_thread->rgb(' palette.map || fail "palette.map content"
# a name's colour from the map wins; a bad line is reported and replaced
printf 'start_thread->rgb(1,2,3)\nthread_main->red"/><script>\n' >palette.map
"$SEAR" flamegraph --cp "$in" >b.svg 2>"$TMP/err"
grep -q '<title>start_thread ([^<]*</title><rect[^>]*fill="rgb(1,2,3)"' b.svg || fail "palette.map colour not used"
grep -q "1 lines of 'palette.map' are not" "$TMP/err" || fail "bad palette.map line not reported"
grep -q '<script>' b.svg && fail "a palette.map value reached the SVG"
grep -q '^thread_main->rgb(' palette.map || fail "bad line not replaced"
cd "$TMP"
pass "--cp reads and writes palette.map"

# A recording works too, from a file and from stdin.
if "$SEAR" record -q -F 199 -o "$TMP/r.sear" -- "$WORKLOADS/two_threads" 0.3 2>/dev/null; then
	"$SEAR" flamegraph "$TMP/r.sear" >"$TMP/r.svg" || fail "flamegraph of a .sear"
	grep -q '<title>leaf_alpha ' "$TMP/r.svg" || fail ".sear lost leaf_alpha"
	"$SEAR" flamegraph <"$TMP/r.sear" >"$TMP/r2.svg" || fail "flamegraph of a .sear on stdin"
	cmp -s "$TMP/r.svg" "$TMP/r2.svg" || fail "stdin and file differ"
	pass "a .sear recording, from a file and from stdin"
fi
