# .sear recordings: a round trip equal to a direct record, filters, truncation, SIGKILL,
# and bad files.
. "$(dirname "$0")/lib.sh"
need_perf_events

# Round trip: one recording written as .sear and as folded at once; report gives the same.
"$SEAR" record -q -o "$TMP/run.sear" -o "$TMP/direct.folded" -- "$WORKLOADS/two_threads" 1.5
"$SEAR" report "$TMP/run.sear" -o "$TMP/report.folded"
cmp "$TMP/direct.folded" "$TMP/report.folded" || fail "report of the .sear differs from record's own output"
a=$(share "$TMP/report.folded" ';leaf_alpha$')
within "$a" 40 60 || fail "leaf_alpha is $a% in the report"
"$SEAR" report "$TMP/run.sear" -o "$TMP/report.svg"
xmllint --noout "$TMP/report.svg" || fail "report SVG not well-formed"
grep -q '<title>leaf_alpha ' "$TMP/report.svg" || fail "report SVG lacks leaf_alpha"
pass "round trip: record -o x.sear, report = record -o x.folded (alpha $a%)"

# Filters: by thread, by name, by time.
tid=$(sed -n 's/^.*leaf_alpha.*$/x/p' "$TMP/report.folded" | head -1 >/dev/null; echo)
total=$(samples "$TMP/report.folded")
"$SEAR" report "$TMP/run.sear" --comm no-such-thread -o "$TMP/none.folded" 2>/dev/null
[ ! -s "$TMP/none.folded" ] || fail "--comm with no match kept samples"
"$SEAR" report "$TMP/run.sear" --comm two_threads -o "$TMP/comm.folded"
[ "$(samples "$TMP/comm.folded")" = "$total" ] || fail "--comm two_threads dropped samples"
half=$(samples <("$SEAR" report "$TMP/run.sear" --from 0.5 --to 1.0 -o -))
within "$half" $((total / 3 - 200)) $((total / 3 + 200)) ||
	fail "--from 0.5 --to 1.0 kept $half of $total samples, want about a third"
"$SEAR" report "$TMP/run.sear" --pid-roots -o "$TMP/pids.folded"
grep -Eq '^two_threads \[[0-9]+\];' "$TMP/pids.folded" || fail "--pid-roots in report"
"$SEAR" report "$TMP/run.sear" --inverted --reverse --title 'custom <t>' -o "$TMP/shape.svg"
grep -q '>custom &lt;t&gt;</text>' "$TMP/shape.svg" || fail "--title not applied"
grep -q '<title>two_threads (' "$TMP/shape.svg" || fail "--reverse lost the root"
pass "filters: --comm, --from/--to ($half of $total), --pid-roots, shape options"

# A recording cut anywhere: no crash, a message with the offset, and the complete chunks;
# cut before its first chunk ends, it holds nothing, which is an error.
"$SEAR" record -q -o "$TMP/long.sear" -- "$WORKLOADS/two_threads" 3
size=$(stat -c %s "$TMP/long.sear")
header=$((16 + $(od -An -tu4 -j12 -N4 "$TMP/long.sear" | tr -d ' ')))
first=$((header + 12 + $(od -An -tu4 -j$((header + 4)) -N4 "$TMP/long.sear" | tr -d ' ')))
full=$(samples <("$SEAR" report "$TMP/long.sear" -o - 2>/dev/null))
prev=0
for cut in 0 7 15 16 40 $((header - 1)) $header $((header + 5)) $((first - 1)) $first $((size / 7)) $((size / 3)) $((size / 2)) $((size * 2 / 3)) $((size - 200)) $((size - 13)) $((size - 1)); do
	[ "$cut" -lt "$size" ] || continue
	head -c "$cut" "$TMP/long.sear" >"$TMP/cut.sear"
	status=0
	"$SEAR" report "$TMP/cut.sear" -o "$TMP/cut.folded" 2>"$TMP/cut.err" || status=$?
	[ "$status" -le 1 ] || fail "cut at $cut: exit $status (a signal?)"
	[ "$(wc -l <"$TMP/cut.err")" -le 2 ] || fail "cut at $cut: more than two lines: $(cat "$TMP/cut.err")"
	if [ "$cut" -ge "$header" ] && [ "$cut" -lt "$first" ]; then
		[ "$status" = 1 ] || fail "cut at $cut, in the first chunk: exit $status"
		grep -Eq "^sear: cannot read '.*': cut short or corrupt at byte $header, before any samples" "$TMP/cut.err" ||
			fail "cut at $cut: $(cat "$TMP/cut.err")"
	elif [ "$cut" -ge "$header" ]; then
		[ "$status" = 0 ] || fail "cut at $cut: failed: $(cat "$TMP/cut.err")"
		grep -Eq "cut short or corrupt at byte [0-9]+|no trailer" "$TMP/cut.err" ||
			fail "cut at $cut: no warning: $(cat "$TMP/cut.err")"
		got=$(samples "$TMP/cut.folded")
		echo "cut at $cut of $size: $got samples"
		[ "$got" -ge "$prev" ] && [ "$got" -le "$full" ] || fail "cut at $cut: $got samples"
		prev=$got
	else
		grep -Eq "^sear: (cannot read|'.*' is empty|'.*' is not a .sear recording)" "$TMP/cut.err" ||
			fail "cut at $cut: $(cat "$TMP/cut.err")"
	fi
done
[ "$prev" -gt $((full / 2)) ] || fail "a file cut near its end kept only $prev of $full samples"
pass "truncated recordings: complete chunks kept ($prev of $full near the end)"

# SIGKILL while recording: what was flushed is readable.
"$SEAR" record -q -o "$TMP/killed.sear" -- "$WORKLOADS/spinner" 10 &
sear=$!
sleep 2.5
kill -9 "$sear"
wait "$sear" 2>/dev/null || true
pkill -f "$WORKLOADS/spinner 10" || true
"$SEAR" report "$TMP/killed.sear" -o "$TMP/killed.folded" 2>"$TMP/killed.err" ||
	fail "a SIGKILLed recording cannot be read: $(cat "$TMP/killed.err")"
grep -q "no trailer" "$TMP/killed.err" || fail "no warning for the missing trailer"
within "$(samples "$TMP/killed.folded")" 900 6000 || fail "SIGKILLed recording kept $(samples "$TMP/killed.folded") samples"
pass "SIGKILLed recording read up to its last chunk"

# Bad files: one line, non-zero.
printf 'SEAR\0REC\x09\0\0\0\0\0\0\0' >"$TMP/v9.sear"
"$SEAR" report "$TMP/v9.sear" -o "$TMP/x.folded" 2>"$TMP/err" && fail "version 9 accepted"
grep -q "unknown version" "$TMP/err" || fail "version: $(cat "$TMP/err")"
printf 'SEAR\0REC\x01\0\0\0\xff\xff\xff\x7f' >"$TMP/hdr.sear"
"$SEAR" report "$TMP/hdr.sear" -o "$TMP/x.folded" 2>"$TMP/err" && fail "corrupt header accepted"
grep -q "header is corrupt" "$TMP/err" || fail "header: $(cat "$TMP/err")"
head -c 3000 /dev/urandom >"$TMP/random.bin"
status=0
"$SEAR" report "$TMP/random.bin" -o "$TMP/x.folded" 2>"$TMP/err" || status=$?
[ "$status" = 1 ] || fail "random bytes: exit $status"
"$SEAR" report "$TMP/nonexistent.sear" -o "$TMP/x.folded" 2>"$TMP/err" && fail "missing file accepted"
grep -q "cannot open '.*nonexistent.sear': no such file or directory" "$TMP/err" || fail "$(cat "$TMP/err")"
pass "bad files"
