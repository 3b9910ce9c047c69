# The ELF and DWARF of the profiled programs' files are parsed in a sandboxed helper: it
# runs as nobody, without capabilities, under seccomp, with nothing of sear's open; its
# names are those sear finds in-process; and a crash or a hang in it costs only what it
# was reading (the DWARF of one module, or its symbols), with one message.
. "$(dirname "$0")/lib.sh"
need_perf_events
cd "$TMP"

# While a recording runs, its helper.
"$SEAR" record -q --inline --srcline -o live.folded -- "$WORKLOADS/inline" 2 &
rec=$!
helper=
# Once the command runs: before its exec, the command's own process is a "sear" child too.
for _ in $(seq 100); do
	kids=$(ps -o pid=,user=,comm= --ppid "$rec" || true)
	if echo "$kids" | awk '$3 == "inline" { found = 1 } END { exit !found }'; then
		helper=$(echo "$kids" | awk '$3 == "sear" { print $1 }')
		[ -n "$helper" ] && break
	fi
	sleep 0.05
done
[ -n "$helper" ] || fail "no helper process under the recording"
status=/proc/$helper/status
if [ "$(id -u)" = 0 ]; then
	nobody=$(id -u nobody)
	grep -Eq "^Uid:\s+$nobody\s+$nobody\s+$nobody\s+$nobody$" "$status" ||
		fail "the helper is not nobody: $(grep Uid "$status")"
	grep -Eq '^CapBnd:\s+0+$' "$status" || fail "bounding set left: $(grep CapBnd "$status")"
fi
for f in CapPrm CapEff CapAmb; do
	grep -Eq "^$f:\s+0+$" "$status" || fail "capabilities left: $(grep "$f" "$status")"
done
grep -Eq '^NoNewPrivs:\s+1$' "$status" || fail "no no_new_privs"
grep -Eq '^Seccomp:\s+2$' "$status" || fail "no seccomp filter: $(grep Seccomp "$status")"
fds=$(ls -l "/proc/$helper/fd" | awk 'NR > 1 { print $NF }')
echo "$fds" | grep -Eqv '^(/dev/null|socket:.*|/.*)$' && fail "odd fds in the helper: $fds"
echo "$fds" | grep -Eq 'perf_event|/dev/pts|/dev/tty|live\.folded' && fail "sear's fds leaked: $fds"
[ "$(ps -o sid= -p "$helper" | tr -d " ")" = "$helper" ] || fail "the helper shares sear's session"
wait "$rec"
within "$(share live.folded ';hot_outer inline\.c:[0-9]+;inlined_mix inline\.c:1[56]$')" 80 100 ||
	fail "names through the sandbox: $(head -2 live.folded)"
pass "the helper is nobody, with no capabilities, no_new_privs, seccomp and only its socket"

# The same perf.data named in the sandbox and in this process: the same stacks.
perf record -q -e cpu-clock -F 999 -g -o inline.data -- "$WORKLOADS/inline" 1 2>/dev/null
"$SEAR" report inline.data --inline --srcline -o sandboxed.folded 2>err
[ ! -s err ] || fail "warnings: $(cat err)"
SEAR_NO_SANDBOX=1 "$SEAR" report inline.data --inline --srcline -o here.folded
cmp -s sandboxed.folded here.folded || fail "the sandbox names otherwise: $(diff sandboxed.folded here.folded | head -5)"
total=$(samples here.folded)
within "$(share here.folded ';hot_outer inline\.c:[0-9]+;inlined_mix inline\.c:1[56]$')" 80 100 ||
	fail "no inline frames: $(head -2 here.folded)"
pass "the same names in the sandbox as in-process ($total samples)"

# A frame of another module that has DWARF here (libc, with its debug package), if any: the
# helper started again after a crash must still name it.
other=$(tr ';' '\n' <here.folded | grep -E ' [^ ]+\.[ch]:[0-9]+$' | grep -v 'inline\.c:' |
	head -1 | sed 's/ [^ ]*$//')

# The helper crashes on the workload's DWARF (a write to address 0, as libdw's bad reads
# would): its frames keep their symbol names, everything else is as before, one message.
for how in crash hang; do
	status=0
	SEAR_TEST_SANDBOX=$how:tests/inline timeout 60 "$SEAR" report inline.data --inline \
		--srcline -o "$how.folded" 2>err || status=$?
	[ "$status" = 0 ] || fail "$how: exit $status: $(cat err)"
	[ "$(wc -l <err)" = 1 ] || fail "$how: not one line: $(cat err)"
	want=crashed
	[ "$how" = hang ] && want=hung
	grep -q "^sear: '.*/tests/inline': the sandboxed ELF reader $want on its DWARF: its frames keep their symbol names" err ||
		fail "$how: $(cat err)"
	[ "$(samples "$how.folded")" = "$total" ] || fail "$how: samples lost"
	within "$(share "$how.folded" ';main;hot_outer$')" 80 100 ||
		fail "$how: symbol names lost: $(head -2 "$how.folded")"
	grep -q 'inline\.c:' "$how.folded" && fail "$how: DWARF names of the crashed module"
	if [ -n "$other" ]; then
		grep -q "$other [^ ;]*:[0-9]" "$how.folded" ||
			fail "$how: '$other' lost its DWARF too: the helper did not start again"
	fi
	pass "the helper $want on a module's DWARF: its symbol names remain${other:+, and the DWARF of $other}"
done

# The helper crashes reading the workload's symbols: its frames are named after it.
SEAR_TEST_SANDBOX=crash-symbols:tests/inline "$SEAR" report inline.data -o sym.folded 2>err
[ "$(wc -l <err)" = 1 ] && grep -q "the sandboxed ELF reader crashed on its symbols" err ||
	fail "symbols crash: $(cat err)"
within "$(share sym.folded ';\[inline\]')" 80 100 || fail "symbols crash: $(head -2 sym.folded)"
[ "$(samples sym.folded)" = "$total" ] || fail "symbols crash: samples lost"
pass "the helper crashed on a module's symbols: that module is named after its file"
