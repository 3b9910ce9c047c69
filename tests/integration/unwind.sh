# Unwinding: DWARF CFI without frame pointers, and the callers that frame-pointer walks lose.
. "$(dirname "$0")/lib.sh"
need_perf_events

# spin_callers FOLDED: "covered% ratio" for spin samples with caller_a or caller_b above them.
spin_callers() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (s ~ /;spin$/) { t += n; if (s ~ /;caller_a;spin$/) a += n; if (s ~ /;caller_b;spin$/) b += n } }
		END { printf "%.1f %.2f\n", t ? 100 * (a + b) / t : 0, b ? a / b : 0 }' "$1"
}

# Without frame pointers, --call-graph dwarf: the caller of a frameless leaf, 2:1.
"$SEAR" record -q --call-graph dwarf -o "$TMP/dwarf.folded" -- "$WORKLOADS/unwind-nofp" split 2
read -r cover ratio <<<"$(spin_callers "$TMP/dwarf.folded")"
echo "dwarf: spin keeps its caller in $cover%, caller_a:caller_b = $ratio"
within "$cover" 90 100 || fail "dwarf: only $cover% of spin samples show their caller"
within "$ratio" 1.5 2.6 || fail "dwarf: caller_a:caller_b is $ratio, want about 2 (a wrong caller gives 1 or 0)"
within "$(share "$TMP/dwarf.folded" ';main;caller_[ab];spin$')" 90 100 || fail "dwarf: main is not above the callers"
pass "dwarf: callers without frame pointers"

# A 40-deep recursion appears complete.
"$SEAR" record -q --call-graph dwarf -o "$TMP/rec.folded" -- "$WORKLOADS/unwind-nofp" recurse 1
complete=$(awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
	if (s ~ /;spin$/) { t += n; k = gsub(/;recurse/, "", s); if (k >= 40 && s ~ /;main/) c += n } }
	END { printf "%.1f\n", t ? 100 * c / t : 0 }' "$TMP/rec.folded")
echo "dwarf: 40-deep recursion complete in $complete% of its samples"
within "$complete" 90 100 || fail "dwarf: the recursion is complete in only $complete%"
pass "dwarf: deep recursion"

# With frame pointers, fp mode puts the hidden caller back; perf -g does not.
"$SEAR" record -q --call-graph fp -o "$TMP/fp.folded" -- "$WORKLOADS/unwind-fp" split 1.5
read -r cover ratio <<<"$(spin_callers "$TMP/fp.folded")"
echo "fp: spin keeps its caller in $cover%, ratio $ratio"
within "$cover" 90 100 || fail "fp: only $cover% of spin samples keep their caller"
within "$ratio" 1.5 2.6 || fail "fp: caller_a:caller_b is $ratio, want about 2"
"$SEAR" record -q --call-graph fp,noleaf -o "$TMP/noleaf.folded" -- "$WORKLOADS/unwind-fp" split 0.5
read -r cover ratio <<<"$(spin_callers "$TMP/noleaf.folded")"
within "$cover" 0 10 || fail "fp,noleaf should lose the caller as perf -g does, kept $cover%"
if command -v perf >/dev/null; then
	perf record -q -e cpu-clock -g -o "$TMP/perf.data" -- "$WORKLOADS/unwind-fp" split 0.5 2>/dev/null
	perf script -i "$TMP/perf.data" 2>/dev/null | "$SEAR" collapse >"$TMP/perf.folded"
	read -r pcover pratio <<<"$(spin_callers "$TMP/perf.folded")"
	echo "perf -g keeps the caller in $pcover%"
fi
pass "fp: the caller of a frameless leaf is kept"

# perf record --call-graph dwarf files are unwound by sear report too.
if command -v perf >/dev/null; then
	perf record -q -e cpu-clock --call-graph dwarf -o "$TMP/dw.data" -- "$WORKLOADS/unwind-nofp" split 1 2>/dev/null
	"$SEAR" report "$TMP/dw.data" -o "$TMP/dw.folded"
	read -r cover ratio <<<"$(spin_callers "$TMP/dw.folded")"
	within "$cover" 90 100 || fail "report of a dwarf perf.data: $cover% of callers"
	pass "perf --call-graph dwarf data unwound by report ($cover%, $ratio)"
fi

# A tiny stack copy: truncated stacks are counted, reported with a copy that would do,
# and marked where they are cut, not hidden.
"$SEAR" record --call-graph dwarf,256 -o "$TMP/small.folded" -- "$WORKLOADS/unwind-nofp" recurse 0.5 2>"$TMP/small.err"
grep -Eq "stacks \([0-9.]+%\) were deeper than the 256-byte stack copy and end in \[truncated\]: --call-graph dwarf,[0-9]+ copies more" \
	"$TMP/small.err" || fail "no truncation report: $(cat "$TMP/small.err")"
marked=$(share "$TMP/small.folded" '^[^;]+;\[truncated\];')
within "$marked" 90 100 || fail "only $marked% of the cut stacks begin with [truncated]"
# The copy the message names holds the recursion whole.
want=$(grep -Eo 'dwarf,[0-9]+ copies more' "$TMP/small.err" | grep -Eo '[0-9]+')
"$SEAR" record --call-graph "dwarf,$want" -o "$TMP/enough.folded" -- "$WORKLOADS/unwind-nofp" recurse 0.5 2>"$TMP/enough.err"
cut=$(share "$TMP/enough.folded" '\[truncated\]')
within "$cut" 0 5 || fail "dwarf,$want, the size the hint named, still cut $cut% of the stacks"
"$SEAR" record --call-graph dwarf,70000 -o "$TMP/x.folded" -- true 2>"$TMP/err" && fail "70000 accepted"
grep -q "the stack size must be 64 to 65528 bytes" "$TMP/err" || fail "$(cat "$TMP/err")"
pass "truncation reported; size limits"

# C++ without frame pointers in dwarf mode: functions with exception-cleanup code (a
# personality routine and an LSDA in their CIE) are unwound through, and the samples in a
# throw, inside libgcc's unwinder, reach main too.
"$SEAR" record -q --call-graph dwarf -o "$TMP/cxx.folded" -- "$WORKLOADS/cxx-eh-nofp" 1.5
m=$(share "$TMP/cxx.folded" '^cxx-eh-nofp;_start;__libc_start_main;([^;]*;)?main;')
t=$(awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
	if (s ~ /;(__cxa_throw|_Unwind_[A-Za-z_]*)(;|$)/) { t += n; if (s ~ /;main;work::round_trip;work::check;/) c += n } }
	END { printf "%.1f %d\n", t ? 100 * c / t : 0, t }' "$TMP/cxx.folded")
echo "dwarf C++: $m% of stacks reach main; in a throw: $t (% whole, samples)"
within "$m" 90 100 || fail "dwarf C++: only $m% reach main"
within "${t% *}" 90 100 || fail "dwarf C++: samples in a throw whole in only ${t% *}%"
pass "dwarf: C++ with exceptions"

# PLT stubs are named after the function they reach, as perf does, never _init; in both modes.
for mode in dwarf bpf; do
	"$SEAR" record -q --call-graph "$mode" -o "$TMP/plt.folded" -- "$WORKLOADS/plt" 1 2>"$TMP/err" ||
		{ [ "$mode" = bpf ] && grep -q "not permitted" "$TMP/err" && continue; fail "$(cat "$TMP/err")"; }
	p=$(share "$TMP/plt.folded" ';main;step_many;tiny_step@plt$')
	echo "$mode: tiny_step@plt has $p% of the samples"
	within "$p" 1 40 || fail "$mode: the stub tiny_step@plt has $p% of the samples"
	# The frame _init itself; ld.so's __libc_early_init is a real function of its own.
	grep -Eq '(^|;)_init( |;)' "$TMP/plt.folded" &&
		fail "$mode: a stub is named _init: $(grep -E '(^|;)_init( |;)' "$TMP/plt.folded" | head -2)"
done
pass "PLT stubs: name@plt, under their caller"

# Node in dwarf mode: JIT code has no CFI; the walk goes on by frame pointer.
if command -v node >/dev/null; then
	cd "$TMP"
	node --perf-basic-prof "${SOURCE_DIR:?}/tests/workloads/hot.js" 3 &
	pid=$!
	sleep 1
	"$SEAR" record -q --call-graph dwarf -p "$pid" -d 1.5 -o "$TMP/node.folded"
	wait "$pid"
	fib=$(share "$TMP/node.folded" ';JS:[*~^]?fibHot ')
	deep=$(share "$TMP/node.folded" 'node::Start;.*JS:')
	echo "node dwarf: fibHot $fib%, JS under node::Start $deep%"
	within "$fib" 40 90 || fail "node dwarf: fibHot has $fib%"
	within "$deep" 80 100 || fail "node dwarf: only $deep% of JS stacks reach node::Start"
	pass "node in dwarf mode: JS frames, unwound through"
fi
