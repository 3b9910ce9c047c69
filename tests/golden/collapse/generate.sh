#!/usr/bin/env bash
# Regenerates the compatibility corpus of 'sear collapse': 'perf script' text
# recorded here with the installed perf (inputs/), and what FlameGraph's
# stackcollapse-perf.pl prints for each input and option set (expected/),
# made by running that script. cases.txt lists the pairs.
#
#   FLAMEGRAPH_DIR=../shared/reference/FlameGraph tests/golden/collapse/generate.sh [BUILD]
#
# Needs root (or perf_event_paranoid <= 1), perf, node, and a built tree
# (BUILD, default build/). inputs/handmade*.txt are written by hand and kept.
# Then review 'git diff' and commit. The inputs hold
# this machine's paths and symbols; the --inline cases name a copy of the
# inline workload kept here (bin/), so that addr2line finds it anywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
: "${FLAMEGRAPH_DIR:?set FLAMEGRAPH_DIR to the FlameGraph scripts}"
collapse="$FLAMEGRAPH_DIR/stackcollapse-perf.pl"
[ -x "$collapse" ] || { echo "no $collapse" >&2; exit 1; }
tmp=$(mktemp -d /tmp/sear-corpus.XXXXXX)
maps_before=$(ls /tmp/perf-*.map 2>/dev/null || true)
cleanup() {
	rm -rf "$tmp"
	# the perf maps that the JIT workloads wrote
	for m in /tmp/perf-*.map; do
		[ -e "$m" ] && ! grep -qxF "$m" <<<"$maps_before" && rm -f "$m"
	done
	return 0
}
trap cleanup EXIT
cd "$tmp"

rec() { perf record -q -e cpu-clock "$@" 2>/dev/null; }
# first N samples of perf script text (a sample ends at an empty line)
# (reading to the end: an early exit would kill the writer with SIGPIPE)
trim() { awk -v n="$1" 's < n { print } /^$/ { s++ }'; }
lines() { awk -v n="$1" 'NR <= n'; }
out="$here/inputs"
# inputs/handmade*.txt are written by hand, not recorded: they stay.
mkdir -p "$out" "$here/expected" "$here/bin"
find "$out" -name '*.txt' ! -name 'handmade*.txt' -delete
rm -f "$here/expected"/*.folded

# The names workload: named threads, vDSO, kernel, JIT code with a perf map.
rec -F 499 -g -o names.data -- "$build/tests/names" 0.4
rec -c 2000000 -g -o names-c.data -- "$build/tests/names" 0.4
ps() { perf script -i "$1" "${@:2}" >"$tmp/ps.out" 2>/dev/null || { echo "perf script -i $* failed" >&2; return 1; }; cat "$tmp/ps.out"; }
ps names.data | trim 150 >"$out/names-F.txt"
ps names-c.data | trim 150 >"$out/names-c.txt"
ps names.data -F comm,tid,time,event,ip,sym,dso | trim 150 >"$out/names-noperiod.txt"
ps names.data -F comm,pid,tid,time,event,ip,sym,dso,trace | trim 150 >"$out/names-pidtid.txt"
ps names.data -F comm,pid,tid,time,period,event,ip,sym,symoff,dso --ns | trim 150 >"$out/names-symoff-ns.txt"
ps names.data -F comm,tid,ip,sym | trim 150 >"$out/names-comm-tid-ip-sym.txt"
ps names.data -F ip,sym | trim 150 >"$out/names-ip-sym.txt"
ps names.data -F +srcline | trim 100 >"$out/names-srcline.txt"
ps names.data --header | trim 150 >"$out/names-header.txt"
ps names.data --show-task-events --show-mmap-events | trim 150 >"$out/names-task-mmap-events.txt"
ps names.data -G | lines 150 >"$out/names-no-callchain.txt"
rec -F 499 -o names-flat.data -- "$build/tests/names" 0.2
ps names-flat.data | lines 150 >"$out/names-no-g.txt"

# Several events in one file, with and without the event name's padding.
perf record -q -e cpu-clock -e task-clock -F 499 -g -o events.data -- "$build/tests/two_threads" 0.3 2>/dev/null
ps events.data | trim 200 >"$out/events.txt"

# The whole machine: idle (swapper), kworkers, every process's kernel stacks.
"$build/tests/names" 0.6 &
sleep 0.1
rec -a -F 99 -g -o system.data -- sleep 0.3
wait
ps system.data | trim 150 >"$out/system.txt"

# Node's JIT, named through its perf map.
if command -v node >/dev/null; then
	rec -F 999 -g -o node.data -- node --perf-basic-prof "$root/tests/workloads/hot.js" 0.5
	# past the start-up, into the JIT code
	ps node.data | awk 's >= 300 { print } /^$/ { s++ }' | trim 40 >"$out/node.txt"
fi

# A binary deleted while it runs: perf names its module "/path (deleted)".
mkdir -p "$tmp/gone"
cp "$build/tests/two_threads" "$tmp/gone/app"
"$tmp/gone/app" 1 &
app=$!
sleep 0.1
rm "$tmp/gone/app"
rec -F 499 -g -p "$app" -o deleted.data -- sleep 0.3
wait "$app"
ps deleted.data | trim 100 >"$out/deleted.txt"

# DWARF unwinding, C++ names, and a kernel-heavy process.
rec -F 499 --call-graph dwarf -o dwarf.data -- "$build/tests/unwind-nofp" split 0.3
ps dwarf.data | trim 100 >"$out/dwarf.txt"
if [ -x "$build/tests/cxx" ]; then
	rec -F 499 -g -o cxx.data -- "$build/tests/cxx" 0.3
	ps cxx.data | trim 100 >"$out/cxx.txt"
fi
rec -F 499 -g -o dd.data -- dd if=/dev/zero of=/dev/null bs=64k count=200000
ps dd.data | trim 100 >"$out/kernel-dd.txt"

# --inline asks addr2line about the binaries: a copy of the workload lives here,
# named by a path relative to the repository's root; the C library is named by
# a path that does not exist, so that the answer is the same on every machine.
cp "$build/tests/inline" "$here/bin/inline"
rec -F 499 -g -o inline.data -- "$here/bin/inline" 0.3
ps inline.data | trim 60 | sed "s|($here/bin/inline)|(tests/golden/collapse/bin/inline)|; s|(/usr/lib/[^)]*)|(/nonexistent/lib.so)|" >"$out/inline.txt"
ps inline.data --inline | trim 60 | sed "s|($here/bin/inline)|(tests/golden/collapse/bin/inline)|; s|(/usr/lib/[^)]*)|(/nonexistent/lib.so)|" >"$out/inline-perf.txt"

# The cases: every input with the usual options, and the options that need their input.
common=("" "--pid" "--tid" "--kernel" "--jit" "--all" "--addrs" "--tid --all --addrs")
: >"$here/cases.txt"
name_of() { local o=${1:-default}; o=${o//--/}; o=${o// /_}; echo "${o//=/-}"; }
for f in "$out"/*.txt; do
	base=$(basename "$f" .txt)
	opts=("${common[@]}")
	case $base in
	events) opts+=("--event-filter=task-clock" "--event-filter=cpu-clock") ;;
	names-srcline) opts=("--srcline" "--srcline --all" "--srcline --tid --addrs") ;;
	inline*) opts+=("--inline" "--inline --context" "--inline --tid --all") ;;
	esac
	for o in "${opts[@]}"; do
		n=$(name_of "$o")
		# shellcheck disable=SC2086
		(cd "$root" && "$collapse" $o "tests/golden/collapse/inputs/$base.txt") \
			>"$here/expected/$base.$n.folded" 2>/dev/null
		echo "$base.txt|$n|$o" >>"$here/cases.txt"
	done
done
echo "$(wc -l <"$here/cases.txt") cases from $(ls "$out" | wc -l) inputs, $(du -sh "$out" | cut -f1) of input"
