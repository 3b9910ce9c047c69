# Complete stacks in the default mode: the in-kernel unwinder walks code built without frame
# pointers (glibc's qsort, a deep recursion, C++ with exceptions) and the kernel stack above
# it. Then the same programs with BPF denied: the note, and the dwarf fallback's stacks.
. "$(dirname "$0")/lib.sh"
need_perf_events

need_bpf

# pct FOLDED LEAF_RE WANT_RE: of the samples whose stack matches LEAF_RE, the share that
# also match WANT_RE.
pct() {
	awk -v leaf="$2" -v want="$3" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (s ~ leaf) { t += n; if (s ~ want) c += n } }
		END { printf "%.1f\n", t ? 100 * c / t : 0 }' "$1"
}

# deep FOLDED: the share of spin samples under 40 recurse frames and main.
deep() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (s ~ /;spin$/) { t += n; k = gsub(/;recurse/, "", s); if (k >= 40 && s ~ /;main/) c += n } }
		END { printf "%.1f\n", t ? 100 * c / t : 0 }' "$1"
}

# check MODE FOLDED...: the shapes, for the files of one mode.
check_qsort() {
	local p
	p=$(pct "$2" ';cmp_keys$' ';main;sort_round;qsort[^;]*;')
	echo "$1: $p% of comparator samples carry main;sort_round;qsort"
	within "$p" 90 100 || fail "$1: the comparator's callers are in only $p% of its samples"
}
check_recursion() {
	local p
	p=$(deep "$2")
	echo "$1: the 40-deep recursion is whole in $p% of its samples"
	within "$p" 90 100 || fail "$1: the recursion is whole in only $p%"
}
check_cxx() {
	local p s e
	p=$(share "$2" '^cxx-eh-nofp;_start;__libc_start_main;([^;]*;)?main;')
	s=$(pct "$2" 'std::__introsort_loop|std::__insertion_sort' ';main;work::round_trip;work::sort_keys;')
	echo "$1: C++ reaches main in $p% of samples; std::sort is under sort_keys in $s%"
	within "$p" 90 100 || fail "$1: C++ stacks reach main in only $p%"
	within "$s" 90 100 || fail "$1: std::sort under its callers in only $s%"
	# Throwing walks the stack with libgcc's unwinder: those samples are whole too.
	e=$(pct "$2" ';(__cxa_throw|_Unwind_[A-Za-z_]*)(;|$)' ';main;work::round_trip;work::check;')
	echo "$1: $e% of the samples in a throw reach main;round_trip;check"
	within "$e" 90 100 || fail "$1: samples in the exception path whole in only $e%"
}

# The default mode.
"$SEAR" record -o "$TMP/qsort.folded" -o "$TMP/qsort.svg" -- "$WORKLOADS/qsort-nofp" 1.5 2>"$TMP/err"
grep -q "unwinding copies" "$TMP/err" && fail "the default fell back: $(cat "$TMP/err")"
check_qsort default "$TMP/qsort.folded"
grep -q 'call graph bpf' "$TMP/qsort.svg" || fail "the subtitle does not name the bpf mode"
pass "default: qsort's callback has its callers"

"$SEAR" record -q -o "$TMP/rec.folded" -- "$WORKLOADS/unwind-nofp" recurse 1.5
check_recursion default "$TMP/rec.folded"
pass "default: 40-deep recursion without frame pointers"

# The program named as users type it: a relative path, and a symlink to it. Its unwind
# table, made before it starts, is the one the kernel's name for it finds.
ln -s "$WORKLOADS/unwind-nofp" "$TMP/linked"
(cd "$WORKLOADS" && "$SEAR" record -q -o "$TMP/rel.folded" -- ./unwind-nofp recurse 1)
(cd "$TMP" && "$SEAR" record -q -o "$TMP/link.folded" -- ./linked recurse 1)
for f in rel link; do
	check_recursion "$f" "$TMP/$f.folded"
	grep -q '\[unwind-nofp\]' "$TMP/$f.folded" && fail "$f: frames of the program are unnamed: $(head -2 "$TMP/$f.folded")"
done
pass "default: a program by a relative path or a symlink"

"$SEAR" record -q -o "$TMP/cxx.folded" -- "$WORKLOADS/cxx-eh-nofp" 1.5
check_cxx default "$TMP/cxx.folded"
pass "default: C++ with exceptions and std::sort"

# A thread in a syscall: the kernel's frames above its whole user stack, one sample.
"$SEAR" record -q -o "$TMP/sys.folded" -- "$WORKLOADS/syscall-nofp" 1.5
k=$(pct "$TMP/sys.folded" 'entry_SYSCALL_64' \
	';clone3;start_thread;kernel_loop;read_zero;[^;]*read[^;]*;entry_SYSCALL_64[^;]*;do_syscall_64;')
echo "default: $k% of syscall samples have kernel_loop;read_zero;read below the kernel's frames"
within "$k" 90 100 || fail "syscall stacks whole in only $k%"
within "$(share "$TMP/sys.folded" 'entry_SYSCALL_64.*;(ksys_read|vfs_read)')" 50 100 ||
	fail "the thread's time is not in read"
pass "default: kernel frames above the full user stack"

# The .sear file says how it was recorded.
"$SEAR" record -q -o "$TMP/q.sear" -- "$WORKLOADS/qsort-nofp" 0.3
"$SEAR" report "$TMP/q.sear" -o "$TMP/q.svg"
grep -q 'call graph bpf' "$TMP/q.svg" || fail "a report of the .sear does not name the bpf mode"
pass "the mode is in the .sear and the subtitles"

# BPF denied: an unprivileged user (perf_event_paranoid allows it its own processes). A
# one-line note naming why and the remedy, and whole stacks still, from stack copies
# unwound in user space. (Root in a container without the rights: tests/integration/docker-bpf.sh.)
deny=(setpriv --reuid=65534 --regid=65534 --clear-groups)
nb=$TMP/nobody
mkdir "$nb"
chown 65534:65534 "$nb"
cd "$nb"
"${deny[@]}" "$SEAR" record -o "$nb/fq.folded" -- "$WORKLOADS/qsort-nofp" 1.5 2>"$TMP/ferr" ||
	fail "unprivileged record failed: $(cat "$TMP/ferr")"
grep -Eq "^sear: unwinding copies of the stacks in user space \(--call-graph dwarf\), not in the kernel: .*not permitted.*root, or CAP_BPF and CAP_PERFMON" \
	"$TMP/ferr" || fail "no fallback note: $(cat "$TMP/ferr")"
[ "$(grep -c unwinding "$TMP/ferr")" = 1 ] || fail "the note is not one line: $(cat "$TMP/ferr")"
check_qsort fallback "$nb/fq.folded"
"${deny[@]}" "$SEAR" record -q -o "$nb/frec.folded" -- "$WORKLOADS/unwind-nofp" recurse 1.5
check_recursion fallback "$nb/frec.folded"
"${deny[@]}" "$SEAR" record -q -o "$nb/fcxx.folded" -o "$nb/fcxx.svg" -- "$WORKLOADS/cxx-eh-nofp" 1.5
check_cxx fallback "$nb/fcxx.folded"
grep -q 'call graph dwarf,8192' "$nb/fcxx.svg" || fail "the fallback's subtitle does not name dwarf"
"${deny[@]}" "$SEAR" record -q --call-graph bpf -o "$nb/x.folded" -- true 2>"$TMP/berr" &&
	fail "--call-graph bpf ran without BPF"
grep -q "^sear: cannot use --call-graph bpf: .*not permitted" "$TMP/berr" || fail "$(cat "$TMP/berr")"
[ ! -e "$nb/x.folded" ] || fail "a failed --call-graph bpf left an output"
pass "BPF denied: the note, and whole stacks from the dwarf fallback"
