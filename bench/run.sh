#!/usr/bin/env bash
# sear against perf on the same input, in one run. Prints medians and ratios; no
# thresholds: the machines are shared and noisy, so read the ratios, not the seconds.
#
#   bench/run.sh [RUNS]        (default 5; needs a built tree: tools/setup.sh)
#
# - size:     the .sear of a recording vs the perf.data of the same run (both attached
#             to one workload at once, same event and rate)
# - report:   a Node perf.data (9999 Hz for BENCH_SECONDS, default 20) to an SVG: 'sear
#             report' vs 'perf script' alone (perf's own text, before any stackcollapse
#             step), in seconds and peak RSS
# - collapse: 'sear collapse' on that recording's perf script text (375 MB at the default
#             20 s) vs stackcollapse-perf.pl on the same file, alternating, when the script
#             is found in $FLAMEGRAPH_DIR or on PATH; and whether the outputs are identical
# - unwind:   a perf record --call-graph dwarf file unwound by perf script and sear report
# - overhead: the work a running target loses to each profiler attached to it, and the
#             profiler's own CPU time, at 999 and 9999 Hz (perf without call graphs, -g,
#             --call-graph dwarf; sear's default, fp and dwarf modes)
#
# BENCH_PARTS picks parts by name (default: "size report collapse unwind overhead").
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sear=build/sear
demo=build/demo
[ -x "$sear" ] && [ -x "$demo" ] || { echo "build first: tools/setup.sh" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is needed as the reference" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time, Debian package time) measures peak memory: apt-get install time" >&2; exit 1; }
tmp=$(mktemp -d /tmp/sear-bench.XXXXXX)
trap 'find /tmp -maxdepth 1 -name "perf-*.map" -newer "$tmp/stamp" -delete 2>/dev/null; rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", e - s }'; }

echo "sear bench: $runs runs each, medians; $(nproc) CPUs, $(uname -r)"
parts=" ${BENCH_PARTS:-size report collapse unwind overhead} "
part() { [[ $parts == *" $1 "* ]]; }

# 1. Size: both profilers attached to the same process for the same 4 seconds.
if part size; then
for i in $(seq "$runs"); do
	"$demo" 7 &
	pid=$!
	sleep 0.5
	perf record -q -e cpu-clock -F 999 -g -p "$pid" -o "$tmp/run.data" -- sleep 4 2>/dev/null &
	perfpid=$!
	"$sear" record -q -e cpu-clock -F 999 -p "$pid" -d 4 -o "$tmp/run.sear"
	wait "$perfpid" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "$(stat -c %s "$tmp/run.data") $(stat -c %s "$tmp/run.sear")" >>"$tmp/sizes"
done
pd=$(awk '{ print $1 }' "$tmp/sizes" | median)
sr=$(awk '{ print $2 }' "$tmp/sizes" | median)
echo "size:     perf.data $pd B, .sear $sr B: .sear is $(awk -v a="$pd" -v b="$sr" 'BEGIN { printf "%.1f", a / b }')x smaller"
fi

# 2. Reading perf.data: one large file of a Node workload (JIT frames, deep recursion,
#    a 100 MB binary), read by both: perf script alone (before any stackcollapse step)
#    against sear report to an SVG. Seconds and peak RSS (GNU time's %M), alternating.
secs=${BENCH_SECONDS:-20}
if part report || part collapse; then
if command -v node >/dev/null; then
	# In the temporary folder: node leaves its isolate log where it runs; and its perf map
	# goes with the rest at the end.
	touch "$tmp/stamp"
	(cd "$tmp" && perf record -q -e cpu-clock -F 9999 -g -o "$tmp/big.data" -- \
		node --perf-basic-prof "$OLDPWD/tests/workloads/hot.js" "$secs" >/dev/null 2>&1)
else
	perf record -q -e cpu-clock -F 4000 -g -o "$tmp/big.data" -- "$demo" 10 2>/dev/null
fi
fi
# timed CMD...: its seconds (to the millisecond: GNU time's %e has only hundredths, a tenth
# of sear's time here) and its peak RSS in KiB.
timed() {
	local s e
	s=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$tmp/t" "$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" -v m="$(cat "$tmp/t")" 'BEGIN { printf "%.3f %s\n", e - s, m }'
}
if part report; then
for i in $(seq "$runs"); do
	timed perf script -i "$tmp/big.data" >>"$tmp/perfscript"
	timed "$sear" report "$tmp/big.data" -o "$tmp/big.svg" >>"$tmp/searreport"
done
ps=$(awk '{ print $1 }' "$tmp/perfscript" | median)
sp=$(awk '{ print $1 }' "$tmp/searreport" | median)
pm=$(awk '{ print $2 }' "$tmp/perfscript" | median)
sm=$(awk '{ print $2 }' "$tmp/searreport" | median)
nsamp=$("$sear" report "$tmp/big.data" -o - 2>/dev/null | awk '{ s += $NF } END { print s + 0 }')
echo "report:   $nsamp samples, $(($(stat -c %s "$tmp/big.data") / 1048576)) MiB of perf.data: perf script ${ps}s ${pm} KiB, sear report to SVG ${sp}s ${sm} KiB"
echo "          sear is $(awk -v a="$ps" -v b="$sp" 'BEGIN { printf "%.1f", a / b }')x faster, in $(awk -v a="$sm" -v b="$pm" 'BEGIN { printf "%.0f", 100 * a / b }')% of perf script's peak memory"
fi

# 3. Collapsing perf script text: the perf script output of the same Node recording, read by
#    'sear collapse' (all CPUs) and stackcollapse-perf.pl, alternating, on the same file;
#    wall-clock and CPU-time medians, and whether the outputs are the same bytes.
if part collapse; then
perf script -i "$tmp/big.data" >"$tmp/big.txt" 2>/dev/null
mb=$(awk -v b="$(stat -c %s "$tmp/big.txt")" 'BEGIN { printf "%.0f", b / 1048576 }')
pl=""
for d in "${FLAMEGRAPH_DIR:-}" $(dirname "$(command -v stackcollapse-perf.pl 2>/dev/null || echo /nonexistent/x)"); do
	[ -n "$d" ] && [ -x "$d/stackcollapse-perf.pl" ] && pl="$d/stackcollapse-perf.pl" && break
done
# wallcpu CMD...: "WALL CPU" seconds (CPU: user + system)
wallcpu() { /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >/dev/null 2>&1; awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$tmp/t"; }
for i in $(seq "$runs"); do
	wallcpu "$sear" collapse "$tmp/big.txt" >>"$tmp/searcollapse"
	[ -n "$pl" ] && wallcpu "$pl" "$tmp/big.txt" >>"$tmp/perlcollapse"
done
sc=$(awk '{ print $1 }' "$tmp/searcollapse" | median)
scc=$(awk '{ print $2 }' "$tmp/searcollapse" | median)
if [ -n "$pl" ]; then
	pc=$(awk '{ print $1 }' "$tmp/perlcollapse" | median)
	pcc=$(awk '{ print $2 }' "$tmp/perlcollapse" | median)
	"$pl" "$tmp/big.txt" >"$tmp/perl.folded" 2>/dev/null
	"$sear" collapse "$tmp/big.txt" >"$tmp/sear.folded" 2>/dev/null
	same=$(cmp -s "$tmp/perl.folded" "$tmp/sear.folded" && echo identical || echo DIFFERENT)
	echo "collapse: ${mb} MiB of perf script ($(grep -c '^$' "$tmp/big.txt") samples): stackcollapse-perf.pl ${pc}s (${pcc}s CPU), sear collapse ${sc}s (${scc}s CPU)"
	echo "          sear is $(awk -v a="$pc" -v b="$sc" 'BEGIN { printf "%.1f", a / b }')x faster ($(awk -v a="$pcc" -v b="$scc" 'BEGIN { printf "%.1f", a / b }')x in CPU time); outputs $same"
else
	echo "collapse: ${mb} MiB of perf script in ${sc}s ($(awk -v m="$mb" -v s="$sc" 'BEGIN { printf "%.0f", m / s }') MiB/s); stackcollapse-perf.pl not found (set FLAMEGRAPH_DIR) for the ratio"
fi
fi

# 4. Unwinding: one perf record --call-graph dwarf file, unwound by perf script and by
#    sear report.
wn=build/tests/unwind-nofp
wf=build/tests/unwind-fp
if [ -x "$wn" ] && part unwind; then
	perf record -q -e cpu-clock -F 4000 --call-graph dwarf -o "$tmp/dwarf.data" -- "$wn" split 5 2>/dev/null
	nsamp=$(perf script -i "$tmp/dwarf.data" -F ip 2>/dev/null | grep -c . || true)
	for i in $(seq "$runs"); do
		seconds perf script -i "$tmp/dwarf.data" >>"$tmp/perfdwarf"
		seconds "$sear" report "$tmp/dwarf.data" -o "$tmp/dwarf.folded" >>"$tmp/seardwarf"
	done
	pdw=$(median <"$tmp/perfdwarf")
	sdw=$(median <"$tmp/seardwarf")
	samples=$(awk '{ s += $NF } END { print s + 0 }' "$tmp/dwarf.folded")
	echo "unwind:   $samples dwarf samples: perf script ${pdw}s ($(awk -v n="$samples" -v s="$pdw" 'BEGIN { printf "%.0f", n / s }')/s), sear report ${sdw}s ($(awk -v n="$samples" -v s="$sdw" 'BEGIN { printf "%.0f", n / s }')/s): sear is $(awk -v a="$pdw" -v b="$sdw" 'BEGIN { printf "%.1f", a / b }')x faster"

fi

# 5. What profiling costs: a running target (unwind-fp, 4 s of work) is attached to for 3 s
#    by each profiler in turn, alternating, at 999 and 9999 Hz. "lost" is the work the
#    target did not do against an unprofiled run (medians); "cpu" is the profiler's own CPU
#    time (user + system, medians). perf record without -g is the floor: the sampling
#    interrupt itself. Both builds of the workload do the same work; perf -g and sear fp get
#    the frame-pointer build, which they need, the CFI modes the build without.
#    About 8 x 2 x RUNS x 4.5 s.
if [ -x "$wn" ] && part overhead; then
	# attach BIN FILE PROFILER...: runs BIN for 4 s, attaches PROFILER (with PID for the pid)
	# after 0.5 s; appends the rounds BIN did to FILE and the profiler's CPU to FILE.cpu.
	attach() {
		local bin=$1 out=$2 pid
		shift 2
		"$bin" split 4 count >"$tmp/rounds" 2>/dev/null &
		pid=$!
		sleep 0.5
		if [ $# -gt 0 ]; then
			/usr/bin/time -f '%U %S' -o "$tmp/cpu" "${@//PID/$pid}" >/dev/null 2>&1 || true
			awk '{ printf "%.3f\n", $1 + $2 }' "$tmp/cpu" >>"$out.cpu"
		fi
		wait "$pid"
		tail -1 "$tmp/rounds" >>"$out"
	}
	echo "overhead: attached for 3 s to a 4 s target; work lost by the target, and the profiler's CPU seconds"
	printf '          %-34s %9s %9s\n' mode "999 Hz" "9999 Hz"
	modes="none perf-nocg perf-g perf-dwarf sear-auto sear-fp sear-dwarf"
	for f in 999 9999; do
		for i in $(seq "$runs"); do
			attach "$wf" "$tmp/ov-$f-none"
			attach "$wn" "$tmp/ov-$f-none-nofp"
			attach "$wf" "$tmp/ov-$f-perf-nocg" perf record -q -e cpu-clock -F "$f" -p PID -o "$tmp/o.data" -- sleep 3
			attach "$wf" "$tmp/ov-$f-perf-g" perf record -q -e cpu-clock -F "$f" -g -p PID -o "$tmp/o.data" -- sleep 3
			attach "$wn" "$tmp/ov-$f-perf-dwarf" perf record -q -e cpu-clock -F "$f" --call-graph dwarf -p PID -o "$tmp/o.data" -- sleep 3
			attach "$wn" "$tmp/ov-$f-sear-auto" "$sear" record -q -F "$f" -p PID -d 3 -o "$tmp/o.sear"
			attach "$wf" "$tmp/ov-$f-sear-fp" "$sear" record -q -F "$f" --call-graph fp -p PID -d 3 -o "$tmp/o.sear"
			attach "$wn" "$tmp/ov-$f-sear-dwarf" "$sear" record -q -F "$f" --call-graph dwarf -p PID -d 3 -o "$tmp/o.sear"
		done
	done
	# lost F MODE: the share of work lost against the unprofiled run of the same build
	lost() {
		local base=none
		case $2 in perf-dwarf | sear-auto | sear-dwarf) base=none-nofp ;; esac
		awk -v b="$(median <"$tmp/ov-$1-$base")" -v x="$(median <"$tmp/ov-$1-$2")" \
			'BEGIN { printf "%.1f%%", 100 * (b - x) / b }'
	}
	cpu() { printf '%ss' "$(median <"$tmp/ov-$1-$2.cpu")"; }
	for m in perf-nocg perf-g perf-dwarf sear-auto sear-fp sear-dwarf; do
		case $m in
		perf-nocg) name="perf record (no call graph: floor)" ;;
		perf-g) name="perf record -g" ;;
		perf-dwarf) name="perf record --call-graph dwarf" ;;
		sear-auto) name="sear record (default: bpf)" ;;
		sear-fp) name="sear record --call-graph fp" ;;
		sear-dwarf) name="sear record --call-graph dwarf" ;;
		esac
		printf '          %-34s %9s %9s   cpu %s %s\n' "$name" "$(lost 999 $m)" "$(lost 9999 $m)" "$(cpu 999 $m)" "$(cpu 9999 $m)"
	done
fi
