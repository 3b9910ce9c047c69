# Two threads burning in their own leaves for the same time: about 50/50.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$SEAR" record -q -o "$TMP/out.folded" -- "$WORKLOADS/two_threads" 2
total=$(samples "$TMP/out.folded")
a=$(share "$TMP/out.folded" ';leaf_alpha$')
b=$(share "$TMP/out.folded" ';leaf_beta$')
echo "samples=$total alpha=$a% beta=$b%"
within "$total" 2500 4500 || fail "expected about 2 s x 2 threads x 999 Hz samples, got $total"
within "$a" 40 60 || fail "leaf_alpha has $a%, want 50 +- 10"
within "$b" 40 60 || fail "leaf_beta has $b%, want 50 +- 10"
# Both threads are named after the process, and the leaves keep their caller.
root=$(share "$TMP/out.folded" '^two_threads;')
within "$root" 99 100 || fail "only $root% of stacks start at the process name"
caller=$(share "$TMP/out.folded" ';run;leaf_(alpha|beta)$')
within "$caller" 90 100 || fail "only $caller% of stacks show run() above the leaf"
pass "two threads split $a/$b"
