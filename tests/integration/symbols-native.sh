# Native names: inline frames, source lines, C++ demangling, a deleted binary.
. "$(dirname "$0")/lib.sh"
need_perf_events

# An always-inlined hot function: its own frame with --inline, folded into its caller without.
"$SEAR" record -q --inline -o "$TMP/inline.folded" -- "$WORKLOADS/inline" 1
s=$(share "$TMP/inline.folded" ';hot_outer;inlined_mix$')
within "$s" 90 100 || fail "--inline: hot_outer;inlined_mix in $s% of samples"
"$SEAR" record -q -o "$TMP/plain.folded" -- "$WORKLOADS/inline" 0.5
within "$(share "$TMP/plain.folded" ';hot_outer$')" 90 100 || fail "without --inline the leaf is not hot_outer"
grep -q inlined_mix "$TMP/plain.folded" && fail "inlined_mix shows without --inline"
"$SEAR" record -q --inline --srcline -o "$TMP/lines.folded" -- "$WORKLOADS/inline" 0.5
s=$(share "$TMP/lines.folded" ';hot_outer inline\.c:[0-9]+;inlined_mix inline\.c:1[56]$')
within "$s" 80 100 || fail "--srcline: file:line missing ($s%): $(head -2 "$TMP/lines.folded")"
pass "inline frames and source lines"

# C++: demangled, without parameter lists unless --full-names.
if [ -x "$WORKLOADS/cxx" ]; then
	"$SEAR" record -q -o "$TMP/cxx.folded" -- "$WORKLOADS/cxx" 0.5
	s=$(share "$TMP/cxx.folded" ';app::Accumulator<unsigned long>::crunch$')
	within "$s" 80 100 || fail "C++ name not demangled ($s%): $(head -3 "$TMP/cxx.folded")"
	grep -q '_ZN' "$TMP/cxx.folded" && fail "mangled names left"
	"$SEAR" record -q --full-names -o "$TMP/cxxfull.folded" -- "$WORKLOADS/cxx" 0.5
	grep -q 'app::Accumulator<unsigned long>::crunch(unsigned long, int)' "$TMP/cxxfull.folded" ||
		fail "--full-names lacks the parameter list"
	pass "C++ demangling"
fi

# A binary deleted while it runs still gets names (through /proc/PID/map_files).
cp "$WORKLOADS/spinner" "$TMP/doomed"
"$TMP/doomed" 3 &
pid=$!
sleep 0.2
rm "$TMP/doomed"
grep -q "doomed (deleted)" "/proc/$pid/maps" || fail "the binary was not deleted"
"$SEAR" record -q -p "$pid" -d 1 -o "$TMP/deleted.folded"
s=$(share "$TMP/deleted.folded" ';(attach_target_spin|late_thread_spin)$')
within "$s" 80 100 || fail "deleted binary: spinner's functions in $s%: $(head -2 "$TMP/deleted.folded")"
kill "$pid"
pass "deleted binary"

# The vDSO is named from its own symbols. A sample in vDSO code outside any exported
# symbol is rightly [vdso]; named frames must be the rule.
"$SEAR" record -q -F 2999 -o "$TMP/vdso.folded" -- "$WORKLOADS/two_threads" 1.5
named=$(awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ /;(__vdso_|__cvdso_)[a-z_]*(;|$)/) n += c } END { print n + 0 }' "$TMP/vdso.folded")
label=$(awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ /;\[vdso\](;|$)/) n += c } END { print n + 0 }' "$TMP/vdso.folded")
echo "vdso: $named samples in named vDSO functions, $label labelled [vdso]"
[ $((named + label)) -gt 0 ] || echo "note: no sample landed in the vDSO this time"
[ "$label" -le "$named" ] || fail "vDSO frames are mostly unnamed: $named named, $label [vdso]"
pass "vdso"
