# Node with --perf-basic-prof: JS names from the perf map, attached with -p.
. "$(dirname "$0")/lib.sh"
need_perf_events
command -v node >/dev/null || { echo "skip: no node" >&2; exit 77; }
: "${SOURCE_DIR:?}"

cd "$TMP"
node --perf-basic-prof "$SOURCE_DIR/tests/workloads/hot.js" 4 &
pid=$!
sleep 1
"$SEAR" record -q -p "$pid" -d 2 -o "$TMP/node.folded"
wait "$pid"
fib=$(share "$TMP/node.folded" ';JS:[*~^]?fibHot ')
primes=$(share "$TMP/node.folded" ';JS:[*~^]?computePrimes ')
unknown=$(unknown_frames "$TMP/node.folded")
echo "fibHot=$fib% computePrimes=$primes% unknown frames=$unknown%"
within "$fib" 40 90 || fail "fibHot has $fib%"
within "$primes" 10 60 || fail "computePrimes has $primes%"
within "$unknown" 0 1 || fail "[unknown] is $unknown% of frames"
grep -q 'node::Start' "$TMP/node.folded" || fail "node's C++ frames are not demangled"
pass "node JIT names"

# Without --perf-basic-prof, V8 names nothing: the frames are [unknown], and sear says how to
# have them named; with it, sear says nothing of the kind.
"$SEAR" record -o "$TMP/bare.folded" -- node "$SOURCE_DIR/tests/workloads/hot.js" 1 2>"$TMP/bare.err"
grep -q "^sear: pid [0-9]* ran JIT code that no perf map or jitdump names ([0-9]* addresses show as \[unknown\]); for Node, start it with --perf-basic-prof$" \
	"$TMP/bare.err" || fail "no hint for JIT code without names: $(cat "$TMP/bare.err")"
"$SEAR" record -o "$TMP/named.folded" -- node --perf-basic-prof "$SOURCE_DIR/tests/workloads/hot.js" 1 \
	2>"$TMP/named.err"
grep -q "ran JIT code" "$TMP/named.err" && fail "a hint though the map named the code: $(cat "$TMP/named.err")"
pass "JIT code without names: the hint, only then"

# JIT frames are coloured as JIT in the SVG.
node --perf-basic-prof "$SOURCE_DIR/tests/workloads/hot.js" 2 &
pid=$!
sleep 0.7
"$SEAR" record -q -p "$pid" -d 1 -o "$TMP/node.svg"
wait "$pid"
fill=$(grep -o '<title>JS:[*~^]\?fibHot [^<]*</title><rect[^>]*fill="rgb([0-9]*,[0-9]*,[0-9]*)"' "$TMP/node.svg" |
	sed -n 1p | sed 's/.*rgb(//;s/)"//')
r=${fill%%,*}
g=$(echo "$fill" | cut -d, -f2)
[ -n "$fill" ] && [ "$g" -gt "$r" ] || fail "JIT frames are not green: rgb($fill)"
pass "JIT colour"

# node --perf-prof writes a jitdump (and no perf map): read it directly, no 'perf inject'.
cd "$TMP"
"$SEAR" record -q -o "$TMP/jitdump.folded" -- node --perf-prof "$SOURCE_DIR/tests/workloads/hot.js" 2
ls "$TMP"/jit-*.dump >/dev/null || fail "node wrote no jitdump"
fib=$(share "$TMP/jitdump.folded" ';JS:[*~^]?fibHot ')
unknown=$(unknown_frames "$TMP/jitdump.folded")
echo "jitdump: fibHot=$fib% unknown frames=$unknown%"
within "$fib" 40 90 || fail "jitdump: fibHot has $fib%"
within "$unknown" 0 1 || fail "jitdump: [unknown] is $unknown% of frames"
pass "jitdump"
