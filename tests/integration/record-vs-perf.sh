# perf is the reference: on the same workload, sear's shares match perf report's.
. "$(dirname "$0")/lib.sh"
need_perf_events
: "${DEMO:?}"
command -v perf >/dev/null || { echo "skip: no perf" >&2; exit 77; }

perf record -q -e cpu-clock -F 999 -g -o "$TMP/perf.data" -- "$DEMO" 2 2>/dev/null
# "Children" share: samples with the function anywhere on the stack.
perf_shares "$TMP/perf.data" >"$TMP/perf.shares"
"$SEAR" record -q -e cpu-clock -F 999 -o "$TMP/sear.folded" -- "$DEMO" 2

for fn in parse_request resize_image blur_row compress_response do_syscall_64; do
	p=$(awk -v f="$fn" '$1 == f { print $2; exit }' "$TMP/perf.shares")
	s=$(share "$TMP/sear.folded" ";$fn(;|$)")
	echo "$fn: perf=$p% sear=$s%"
	[ -n "$p" ] || fail "perf report has no $fn"
	d=$(awk -v a="$p" -v b="$s" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
	within "$d" 0 5 || fail "$fn: sear says $s%, perf $p%"
done
pass "shares match perf within 5 points"
