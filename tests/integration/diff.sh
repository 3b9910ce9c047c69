# A diff of two recordings whose hot function moved: the grown frame is red, the shrunk one
# blue, and the tooltip's numbers are right.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$SEAR" record -q -o "$TMP/before.sear" -o "$TMP/before.folded" -- "$WORKLOADS/shift" before 1.5
"$SEAR" record -q -o "$TMP/after.sear" -o "$TMP/after.folded" -- "$WORKLOADS/shift" after 1.5
"$SEAR" diff "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/diff.svg"
xmllint --noout "$TMP/diff.svg" || fail "diff SVG not well-formed"

# frame_fill NAME: the fill of NAME's frame; frame_title NAME: its tooltip.
frame_fill() { grep -o "<title>$1 ([^<]*</title><rect[^>]*fill=\"[^\"]*\"" "$TMP/diff.svg" | sed -n 1p | sed 's/.*fill="//;s/"//'; }
frame_title() { grep -o "<title>$1 ([^<]*</title>" "$TMP/diff.svg" | sed -n 1p; }
beta=$(frame_fill work_beta)
alpha=$(frame_fill work_alpha)
echo "work_beta: $beta $(frame_title work_beta)"
echo "work_alpha: $alpha $(frame_title work_alpha)"
case "$beta" in rgb\(255,*) ;; *) fail "work_beta grew but is $beta, not red" ;; esac
case "$alpha" in *,255\)) ;; *) fail "work_alpha shrank but is $alpha, not blue" ;; esac

# The tooltip's counts are the two profiles' own, and the change is after - scaled before.
# in_stack FOLDED NAME: samples of stacks through NAME.
in_stack() { awk -v n="$2" '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ ";" n "(;|$)") t += c } END { print t + 0 }' "$1"; }
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
b=$(in_stack "$TMP/before.folded" work_beta)
a=$(in_stack "$TMP/after.folded" work_beta)
bt=$(samples "$TMP/before.folded")
at=$(samples "$TMP/after.folded")
t=$(frame_title work_beta)
echo "$t" | grep -qF "($(commas "$a") samples," || fail "tooltip after count: want $a in '$t'"
echo "$t" | grep -qF "before $(commas "$b") samples" || fail "tooltip before count: want $b in '$t'"
delta=$(awk -v a="$a" -v b="$b" -v at="$at" -v bt="$bt" 'BEGIN { printf "%+.0f", a - b * at / bt }')
echo "$t" | grep -qF "; $delta samples" || fail "tooltip delta: want $delta in '$t'"
pass "diff colours and tooltip ($delta samples for work_beta)"

# difffolded text: the two counts per stack; --no-normalize keeps raw counts.
"$SEAR" diff --no-normalize "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/diff.folded"
line=$(grep ';work_beta ' "$TMP/diff.folded" | sed -n 1p)
stack=${line% * *}
want_b=$(awk -v s="$stack" '{ c = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) print c }' "$TMP/before.folded")
want_a=$(awk -v s="$stack" '{ c = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) print c }' "$TMP/after.folded")
[ "$line" = "$stack ${want_b:-0} ${want_a:-0}" ] || fail "difffolded line '$line', want '$stack $want_b $want_a'"
# ...which flamegraph reads back as a differential graph.
"$SEAR" flamegraph "$TMP/diff.folded" -o "$TMP/fromfolded.svg"
grep -q '; before ' "$TMP/fromfolded.svg" || fail "flamegraph did not read difffolded as a diff"
pass "difffolded text"

# --negate: BEFORE's shape, red still means grew.
"$SEAR" diff --negate "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/neg.svg"
nb=$(grep -o '<title>work_beta ([^<]*</title><rect[^>]*fill="[^"]*"' "$TMP/neg.svg" | sed -n 1p | sed 's/.*fill="//;s/"//')
case "$nb" in rgb\(255,*) ;; *) fail "--negate: work_beta grew but is $nb" ;; esac
grep -q "BEFORE&apos;s shape" "$TMP/neg.svg" || fail "--negate subtitle"
pass "--negate"
