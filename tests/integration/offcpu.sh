# Off-CPU time (--off-cpu): a C request loop that computes 5 ms and sleeps 5 ms shows both
# halves at 50/50, in ms, with the sleep's stack down to the kernel's wait; the .sear, the
# report and pprof carry the same time; the threshold drops short waits; a Node event loop's
# idle epoll wait shows, and --off-cpu-skip-idle leaves it out.
. "$(dirname "$0")/lib.sh"
need_perf_events

need_bpf

# pct FOLDED WITHIN_RE RE: of the time whose stack matches WITHIN_RE, the share matching RE.
pct() {
	awk -v in_re="$2" -v re="$3" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (s ~ in_re) { t += n; if (s ~ re) c += n } }
		END { printf "%.1f\n", t ? 100 * c / t : 0 }' "$1"
}

# halves LABEL FOLDED: compute_part and sleep_part's wait about 50/50 of handle_request, the
# wait's stack through nanosleep to [off-cpu], and about 2 s of the one thread's time in us.
# Sets c and w to the two shares (not in a subshell: a failure must end the test).
halves() {
	local t
	c=$(pct "$2" ';handle_request' ';compute_part')
	w=$(pct "$2" ';handle_request' ';sleep_part;.*;schedule;\[off-cpu\]$')
	echo "$1: compute_part $c%, sleep_part's wait $w%"
	within "$c" 40 60 || fail "$1: compute_part is $c% of handle_request, want ~50"
	within "$w" 40 60 || fail "$1: sleep_part's wait is $w% of handle_request, want ~50"
	grep -q ';sleep_part;.*nanosleep;.*;do_nanosleep;schedule;\[off-cpu\] ' "$2" ||
		fail "$1: no wait stack from sleep_part through nanosleep to [off-cpu]"
	t=$(samples "$2")
	within "$t" 1800000 2300000 || fail "$1: the folded total is $t us for 2 s of one thread"
}

# The C loop: on-CPU sampling sees only the compute half.
"$SEAR" record -q -o "$TMP/on.folded" -- "$WORKLOADS/offcpu" 1
on=$(pct "$TMP/on.folded" ';handle_request' ';compute_part')
within "$on" 95 100 || fail "without --off-cpu, compute_part is $on% of handle_request, want ~100"
grep -q 'off-cpu' "$TMP/on.folded" && fail "an off-CPU frame without --off-cpu"
pass "on-CPU only: compute_part $on% of handle_request"

# With --off-cpu: both halves, by time, and the sleep's stack through the kernel's wait.
"$SEAR" record -q --off-cpu -o "$TMP/off.folded" -o "$TMP/off.svg" -o "$TMP/off.sear" \
	-o "$TMP/off.pb.gz" -- "$WORKLOADS/offcpu" 2
halves --off-cpu "$TMP/off.folded"
compute=$c sleep=$w
total=$(samples "$TMP/off.folded")
xmllint --noout "$TMP/off.svg" || fail "off-CPU SVG not well-formed"
grep -q 'on- and off-CPU time, in ms' "$TMP/off.svg" || fail "the subtitle does not say the unit"
grep -Eq '<title>sleep_part \([0-9,.]+ ms, [0-9.]+%\)' "$TMP/off.svg" ||
	fail "sleep_part's tooltip is not in ms: $(grep -o '<title>sleep_part[^<]*' "$TMP/off.svg")"
pass "--off-cpu: compute_part $compute%, sleep_part $sleep%, $total us in all, in ms in the SVG"

# The .sear holds the same time: its report folds to the same lines.
"$SEAR" report "$TMP/off.sear" -o "$TMP/report.folded"
cmp <(sort "$TMP/off.folded") <(sort "$TMP/report.folded") ||
	fail "a report of the .sear differs from the recording's folded output"
"$SEAR" report "$TMP/off.sear" -o "$TMP/report.svg"
grep -q 'on- and off-CPU time, in ms' "$TMP/report.svg" || fail "the report's subtitle lost the unit"
pass "the .sear reports the same time"

# pprof: CPU and off-CPU time as two sample types, in ns; the waits add up to the folded
# output's [off-cpu] stacks.
if command -v go >/dev/null; then
	go tool pprof -raw "$TMP/off.pb.gz" >"$TMP/raw" 2>/dev/null
	grep -q '^samples/count cpu/nanoseconds off-cpu/nanoseconds$' "$TMP/raw" ||
		fail "the pprof sample types are not samples, cpu and off-cpu: $(sed -n 2p "$TMP/raw")"
	off_ns=$(awk '/^Samples:/ { on = 1; next } on && /^ *[0-9]+ +[0-9]+ +[0-9]+:/ { t += $3 }
		/^Locations/ { on = 0 } END { printf "%d\n", t }' "$TMP/raw")
	off_us=$(awk '/\[off-cpu\] [0-9]+$/ { t += $NF } END { printf "%d\n", t }' "$TMP/off.folded")
	[ "$off_ns" = "$((off_us * 1000))" ] ||
		fail "pprof's off-cpu time is $off_ns ns, the folded output's $off_us us"
	pass "pprof: off-cpu/nanoseconds, $off_us us as in the folded output"
fi

# The threshold: 10 ms drops the 5 ms sleeps, which are half the time without it. (On a busy
# machine, a sleep now and then ends 5 ms late, and is kept: a share of a point or two.)
"$SEAR" record -q --off-cpu --off-cpu-threshold 10 -o "$TMP/th.folded" -- "$WORKLOADS/offcpu" 1
th=$(pct "$TMP/th.folded" ';handle_request' ';sleep_part;.*\[off-cpu\]$')
within "$th" 0 5 || fail "--off-cpu-threshold 10 kept 5 ms waits: $th% of the time"
pass "--off-cpu-threshold drops shorter waits"

# Attached with -p, the same halves; a diff of two such recordings compares time per second,
# and a diff against a plain recording is refused.
"$WORKLOADS/offcpu" 4 &
target=$!
sleep 0.3
"$SEAR" record -q --off-cpu -p "$target" -d 1 -o "$TMP/p.folded" -o "$TMP/p.sear"
kill "$target" 2>/dev/null || true
wait "$target" 2>/dev/null || true
psleep=$(pct "$TMP/p.folded" ';handle_request' ';sleep_part;.*\[off-cpu\]$')
within "$psleep" 40 60 || fail "-p: sleep_part's wait is $psleep% of handle_request"
"$SEAR" diff "$TMP/p.sear" "$TMP/off.sear" -o "$TMP/diff.svg"
grep -q 'by time per second' "$TMP/diff.svg" || fail "the diff of two timed recordings is not by time"
grep -Eq '<title>sleep_part \(after [0-9,]+ ms' "$TMP/diff.svg" || fail "the diff's tooltips are not in ms"
"$SEAR" record -q -o "$TMP/plain.sear" -- "$WORKLOADS/offcpu" 0.3
"$SEAR" diff "$TMP/plain.sear" "$TMP/off.sear" -o "$TMP/mixed.svg" 2>"$TMP/mixed.err" &&
	fail "a diff of a timed and a counted recording ran"
grep -q 'compare two recordings made the same way' "$TMP/mixed.err" || fail "$(cat "$TMP/mixed.err")"
pass "-p: sleep_part $psleep%; diffs by time per second, in ms; mixed inputs refused"

# Without the in-kernel unwinder (here asked for by --call-graph dwarf, as where BPF is not
# allowed): every context switch is sampled, with its stack copy, and a wait lasts until
# the task's next switch in. The same halves, and the same wait stacks.
"$SEAR" record -q --off-cpu --call-graph dwarf -o "$TMP/dw.folded" -- "$WORKLOADS/offcpu" 2
halves "--off-cpu, dwarf" "$TMP/dw.folded"
dcompute=$c dsleep=$w
"$SEAR" record -q --off-cpu --call-graph dwarf --off-cpu-threshold 10 -o "$TMP/dwth.folded" \
	-- "$WORKLOADS/offcpu" 0.5
th=$(pct "$TMP/dwth.folded" ';handle_request' ';sleep_part;.*\[off-cpu\]$')
within "$th" 0 5 || fail "dwarf: --off-cpu-threshold 10 kept 5 ms waits: $th% of the time"
pass "--off-cpu from context switches: compute_part $dcompute%, sleep_part $dsleep%, threshold"

# The ends of a recording, both ways: a wait still pending when it stops counts up to the
# stop (a command that sleeps 5 s at once, stopped by -d 1: about 1 s; the command is
# watched before its first mapping is known); a process that exits is not waiting, though
# a machine-wide view sees its last switch out after its exit: the request loop, run for
# 0.5 s in a 2 s recording, has 0.5 s of time, on- and off-CPU, no more.
for mode in "" "--call-graph dwarf"; do
	"$SEAR" record -q --off-cpu $mode -d 1 -o "$TMP/end.folded" -- sleep 5
	t=$(samples "$TMP/end.folded")
	within "$t" 900000 1100000 || fail "${mode:-default}: a wait pending at the stop counted $t us, want ~1 s"
	grep -q ';do_nanosleep;schedule;\[off-cpu\] ' "$TMP/end.folded" ||
		fail "${mode:-default}: the pending wait lost its stack: $(cat "$TMP/end.folded")"
	# The loop starts once the recording runs: the .sear output takes its name then (a
	# sanitized sear can take longer than a fixed delay to start).
	rm -f "$TMP/gone.sear"
	(for _ in $(seq 250); do [ -e "$TMP/gone.sear" ] && break; sleep 0.02; done
	 sleep 0.1; "$WORKLOADS/offcpu" 0.5) &
	"$SEAR" record -q -a --off-cpu $mode -d 2 -o "$TMP/gone.folded" -o "$TMP/gone.sear"
	wait
	t=$(grep '^offcpu;' "$TMP/gone.folded" | samples /dev/stdin)
	within "$t" 400000 650000 || fail "${mode:-default}: -a counted $t us of a request loop that ran 0.5 s and exited"
done
pass "a wait pending at the stop counts up to it; an exited process waits no more"

# Children that block from their first instant (fork, no exec, sleep 300 ms): each wait is
# whole, with the stack from main, though user space hears of the child only later; with
# BPF, the kernel follows the fork. Three runs each way.
for mode in "" "--call-graph dwarf"; do
	for run in 1 2 3; do
		"$SEAR" record -q --off-cpu $mode -o "$TMP/kids.folded" -- "$WORKLOADS/offcpu" --forks 4
		t=$(grep ';main;spawn_children;child_wait;.*\[off-cpu\] ' "$TMP/kids.folded" |
			samples /dev/stdin)
		within "$t" 1150000 1300000 ||
			fail "${mode:-default}: 4 children blocked 300 ms each, counted $t us: $(cat "$TMP/kids.folded")"
	done
done
pass "children that block at once: 4 x 300 ms, whole stacks"

# Node: the main thread computes 5 ms and awaits a 5 ms timer. Its wait is libuv's epoll.
command -v node >/dev/null || exit 0
js="$SOURCE_DIR/tests/workloads/timer.js"
"$SEAR" record -q --off-cpu -o "$TMP/node.folded" -- node --perf-basic-prof "$js" 2 >/dev/null
main='node::Start'
idle=$(pct "$TMP/node.folded" "$main" 'uv__io_poll;.*\[off-cpu\]$')
js_share=$(pct "$TMP/node.folded" "$main" 'computeWork')
echo "node main thread: waiting in uv__io_poll $idle%, computeWork $js_share%"
within "$idle" 30 70 || fail "the event loop's wait is $idle% of the main thread, want ~50"
within "$js_share" 25 65 || fail "computeWork is $js_share% of the main thread, want ~45"
"$SEAR" record -q --off-cpu --off-cpu-skip-idle -o "$TMP/busy.folded" -- node --perf-basic-prof "$js" 2 >/dev/null
busy=$(pct "$TMP/busy.folded" "$main" 'uv__io_poll;.*\[off-cpu\]$')
[ "$busy" = 0.0 ] || fail "--off-cpu-skip-idle kept $busy% of waits in the event loop's epoll"
within "$(pct "$TMP/busy.folded" "$main" 'computeWork')" 70 100 ||
	fail "without its idle waits, computeWork is not most of the main thread"
pass "node: the event loop's idle wait $idle%, gone with --off-cpu-skip-idle"
