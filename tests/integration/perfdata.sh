# perf.data recorded now by perf record -g: report's shares match perf report's; what sear
# cannot read is refused clearly.
. "$(dirname "$0")/lib.sh"
need_perf_events
: "${DEMO:?}"
command -v perf >/dev/null || { echo "skip: no perf" >&2; exit 77; }

perf record -q -e cpu-clock -F 999 -g -o "$TMP/perf.data" -- "$DEMO" 2 2>/dev/null
perf_shares "$TMP/perf.data" >"$TMP/perf.shares"
"$SEAR" report "$TMP/perf.data" -o "$TMP/sear.folded"
for fn in parse_request resize_image blur_row compress_response do_syscall_64; do
	p=$(awk -v f="$fn" '$1 == f { print $2; exit }' "$TMP/perf.shares")
	s=$(share "$TMP/sear.folded" ";$fn(;|$)")
	echo "$fn: perf report=$p% sear report=$s%"
	d=$(awk -v a="$p" -v b="$s" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
	within "$d" 0 2 || fail "$fn: sear report says $s%, perf report $p%"
done
grep -q '^demo;' "$TMP/sear.folded" || fail "no demo root"
"$SEAR" report "$TMP/perf.data" -o "$TMP/sear.svg"
grep -q "perf.data" "$TMP/sear.svg" || fail "no perf.data subtitle"
pass "perf.data shares match perf report within 2 points"

# The same data through perf script and sear collapse: the same stacks as the direct read.
perf script -i "$TMP/perf.data" 2>/dev/null | "$SEAR" collapse >"$TMP/collapsed.folded"
for fn in resize_image blur_row; do
	c=$(share "$TMP/collapsed.folded" ";$fn(;|$)")
	s=$(share "$TMP/sear.folded" ";$fn(;|$)")
	d=$(awk -v a="$c" -v b="$s" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
	within "$d" 0 1 || fail "$fn: collapse says $c%, report $s%"
done
pass "perf script | sear collapse agrees with sear report"

# A binary changed after perf recorded it: the build-id mismatch is reported.
cp "$DEMO" "$TMP/demo-copy"
perf record -q -e cpu-clock -g -o "$TMP/copy.data" -- "$TMP/demo-copy" 0.3 2>/dev/null
printf '\0' | dd of="$TMP/demo-copy" bs=1 seek=1000 conv=notrunc 2>/dev/null
objcopy --add-section .sear-test=/dev/null "$TMP/demo-copy" 2>/dev/null || true
gcc -x c -o "$TMP/demo-copy" - <<'SRC' 2>/dev/null
int main(void) { return 0; }
SRC
"$SEAR" report "$TMP/copy.data" -o "$TMP/copy.folded" 2>"$TMP/copy.err"
grep -q "demo-copy' is not the file that was recorded (build-id" "$TMP/copy.err" ||
	fail "no build-id warning: $(cat "$TMP/copy.err")"
pass "build-id mismatch warned"

# Refused clearly: compressed records, pipe mode.
if perf record -q -z -e cpu-clock -g -o "$TMP/z.data" -- "$DEMO" 0.2 2>/dev/null; then
	"$SEAR" report "$TMP/z.data" -o "$TMP/z.folded" 2>"$TMP/err" && fail "-z data accepted"
	grep -q "compressed records (perf record -z) are not supported" "$TMP/err" || fail "$(cat "$TMP/err")"
fi
perf record -q -e cpu-clock -g -o - -- "$DEMO" 0.2 >"$TMP/pipe.data" 2>/dev/null
"$SEAR" report "$TMP/pipe.data" -o "$TMP/p.folded" 2>"$TMP/err" && fail "pipe-mode data accepted"
grep -q "written to a pipe" "$TMP/err" || fail "pipe: $(cat "$TMP/err")"
head -c 5000 "$TMP/perf.data" >"$TMP/cut.data"
status=0
"$SEAR" report "$TMP/cut.data" -o "$TMP/cut.folded" 2>"$TMP/err" || status=$?
[ "$status" -le 1 ] || fail "a cut perf.data crashed sear ($status)"
pass "unsupported perf.data refused with reasons"
