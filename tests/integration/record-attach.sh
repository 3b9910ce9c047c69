# -p attaches to a running process: its threads, including one created after attach.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$WORKLOADS/spinner" 4 &
pid=$!
sleep 0.3
start=$(date +%s.%N)
"$SEAR" record -q -p "$pid" -d 2.5 -o "$TMP/attach.folded"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
main=$(share "$TMP/attach.folded" ';attach_target_spin')
late=$(share "$TMP/attach.folded" ';late_thread_spin')
echo "main=$main% late=$late% took=${took}s"
within "$main" 30 80 || fail "attach_target_spin has $main%"
# The late thread starts 0.7 s into the recording and runs on the other core.
within "$late" 20 70 || fail "the thread created after attach has $late%"
within "$took" 2.4 3.5 || fail "-d 2.5 took ${took}s"
grep -q '^spinner;' "$TMP/attach.folded" || fail "root frame is not the process name"
kill -0 "$pid" 2>/dev/null || fail "the target died: sear must leave it running"
wait "$pid"
pass "-p with -d"

# Without -d, recording stops when the target exits.
"$WORKLOADS/spinner" 1.5 &
pid=$!
sleep 0.2
timeout 10 "$SEAR" record -q -p "$pid" -o "$TMP/exit.folded" || fail "sear did not stop when the target exited"
within "$(samples "$TMP/exit.folded")" 500 100000 || fail "too few samples after attach"
pass "-p stops when the target exits"

# -t follows one thread only.
"$WORKLOADS/spinner" 3 &
pid=$!
sleep 0.2
"$SEAR" record -q -t "$pid" -d 1.5 -o "$TMP/tid.folded"
late=$(share "$TMP/tid.folded" ';late_thread_spin')
within "$late" 0 0 || fail "-t $pid also sampled another thread ($late%)"
within "$(share "$TMP/tid.folded" ';attach_target_spin')" 90 100 || fail "-t missed its thread"
wait "$pid"
pass "-t samples one thread"
