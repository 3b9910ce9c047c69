# A command that forks a busy child: the child's frames are recorded.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$SEAR" record -q -o "$TMP/fork.folded" -- "$WORKLOADS/forker" 1.5
child=$(share "$TMP/fork.folded" ';child_burn')
echo "child_burn=$child% samples=$(samples "$TMP/fork.folded")"
within "$child" 80 100 || fail "child_burn has $child%, want >= 80"
grep -q '^forker;.*main;child_burn' "$TMP/fork.folded" || fail "child stacks lack main;child_burn"
pass "forked child followed"

# A shell that runs the workload: children that exec are followed and named.
"$SEAR" record -q -o "$TMP/sh.folded" -- sh -c "'$WORKLOADS/two_threads' 1; true"
within "$(share "$TMP/sh.folded" '^two_threads;.*leaf_(alpha|beta)$')" 80 100 ||
	fail "the exec'd grandchild was not followed"
pass "exec'd child followed"

# sear raises its own priority against busy targets; the command keeps the caller's.
got=$("$SEAR" record -q -F 99 -o "$TMP/nice.folded" -- sh -c nice 2>/dev/null)
[ "$got" = "$(nice)" ] || fail "the command ran at nice $got, not the caller's $(nice)"
got=$(nice -n 5 "$SEAR" record -q -F 99 -o "$TMP/nice.folded" -- sh -c nice 2>/dev/null)
[ "$got" = "$(nice -n 5 sh -c nice)" ] || fail "under nice 5 the command ran at $got"
pass "the command keeps its nice value"
