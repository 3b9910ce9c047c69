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

# 1. Size: both profilers attached to the same process for the same 4 seconds.
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

# 2. Reading perf.data: one large file of a Node workload (JIT frames, deep recursion,
#    a 100 MB binary), read by both: perf script alone (before any stackcollapse step)
#    against sear report to an SVG. Seconds and peak RSS (GNU time's %M), alternating.
secs=${BENCH_SECONDS:-20}
if command -v node >/dev/null; then
	# In the temporary folder: node leaves its isolate log where it runs; and its perf map
	# goes with the rest at the end.
	touch "$tmp/stamp"
	(cd "$tmp" && perf record -q -e cpu-clock -F 9999 -g -o "$tmp/big.data" -- \
		node --perf-basic-prof "$OLDPWD/tests/workloads/hot.js" "$secs" >/dev/null 2>&1)
else
	perf record -q -e cpu-clock -F 4000 -g -o "$tmp/big.data" -- "$demo" 10 2>/dev/null
fi
timed() { /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
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

# 3. Collapsing perf script text: the perf script output of the same Node recording, read by
#    'sear collapse' (all CPUs) and stackcollapse-perf.pl, alternating, on the same file;
#    wall-clock and CPU-time medians, and whether the outputs are the same bytes.
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

# 4. Unwinding: one perf record --call-graph dwarf file, unwound by perf script and by
#    sear report.
wn=build/tests/unwind-nofp
wf=build/tests/unwind-fp
if [ -x "$wn" ]; then
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

	# 5. What profiling costs the target: rounds of work done in 3 s, against none.
	rounds() { "$@" 2>/dev/null | tail -1; }
	for i in $(seq "$runs"); do
		rounds "$wn" split 3 count >>"$tmp/base-nofp"
		rounds "$sear" record -q --call-graph dwarf -o "$tmp/o.sear" -- "$wn" split 3 count >>"$tmp/sear-dwarf"

		rounds "$wf" split 3 count >>"$tmp/base-fp"
		rounds "$sear" record -q -o "$tmp/o.sear" -- "$wf" split 3 count >>"$tmp/sear-fp"
		rounds "$sear" record -q --call-graph fp,noleaf -o "$tmp/o.sear" -- "$wf" split 3 count >>"$tmp/sear-noleaf"

	done
	lost() { awk -v b="$(median <"$tmp/$1")" -v x="$(median <"$tmp/$2")" 'BEGIN { printf "%.1f%%", 100 * (b - x) / b }'; }
	echo "overhead: work lost by the target at 999 Hz (perf at 4000 Hz by default: -F 999 below)"
	: >"$tmp/perf-dwarf999"
	: >"$tmp/perf-fp999"
	for i in $(seq "$runs"); do
		rounds perf record -q -e cpu-clock -F 999 --call-graph dwarf -o "$tmp/o.data" -- "$wn" split 3 count >>"$tmp/perf-dwarf999"
		rounds perf record -q -e cpu-clock -F 999 -g -o "$tmp/o.data" -- "$wf" split 3 count >>"$tmp/perf-fp999"
	done
	echo "          dwarf: sear $(lost base-nofp sear-dwarf), perf --call-graph dwarf $(lost base-nofp perf-dwarf999)"
	echo "          fp:    sear (leaf callers on) $(lost base-fp sear-fp), sear fp,noleaf $(lost base-fp sear-noleaf), perf -g $(lost base-fp perf-fp999)"
fi
