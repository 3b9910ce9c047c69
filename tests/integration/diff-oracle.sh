# sear diff -o out.folded against the live difffolded.pl ($FLAMEGRAPH_DIR), with -n and -s:
# the collapse corpus's outputs in pairs, and random folded text (odd spaces, lines without
# counts, two-column input). difffolded prints in hash order: both are sorted to compare.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
dfp="${FLAMEGRAPH_DIR:-}/difffolded.pl"
if [ -z "${FLAMEGRAPH_DIR:-}" ] || [ ! -x "$dfp" ]; then
	echo "skip: set FLAMEGRAPH_DIR to the FlameGraph scripts (.ci/run does)" >&2
	exit 77
fi

# same A B FLAGS: difffolded.pl FLAGS A B and sear diff (its equivalent) print the same lines.
same() {
	local a=$1 b=$2 norm="--normalize none"
	shift 2
	case " $* " in *" -n "*) norm="" ;; esac
	"$dfp" "$@" "$a" "$b" 2>/dev/null | LC_ALL=C sort >"$TMP/want"
	# shellcheck disable=SC2086
	"$SEAR" diff -q $norm "$@" --exact-names "$a" "$b" -o "$TMP/got.folded" || fail "sear diff $* $a $b failed"
	LC_ALL=C sort "$TMP/got.folded" >"$TMP/got"
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		diff "$TMP/want" "$TMP/got" | head -6 >&2
		fail "sear diff $* $a $b differs from difffolded.pl $*"
	fi
}

corpus="$SOURCE_DIR/tests/golden/collapse/expected"
n=0
for pair in "names-F.default names-c.default" "names-F.all names-noperiod.all" "node.all names-F.all" \
	"system.default kernel-dd.default" "events.default events.event-filter-task-clock"; do
	set -- $pair
	for flags in "" "-n" "-s" "-n -s"; do
		# shellcheck disable=SC2086
		same "$corpus/$1.folded" "$corpus/$2.folded" $flags
		n=$((n + 1))
	done
done
pass "$n corpus pairs: the same lines as difffolded.pl"

n=0
for seed in $(seq 1 20); do
	for mode in ascii two ""; do
		perl "$SOURCE_DIR/tests/integration/folded-gen.pl" "$seed" 120 $mode >"$TMP/a.folded"
		perl "$SOURCE_DIR/tests/integration/folded-gen.pl" $((seed + 100)) 120 $mode >"$TMP/b.folded"
		for flags in "" "-n" "-s" "-n -s"; do
			# shellcheck disable=SC2086
			same "$TMP/a.folded" "$TMP/b.folded" $flags
			n=$((n + 1))
		done
	done
done
pass "$n random pairs: the same lines as difffolded.pl"
