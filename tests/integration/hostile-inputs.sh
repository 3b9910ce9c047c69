# Hostile inputs to sear report end within seconds and a few hundred MB, with one line
# that says what is wrong: the crafted .sear decompression bombs of the fuzz corpus,
# devices, endless pipes, and totals that would wrap.
. "$(dirname "$0")/lib.sh"
cd "$TMP"
CORPUS=$SOURCE_DIR/tests/fuzz/corpus

# Sanitizers take more time and memory (and ASan reserves terabytes of address space).
max_s=10 max_mb=400
if [ -n "${SANITIZE:-}" ]; then
	max_s=60 max_mb=2000
fi

# bounded NAME CMD...: CMD fails (exit 1) within max_s seconds and max_mb MB, with one line.
bounded() {
	local name=$1 status=0 secs kb
	shift
	/usr/bin/time -f '%e %M' -o time.out timeout 120 "$@" >out 2>err || status=$?
	read -r secs kb < <(tail -1 time.out)
	[ "$status" = 1 ] || fail "$name: exit $status, not 1: $(head -3 err)"
	[ "$(wc -l <err)" = 1 ] || fail "$name: not one line: $(head -5 err)"
	grep -q '^sear: ' err || fail "$name: $(cat err)"
	within "$secs" 0 "$max_s" || fail "$name: took $secs s"
	[ "$((kb / 1024))" -le "$max_mb" ] || fail "$name: took $((kb / 1024)) MB"
	echo "ok: $name: $secs s, $((kb / 1024)) MB: $(cat err)"
}

n=0
for bomb in "$CORPUS"/searfile/bomb-*.sear; do
	bounded "$(basename "$bomb")" "$SEAR" report "$bomb" -o out.svg
	n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n bombs in the corpus"
[ ! -e out.svg ] || fail "a refused input left an output"

# Devices are refused; endless pipes end at their first bytes.
bounded /dev/zero "$SEAR" report /dev/zero -o out.svg
bounded /dev/urandom "$SEAR" report /dev/urandom -o out.svg
bounded "zeros on a pipe" sh -c "cat /dev/zero | '$SEAR' report - -o out.svg"
bounded "noise on a pipe" sh -c "cat /dev/urandom | '$SEAR' report - -o out.svg"
# A .sear header, then zeros for ever: streamed, not spooled, so it ends at the first chunk.
bounded ".sear header and zeros" sh -c \
	"(head -c 200 '$CORPUS/searfile/small.sear'; cat /dev/zero) | '$SEAR' report - -o out.svg"

# A perf.data on a pipe is copied to a file, but only as far as its header says, or as far as
# its records go: zeros or noise after it are not.
small=$CORPUS/perfdata/small.data
"$SEAR" report "$small" -o whole.folded 2>/dev/null
for tail in /dev/zero /dev/urandom; do
	status=0
	timeout "$max_s" sh -c "(cat '$small'; cat $tail) | '$SEAR' report - -o piped.folded" 2>err ||
		status=$?
	[ "$status" = 0 ] || fail "perf.data and $tail on a pipe: exit $status: $(cat err)"
	cmp -s whole.folded piped.folded || fail "perf.data and $tail on a pipe: other stacks"
done
# The same with no data size, as perf leaves a file it did not finish.
read -r off size < <(od -An -t u8 -j 40 -N 16 "$small")
head -c $((off + size)) "$small" >killed.data
dd if=/dev/zero of=killed.data bs=1 seek=48 count=8 conv=notrunc status=none
"$SEAR" report killed.data -o whole.folded 2>/dev/null
for tail in /dev/zero /dev/urandom; do
	status=0
	timeout "$max_s" sh -c "(cat killed.data; cat $tail) | '$SEAR' report - -o piped.folded" 2>err ||
		status=$?
	[ "$status" = 0 ] || fail "unfinished perf.data and $tail on a pipe: exit $status: $(cat err)"
	cmp -s whole.folded piped.folded || fail "unfinished perf.data and $tail: other stacks"
	grep -q "was not finished by perf" err || fail "no warning: $(cat err)"
done
pass "endless pipes end"

# Counts that sum past 2^64 stick at the top, not wrap to a small total.
max=9223372036854775807
printf 'a;b %s\na;c %s\na;d %s\n' $max $max $max >huge.folded
"$SEAR" report huge.folded -o huge.svg
grep -q '>18446744073709551615 samples<' huge.svg || fail "the total wrapped: $(grep -o 'subtitle[^<]*' huge.svg)"
pass "totals saturate"
