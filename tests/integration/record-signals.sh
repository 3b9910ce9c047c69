# Every stop writes a complete output: SIGINT, SIGTERM, -d, and the target's exit.
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
