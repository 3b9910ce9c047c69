# sear collapse against the live stackcollapse-perf.pl ($FLAMEGRAPH_DIR): the corpus, fresh
# recordings made now with the installed perf, and random perf-script-like text (with the
# shapes perf prints and odd ones it does not); byte for byte, and the same notes on stderr.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
script="${FLAMEGRAPH_DIR:-}/stackcollapse-perf.pl"
if [ -z "${FLAMEGRAPH_DIR:-}" ] || [ ! -x "$script" ]; then
	echo "skip: set FLAMEGRAPH_DIR to the FlameGraph scripts (.ci/run does)" >&2
	exit 77
fi
golden="$SOURCE_DIR/tests/golden/collapse"
cd "$SOURCE_DIR"

# same INPUT OPTS...: sear and the script print the same bytes, and both say something on
# stderr or neither does (--inline aside: addr2line talks there too).
same() {
	local in=$1
	shift
	"$script" "$@" "$in" >"$TMP/want" 2>"$TMP/want.err" || true
	"$SEAR" collapse "$@" "$in" >"$TMP/got" 2>"$TMP/got.err" || fail "sear collapse $* $in failed"
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		diff "$TMP/want" "$TMP/got" | head -6 >&2
		fail "sear collapse $* $in differs from the script"
	fi
	case " $* " in *" --inline "*) return ;; esac
	[ -s "$TMP/want.err" ] && [ ! -s "$TMP/got.err" ] && fail "the script warns on $in ($*), sear says nothing"
	[ ! -s "$TMP/want.err" ] && [ -s "$TMP/got.err" ] && fail "sear warns on $in ($*), the script does not: $(cat "$TMP/got.err")"
	return 0
}

n=0
while IFS='|' read -r input name opts; do
	# shellcheck disable=SC2086
	same "tests/golden/collapse/inputs/$input" $opts
	n=$((n + 1))
done <"$golden/cases.txt"
pass "$n corpus cases: the live script prints what the goldens hold, and so does sear"

# Fresh recordings, in several perf script formats.
common=("" "--pid" "--tid" "--kernel" "--jit" "--all" "--addrs" "--tid --all --addrs")
if command -v perf >/dev/null &&
	perf record -q -e cpu-clock -F 999 -g -o "$TMP/names.data" -- "$WORKLOADS/names" 0.5 2>/dev/null; then
	perf script -i "$TMP/names.data" >"$TMP/a.txt" 2>/dev/null
	perf script -i "$TMP/names.data" -F comm,pid,tid,time,event,ip,sym,dso >"$TMP/b.txt" 2>/dev/null
	perf script -i "$TMP/names.data" -F +srcline >"$TMP/c.txt" 2>/dev/null
	for o in "${common[@]}"; do
		# shellcheck disable=SC2086
		same "$TMP/a.txt" $o
		# shellcheck disable=SC2086
		same "$TMP/b.txt" $o
	done
	same "$TMP/c.txt" --srcline
	same "$TMP/c.txt" --srcline --all --addrs
	rm -f "/tmp/perf-$(perf script -i "$TMP/names.data" -F pid 2>/dev/null | head -1 | tr -d ' ').map"
	pass "fresh recordings of the names workload, three perf script formats"
fi

# Random text: many seeds, every option set. Each differing case is a bug in sear.
for seed in $(seq 1 25); do
	perl "$SOURCE_DIR/tests/integration/perfscript-gen.pl" "$seed" 250 >"$TMP/r.txt"
	for o in "${common[@]}" "--event-filter=cycles"; do
		# shellcheck disable=SC2086
		same "$TMP/r.txt" $o
	done
done
for seed in $(seq 1 8); do
	perl "$SOURCE_DIR/tests/integration/perfscript-gen.pl" "$seed" 250 srcline >"$TMP/r.txt"
	same "$TMP/r.txt" --srcline
	same "$TMP/r.txt" --srcline --tid --all --addrs
done
pass "random perf script text: 33 seeds, byte-identical under every option"
