# sear collapse against the compatibility corpus (tests/golden/collapse: perf script text
# recorded with perf, and what stackcollapse-perf.pl printed for it), through the command:
# every case, --inline included, then stdin, several files, -o, the notes and the errors.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
golden="$SOURCE_DIR/tests/golden/collapse"
cd "$SOURCE_DIR" # the --inline cases name their binary from here

n=0
while IFS='|' read -r input name opts; do
	want="$golden/expected/${input%.txt}.$name.folded"
	# shellcheck disable=SC2086
	"$SEAR" collapse $opts "tests/golden/collapse/inputs/$input" >"$TMP/got" 2>"$TMP/err" ||
		fail "collapse $opts $input: $(cat "$TMP/err")"
	cmp -s "$want" "$TMP/got" || { diff "$want" "$TMP/got" | head -5; fail "collapse $opts $input differs from $want"; }
	n=$((n + 1))
done <"$golden/cases.txt"
[ "$n" -gt 100 ] || fail "only $n cases in cases.txt"
pass "$n corpus cases byte-identical to the script's output"

# stdin, several files in turn (as perl's <> reads them), -o
in="$golden/inputs/names-F.txt"
"$SEAR" collapse <"$in" 2>/dev/null | cmp -s - "$golden/expected/names-F.default.folded" || fail "stdin"
cat "$golden/inputs/names-F.txt" "$golden/inputs/cxx.txt" >"$TMP/both.txt"
"$SEAR" collapse "$golden/inputs/names-F.txt" "$golden/inputs/cxx.txt" 2>/dev/null >"$TMP/two.folded"
"$SEAR" collapse "$TMP/both.txt" 2>/dev/null | cmp -s - "$TMP/two.folded" || fail "two files differ from their concatenation"
"$SEAR" collapse -o "$TMP/o.folded" "$in" 2>/dev/null
cmp -s "$TMP/o.folded" "$golden/expected/names-F.default.folded" || fail "-o"
# one thread and several give the same bytes
"$SEAR" collapse --threads 1 "$TMP/both.txt" 2>/dev/null | cmp -s - "$TMP/two.folded" || fail "--threads 1"
pass "stdin, several files, -o, --threads"

# The notes the script prints on stderr: skipped lines, and the events left out.
"$SEAR" collapse "$golden/inputs/handmade.txt" 2>"$TMP/err" >/dev/null
grep -q "line 35 is not perf script output, skipped: 'this line is not perf script output'" "$TMP/err" ||
	fail "no note on the unrecognized line: $(cat "$TMP/err")"
"$SEAR" collapse "$golden/inputs/events.txt" 2>"$TMP/err" >/dev/null
grep -q "kept the samples of 'cpu-clock', the first one, and left out [0-9]* of others such as 'task-clock'" "$TMP/err" ||
	fail "no note on the events left out: $(cat "$TMP/err")"
"$SEAR" collapse --event-filter task-clock "$golden/inputs/events.txt" 2>"$TMP/err" >/dev/null
[ ! -s "$TMP/err" ] || fail "a chosen event still gives a note: $(cat "$TMP/err")"
"$SEAR" collapse -q "$golden/inputs/events.txt" 2>"$TMP/err" >/dev/null
[ ! -s "$TMP/err" ] || fail "-q still gives notes: $(cat "$TMP/err")"
pass "notes on skipped lines and filtered events"

# Errors: a perf.data file, a missing file, a bad --threads.
printf 'PERFILE2xxxxxxxx' >"$TMP/perf.data"
"$SEAR" collapse "$TMP/perf.data" 2>"$TMP/err" && fail "perf.data accepted"
grep -q "is a perf.data file: use 'sear report" "$TMP/err" || fail "perf.data message: $(cat "$TMP/err")"
"$SEAR" collapse "$TMP/nonexistent" 2>"$TMP/err" && fail "missing file accepted"
grep -q "cannot open '$TMP/nonexistent'" "$TMP/err" || fail "missing file message"
"$SEAR" collapse --threads 0 "$in" 2>"$TMP/err" && fail "--threads 0 accepted"
if [ -w /dev/full ]; then
	"$SEAR" collapse "$in" >/dev/full 2>"$TMP/err" && fail "a full disk went unnoticed"
	grep -q "write failed" "$TMP/err" || fail "full disk message: $(cat "$TMP/err")"
fi
pass "errors"

# With perf: a fresh recording, piped as people do.
if command -v perf >/dev/null && perf record -q -e cpu-clock -g -o "$TMP/perf.data" -- "$WORKLOADS/two_threads" 0.5 2>/dev/null; then
	perf script -i "$TMP/perf.data" 2>/dev/null | "$SEAR" collapse >"$TMP/pipe.folded"
	grep -q ';leaf_alpha ' "$TMP/pipe.folded" || fail "pipeline lost leaf_alpha"
	# counts are periods: each sample adds perf's period, not 1
	period=$(perf script -i "$TMP/perf.data" -F period 2>/dev/null | awk '{ s += $1 } END { print s }')
	[ "$(samples "$TMP/pipe.folded")" = "$period" ] || fail "counts are not the sum of periods ($period)"
	pass "perf script | sear collapse: counts are the periods' sum"
fi
