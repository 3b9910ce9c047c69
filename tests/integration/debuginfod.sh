# Names for a stripped library from a real debuginfod server (Debian's), within a bound:
# a library whose hot functions are static, its debug file split off, served by
# 'debuginfod -F'. Then the cache alone, a server that is down, one that never answers,
# and --no-debuginfod; and a perf.data report through the same path.
. "$(dirname "$0")/lib.sh"
need_perf_events
command -v debuginfod >/dev/null || { echo "skip: no debuginfod (apt-get install debuginfod)" >&2; exit 77; }
command -v curl >/dev/null || { echo "skip: no curl" >&2; exit 77; }
lib="$WORKLOADS/libhot.so"
id=$(readelf -n "$lib" | awk '/Build ID/ { print $3 }')
[ -n "$id" ] || fail "libhot.so has no build-id"
readelf -S "$lib" | grep -q '\.symtab' && fail "libhot.so is not stripped"

port=$((20000 + RANDOM % 20000))
debuginfod -F "$WORKLOADS/debuginfod" -p "$port" -d "$TMP/db.sqlite" >"$TMP/server.log" 2>&1 &
server=$!
for i in $(seq 100); do
	curl -sf "http://localhost:$port/buildid/$id/debuginfo" -o /dev/null && break
	sleep 0.2
done
[ "$i" -lt 100 ] || fail "debuginfod did not serve libhot's debug file in 20 s: $(tail -3 "$TMP/server.log")"
export DEBUGINFOD_URLS="http://localhost:$port" DEBUGINFOD_CACHE_PATH="$TMP/cache"

"$SEAR" record -o "$TMP/served.folded" -- "$WORKLOADS/hotmain" 2 2>"$TMP/err"
conv=$(share "$TMP/served.folded" ';hot_run;hot_convolve')
refl=$(share "$TMP/served.folded" ';hot_run;hot_reflect')
echo "served: hot_convolve $conv%, hot_reflect $refl%"
within "$conv" 50 85 || fail "hot_convolve has $conv% with the server"
within "$refl" 15 50 || fail "hot_reflect has $refl% with the server"
grep -q "debuginfod: 1 debug files fetched, 0 from the cache" "$TMP/err" ||
	fail "no word of the fetch: $(cat "$TMP/err")"
pass "static functions named from the server's debug file ($conv% / $refl%)"

# The server stops: the cache still knows.
kill "$server"
wait "$server" 2>/dev/null || true
"$SEAR" record -o "$TMP/cached.folded" -- "$WORKLOADS/hotmain" 1 2>"$TMP/err"
grep -q ';hot_convolve ' "$TMP/cached.folded" || fail "the cache did not name hot_convolve"
grep -q "0 debug files fetched, 1 from the cache" "$TMP/err" || fail "cache: $(cat "$TMP/err")"
pass "from the cache, with the server down"

# Down, with an empty cache: no hang, a note, the module's name.
export DEBUGINFOD_CACHE_PATH="$TMP/cache2"
start=$(date +%s.%N)
"$SEAR" record -o "$TMP/down.folded" -- "$WORKLOADS/hotmain" 1 2>"$TMP/err"
took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
within "$took" 0 6 || fail "a server that is down cost $took s"
grep -q "1 missing" "$TMP/err" || fail "down: $(cat "$TMP/err")"
grep -q ';hot_run;' "$TMP/down.folded" || fail "down: the exported hot_run lost its name"
grep -q 'hot_convolve' "$TMP/down.folded" && fail "down: a static name from nowhere"
pass "server down: $took s, a note, the library's own names"

# With no debug file at all, the static functions are still frames of their own, bounded by
# their FDEs and named by file offset: libhot.so+0x1110, which eu-addr2line resolves on the
# debug file (about 70/30, as the names would split).
fde_names() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, a, ";")
		if (a[k] ~ /^libhot\.so\+0x[0-9a-f]+$/) c[a[k]] += n; t += n }
		END { for (f in c) printf "%s %.1f\n", f, 100 * c[f] / t }' "$1" | sort -k2 -nr
}
fde_names "$TMP/down.folded" >"$TMP/fde"
echo "server down, FDE-bound names:" $(cat "$TMP/fde")
[ "$(wc -l <"$TMP/fde")" -ge 2 ] || fail "down: fewer than two libhot.so+0x... frames: $(head -3 "$TMP/down.folded")"
grep -q '\[libhot.so\]' "$TMP/down.folded" && fail "down: addresses left in the [libhot.so] lump"
read -r first share1 <<<"$(sed -n 1p "$TMP/fde")"
read -r second share2 <<<"$(sed -n 2p "$TMP/fde")"
[ "$(eu-addr2line -f -e "$WORKLOADS/debuginfod/libhot.debug" "${first#libhot.so+}" | head -1)" = hot_convolve ] ||
	fail "$first is not hot_convolve in the debug file"
[ "$(eu-addr2line -f -e "$WORKLOADS/debuginfod/libhot.debug" "${second#libhot.so+}" | head -1)" = hot_reflect ] ||
	fail "$second is not hot_reflect in the debug file"
within "$share1" 55 85 || fail "$first (hot_convolve) has $share1%"
pass "no debug file: $first = hot_convolve ($share1%), $second = hot_reflect ($share2%), by eu-addr2line"

# A server that accepts and never answers costs the bound, not more.
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Listen => 64,
		ReuseAddr => 1) or die; my @c; while (1) { push @c, $s->accept; }' "$((port + 1))" &
hang=$!
sleep 0.3
export DEBUGINFOD_URLS="http://127.0.0.1:$((port + 1))" DEBUGINFOD_CACHE_PATH="$TMP/cache3"
start=$(date +%s.%N)
"$SEAR" record -o "$TMP/hang.folded" --debuginfod-timeout 2 -- "$WORKLOADS/hotmain" 1 2>"$TMP/err"
took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
kill "$hang"
within "$took" 0 5 || fail "a server that never answers cost $took s with --debuginfod-timeout 2"
[ "$(samples "$TMP/hang.folded")" -gt 100 ] || fail "the recording suffered from the hung server"
pass "a server that never answers: $took s for a 1 s recording and a 2 s bound"

# --no-debuginfod asks nobody.
start=$(date +%s.%N)
"$SEAR" record --no-debuginfod -o "$TMP/no.folded" -- "$WORKLOADS/hotmain" 0.5 2>"$TMP/err"
grep -q debuginfod "$TMP/err" && fail "--no-debuginfod asked: $(cat "$TMP/err")"
pass "--no-debuginfod"

# perf.data through the same path: report names the static functions from the server.
debuginfod -F "$WORKLOADS/debuginfod" -p "$((port + 2))" -d "$TMP/db2.sqlite" >/dev/null 2>&1 &
server=$!
for i in $(seq 100); do
	curl -sf "http://localhost:$((port + 2))/buildid/$id/debuginfo" -o /dev/null && break
	sleep 0.2
done
perf record -q -e cpu-clock -g -o "$TMP/hot.data" -- "$WORKLOADS/hotmain" 1 >/dev/null 2>&1
DEBUGINFOD_URLS="http://localhost:$((port + 2))" DEBUGINFOD_CACHE_PATH="$TMP/cache4" \
	"$SEAR" report "$TMP/hot.data" -o "$TMP/report.folded" 2>/dev/null
kill "$server"
grep -q ';hot_convolve ' "$TMP/report.folded" || fail "report of perf.data did not fetch names"
pass "report of perf.data fetches names too"
