# Every stop writes a complete output: SIGINT, SIGTERM, every other terminating signal at
# any moment (start-up included), -d, and the target's exit; and the exit statuses.
. "$(dirname "$0")/lib.sh"
need_perf_events

# SIGINT while profiling a command: the output is written and the command is stopped.
"$SEAR" record -q -o "$TMP/int.svg" -- "$WORKLOADS/spinner" 30 &
sear=$!
sleep 1.5
kill -INT "$sear"
status=0
wait "$sear" || status=$?
[ "$status" = 0 ] || fail "sear exited $status after SIGINT"
xmllint --noout "$TMP/int.svg" || fail "SVG after SIGINT is not well-formed"
grep -q '<title>attach_target_spin ' "$TMP/int.svg" || fail "SVG after SIGINT lacks the workload"
pgrep -f "$WORKLOADS/spinner 30" >/dev/null && fail "the command was left running"
pass "SIGINT"

# SIGTERM while attached: output written, target untouched.
"$WORKLOADS/spinner" 10 &
target=$!
sleep 0.2
"$SEAR" record -q -p "$target" -o "$TMP/term.folded" &
sear=$!
sleep 1
kill -TERM "$sear"
wait "$sear" || fail "sear failed after SIGTERM"
within "$(samples "$TMP/term.folded")" 300 100000 || fail "too few samples after SIGTERM"
kill -0 "$target" || fail "the attached target was killed"
kill "$target"
pass "SIGTERM"

# Every terminating signal at a random moment: a complete SVG, or (before sear could catch
# anything) the old file untouched; the command stopped; no temporary file left.
cd "$TMP"

runs=${SIGNAL_RUNS:-50}
for sig in INT TERM HUP QUIT USR1; do
	bad=0
	for i in $(seq "$runs"); do
		printf 'old\n' >s.svg
		"$SEAR" record -q -o s.svg -- "$WORKLOADS/spinner" 5 2>err &
		pid=$!
		# Anywhere from sear's first instructions to well into the recording.
		sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", (r % 100) / 1000 }')"
		kill -"$sig" "$pid" 2>/dev/null || true
		status=0
		wait "$pid" || status=$?
		if [ "$(cat s.svg)" != old ]; then
			xmllint --noout s.svg 2>/dev/null || fail "SIG$sig run $i: a broken SVG (exit $status)"
		fi
		[ "$status" = 0 ] || [ "$(cat s.svg)" = old ] ||
			fail "SIG$sig run $i: exit $status but the output changed"
		sleep 0.05
		if pgrep -f "$WORKLOADS/spinner 5" >/dev/null; then
			pkill -f "$WORKLOADS/spinner 5" || true
			fail "SIG$sig run $i: the command was left running"
		fi
		[ -z "$(find . -name '.*.sear-*')" ] || fail "SIG$sig run $i: a temporary file was left"
		[ "$status" = 0 ] || bad=$((bad + 1))
	done
	pass "SIG$sig at random moments: $runs runs, $((runs - bad)) complete outputs, the rest killed before start-up and the old file kept"
done

# A closed pipe on -o - ends the recording quietly: the reader is gone before the write.
status=0
"$SEAR" record -q -o - -- "$WORKLOADS/spinner" 0.5 2>err | true || status=$?
[ -s err ] && fail "a closed pipe made noise: $(cat err)"
[ "$status" -le 1 ] || fail "a closed pipe gave exit $status (a signal death?)"
pass "a closed stdout pipe ends quietly"

# The command's own status, as perf gives it, and a signal death named.
status=0
"$SEAR" record -q -o st.folded -- sh -c 'exit 7' || status=$?
[ "$status" = 7 ] || fail "'exit 7' gave $status"
status=0
"$SEAR" record -q -o st.folded -- sh -c 'kill -SEGV $$' 2>err || status=$?
[ "$status" = 139 ] || fail "a SIGSEGV death gave $status"
grep -q "killed by signal 11 (SIGSEGV)" err || fail "the signal death was not named: $(cat err)"
status=0
"$SEAR" record -q -d 0.3 -o st.folded -- "$WORKLOADS/spinner" 5 || status=$?
[ "$status" = 0 ] || fail "a command sear stopped after -d gave $status"
pass "exit statuses: 7, 139 with its signal named, 0 when sear stops the command"

# A kernel thread, and a period that would crawl.
"$SEAR" record -d 0.2 -p 2 -o k.svg 2>err || true
grep -q "pid 2 is a kernel thread" err || fail "-p 2: $(cat err)"
"$SEAR" record -q -c 1 -e cpu-clock -o c.svg -- true 2>err || true
grep -q "asks for 1000000000 samples per second per CPU" err || fail "-c 1: $(cat err)"
pass "-p 2 names a kernel thread; -c 1 on cpu-clock warns"
