# Bad input gets one clear line, a non-zero exit, and never a crash.
. "$(dirname "$0")/lib.sh"
need_perf_events

# expect_error STATUS PATTERN -- sear args...: exits STATUS, prints one line matching PATTERN.
expect_error() {
	local want=$1 pattern=$2 status=0
	shift 3
	"$SEAR" "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
	[ "$status" = "$want" ] || fail "'sear $*' exited $status, want $want: $(cat "$TMP/err")"
	grep -Eq "$pattern" "$TMP/err" || fail "'sear $*' said '$(cat "$TMP/err")', want /$pattern/"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "'sear $*' printed more than one line: $(cat "$TMP/err")"
	echo "ok: sear $* -> $(cat "$TMP/err")"
}

expect_error 127 "^sear: cannot run 'no-such-command-x': command not found$" -- \
	record -q -o "$TMP/a.svg" -- no-such-command-x --flag
[ ! -e "$TMP/a.svg" ] || fail "a failed command left an output file"
printf 'not a program\n' >"$TMP/data.txt"
chmod 644 "$TMP/data.txt"
expect_error 126 "^sear: cannot run '.*/data.txt': permission denied$" -- \
	record -q -o "$TMP/a.svg" -- "$TMP/data.txt"

sleep 0.01 &
dead=$!
wait "$dead"
expect_error 1 "^sear: no process with pid $dead$" -- record -q -p "$dead" -o "$TMP/b.svg"
expect_error 1 "^sear: invalid pid list 'abc'" -- record -p abc
expect_error 1 "^sear: name one target" -- record -o "$TMP/c.svg"
expect_error 1 "^sear: name one target" -- record -p 1 -- true

# A bad output path is reported before anything runs.
expect_error 1 "^sear: cannot write '/nonexistent-dir/x.svg': no such file or directory$" -- \
	record -q -o /nonexistent-dir/x.svg -- touch "$TMP/ran"
[ ! -e "$TMP/ran" ] || fail "the command ran although the output path was bad"
expect_error 1 "^sear: cannot tell the format of '.*x.png'" -- record -q -o "$TMP/x.png" -- true
expect_error 1 "^sear: unknown format 'pdf'" -- record -q --format pdf -o "$TMP/x.svg" -- true

expect_error 1 "^sear: unknown event 'no-such-event'" -- record -e no-such-event -- true
if [ ! -d /sys/bus/event_source/devices/cpu ] && [ ! -d /sys/bus/event_source/devices/cpu_core ]; then
	expect_error 1 "^sear: event 'cycles' needs a hardware PMU.*use -e cpu-clock$" -- \
		record -e cycles -- true
fi
expect_error 1 "^sear: invalid frequency" -- record -F 0 -- true
expect_error 1 "^sear: invalid duration" -- record -d -1 -- true
expect_error 1 "^sear: unsupported --call-graph 'lbr'" -- record --call-graph lbr -- true
expect_error 1 "^sear: 'recrod' is not a sear command" -- recrod

# Unprivileged: the message names the sysctl and the capability.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	status=0
	mkdir -m 777 "$TMP/nobody"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SEAR" record -q -p 1 -d 1 \
		-o "$TMP/nobody/x.svg" 2>"$TMP/err" || status=$?
	[ "$status" = 1 ] || fail "unprivileged attach to pid 1 exited $status"
	grep -q "perf_event_paranoid" "$TMP/err" && grep -q "CAP_PERFMON" "$TMP/err" ||
		fail "unprivileged error does not name perf_event_paranoid and CAP_PERFMON: $(cat "$TMP/err")"
	echo "ok: unprivileged -> $(cat "$TMP/err")"
fi

# Zero samples still give a valid SVG that says so.
"$SEAR" record -F 1 -o "$TMP/empty.svg" -- true 2>"$TMP/err" || fail "zero samples failed"
xmllint --noout "$TMP/empty.svg" || fail "empty SVG is not well-formed"
grep -q '>no samples</text>' "$TMP/empty.svg" || fail "empty SVG does not say 'no samples'"
grep -q "no samples were recorded" "$TMP/err" || fail "no note about zero samples"
pass "zero samples"

# --help lists every flag with an example.
"$SEAR" record --help >"$TMP/help"
for flag in -p -t -a -F -c -e -g --call-graph -d --mmap-pages -o --format --title --width \
	--minwidth --inverted -q -v; do
	grep -q -- " $flag" "$TMP/help" || fail "--help does not list $flag"
done
grep -c '^ *sear record' "$TMP/help" | awk '$1 < 10 { exit 1 }' || fail "--help has too few examples"
pass "--help"
