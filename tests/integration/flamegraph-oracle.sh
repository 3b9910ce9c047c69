# sear flamegraph against the live flamegraph.pl ($FLAMEGRAPH_DIR), frames parsed from both
# SVGs: the whole collapse corpus (collapsed by sear, as it is byte-identical), random folded
# text, difffolded output, and --cp's palette.map.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
fg="${FLAMEGRAPH_DIR:-}/flamegraph.pl"
if [ -z "${FLAMEGRAPH_DIR:-}" ] || [ ! -x "$fg" ]; then
	echo "skip: set FLAMEGRAPH_DIR to the FlameGraph scripts (.ci/run does)" >&2
	exit 77
fi
frames() { perl "$SOURCE_DIR/tests/integration/svg-frames.pl" "$@"; }

# same FOLDED OPTS...: both draw the same frames (fills aside with --random).
same() {
	local in=$1 xo=""
	shift
	case " $* " in *" --random "*) xo=--no-fill ;; esac
	"$fg" "$@" "$in" 2>/dev/null | frames $xo >"$TMP/want" || true
	"$SEAR" flamegraph -q "$@" "$in" 2>/dev/null | frames $xo >"$TMP/got" || true
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		diff "$TMP/want" "$TMP/got" | head -6 >&2
		fail "flamegraph $* $in: frames differ from flamegraph.pl's"
	fi
}

n=0
for input in "$SOURCE_DIR"/tests/golden/collapse/inputs/*.txt; do
	"$SEAR" collapse --all "$input" >"$TMP/c.folded" 2>/dev/null
	for o in "" "--hash" "--colors java" "--colors js" "--inverted --subtitle S" "--reverse" \
		"--flamechart" "--minwidth 0" "--random" "--width 640 --height 12 --fontsize 9"; do
		# shellcheck disable=SC2086
		same "$TMP/c.folded" $o
		n=$((n + 1))
	done
done
pass "$n cases from the collapse corpus: the same frames"

n=0
for seed in $(seq 1 12); do
	for mode in "" two mixed; do
		perl "$SOURCE_DIR/tests/integration/folded-gen.pl" "$seed" 150 $mode >"$TMP/r.folded"
		for o in "" "--hash" "--colors perl" "--colors chain" "--reverse" "--flamechart" \
			"--minwidth 0" "--inverted --negate" "--total 100000000"; do
			# shellcheck disable=SC2086
			same "$TMP/r.folded" $o
			n=$((n + 1))
		done
	done
done
pass "$n random folded cases: the same frames"

corpus="$SOURCE_DIR/tests/golden/collapse/expected"
"$FLAMEGRAPH_DIR/difffolded.pl" "$corpus/names-F.all.folded" "$corpus/names-c.all.folded" >"$TMP/d.folded"
"$FLAMEGRAPH_DIR/difffolded.pl" -n "$corpus/node.all.folded" "$corpus/names-F.all.folded" >"$TMP/dn.folded"
for d in "$TMP/d.folded" "$TMP/dn.folded"; do
	for o in "" "--negate" "--minwidth 0" "--colors java"; do
		# shellcheck disable=SC2086
		same "$d" $o
	done
done
pass "difffolded output: the same frames and colours by change"

mkdir "$TMP/a" "$TMP/b"
for f in "$corpus/names-F.all.folded" "$corpus/node.all.folded"; do
	(cd "$TMP/a" && "$fg" --cp --colors java "$f" >/dev/null 2>&1)
	(cd "$TMP/b" && "$SEAR" flamegraph -q --cp --colors java "$f" >/dev/null)
done
cmp -s "$TMP/a/palette.map" "$TMP/b/palette.map" || fail "palette.map differs from flamegraph.pl's"
pass "--cp: the same palette.map"
