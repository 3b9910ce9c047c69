# A diff of two recordings of different length in which the hot function moved, one
# function disappeared (work_gone) and one appeared (work_new): colours, the hatched frame
# that only BEFORE has, every tooltip's numbers, the normalisation the subtitle names,
# difffolded's text, --negate, and names that differ only by a JIT tier.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$SEAR" record -q -o "$TMP/before.sear" -o "$TMP/before.folded" -- "$WORKLOADS/shift" before 1.5
"$SEAR" record -q -o "$TMP/after.sear" -o "$TMP/after.folded" -- "$WORKLOADS/shift" after 1
"$SEAR" diff "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/diff.svg"
xmllint --noout "$TMP/diff.svg" || fail "diff SVG not well-formed"

# frame NAME: the <g> of NAME's widest frame, up to its <rect> (a rare stray stack, an
# interrupt's or a cut one's, may draw a narrow NAME elsewhere)
frame() {
	grep -o "<g class=\"f[^\"]*\"[^>]*><title>$1 ([^<]*</title><rect[^>]*>" "$2" |
		awk '{ match($0, /width="[0-9.]+"/); w = substr($0, RSTART + 7, RLENGTH - 8) + 0 } w > m { m = w; l = $0 } END { print l }'
}
fill() { echo "$1" | sed 's/.*fill="//;s/".*//'; }
# in_stack FOLDED NAME: samples of stacks through NAME, but for those cut short (a sample
# taken before the unwinder has its tables for a library just mapped)
in_stack() { awk -v n="$2" '/\[truncated\]/ { next } { c = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ ";" n "(;|$)") t += c } END { print t + 0 }' "$1"; }
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
bt=$(samples "$TMP/before.folded")
at=$(samples "$TMP/after.folded")

beta=$(frame work_beta "$TMP/diff.svg")
alpha=$(frame work_alpha "$TMP/diff.svg")
echo "work_beta: $beta"
case "$(fill "$beta")" in rgb\(255,*) ;; *) fail "work_beta grew but is $(fill "$beta"), not red" ;; esac
case "$(fill "$alpha")" in *,255\)) ;; *) fail "work_alpha shrank but is $(fill "$alpha"), not blue" ;; esac

# The subtitle says how BEFORE was scaled: by samples per second, as both are recordings.
scale=$(grep -o 'BEFORE scaled x[0-9.e+-]* by samples per second' "$TMP/diff.svg" | sed 's/BEFORE scaled x//;s/ by.*//')
[ -n "$scale" ] || fail "the subtitle does not say 'by samples per second': $(grep -o 'id="subtitle"[^<]*' "$TMP/diff.svg")"

# check_tooltip NAME: before, after, change in samples, points and percent, as computed here
check_tooltip() {
	local t b a
	t=$(frame "$1" "$TMP/diff.svg")
	b=$(in_stack "$TMP/before.folded" "$1")
	a=$(in_stack "$TMP/after.folded" "$1")
	echo "$t" | grep -qF "(after $(commas "$a") samples, " || fail "$1: after count $a not in '$t'"
	echo "$t" | grep -qF "; before $(commas "$b") samples, " || fail "$1: before count $b not in '$t'"
	awk -v t="$t" -v a="$a" -v b="$b" -v at="$at" -v bt="$bt" -v s="$scale" -v n="$1" 'BEGIN {
		c = a - b * s; p = 100 * a / at - 100 * b / bt
		if (!match(t, /change [-+0-9,]+ samples, [-+0-9.]+ points, [^)]*\)/)) { print n ": no change in " t; exit 1 }
		split(substr(t, RSTART, RLENGTH), w, " "); gsub(/,/, "", w[2])
		if (w[2] - c > 1.5 || c - w[2] > 1.5) { print n ": change " w[2] ", want " c; exit 1 }
		if (w[4] - p > 0.011 || p - w[4] > 0.011) { print n ": points " w[4] ", want " p; exit 1 }
		rel = w[6]; sub(/%\)$/, "", rel); sub(/\)$/, "", rel)
		if (b == 0) { if (rel != "new") { print n ": relative " rel ", want new"; exit 1 } }
		else if ((rel - 100 * c / (b * s)) > 0.2 || (100 * c / (b * s) - rel) > 0.2) { print n ": relative " rel ", want " 100 * c / (b * s); exit 1 }
	}' || fail "tooltip of $1: $t"
}
for f in work_alpha work_beta work_gone work_new step; do
	check_tooltip "$f"
done
pass "colours, and before/after/change in every tooltip (BEFORE x$scale by samples per second)"

# work_gone, only in BEFORE, is drawn: hatched, at its scaled BEFORE width, beside its siblings.
gone=$(frame work_gone "$TMP/diff.svg")
echo "work_gone: $gone"
echo "$gone" | grep -q 'class="f o"' || fail "work_gone is not marked as only in BEFORE"
[ "$(fill "$gone")" = "url(#other)" ] || fail "work_gone is not hatched"
echo "$gone" | grep -q 'after 0 samples' || fail "work_gone has samples after"
echo "$gone" | grep -q -- '-100.0%)' || fail "work_gone's change is not -100%"
new=$(frame work_new "$TMP/diff.svg")
echo "$new" | grep -q 'new)</title>' || fail "work_new is not marked new: $new"
# the widths: AFTER's for the others, BEFORE's (scaled) for work_gone, on one scale
awk -v g="$gone" -v b="$(frame work_beta "$TMP/diff.svg")" -v gb="$(in_stack "$TMP/before.folded" work_gone)" \
	-v ba="$(in_stack "$TMP/after.folded" work_beta)" -v s="$scale" 'BEGIN {
	match(g, /width="[0-9.]+"/); gw = substr(g, RSTART + 7, RLENGTH - 8)
	match(b, /width="[0-9.]+"/); bw = substr(b, RSTART + 7, RLENGTH - 8)
	want = bw * gb * s / ba
	if (gw - want > 1 || want - gw > 1) { print "work_gone is " gw " px, want " want; exit 1 }
}' || fail "work_gone's width"
grep -q '>only in BEFORE</text>' "$TMP/diff.svg" || fail "no legend for the hatched frames"
pass "work_gone drawn hatched at its BEFORE size; work_new marked new"

# --normalize total: BEFORE scaled to AFTER's total.
"$SEAR" diff --normalize total "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/total.svg"
grep -q "BEFORE scaled x[0-9.]* by totals" "$TMP/total.svg" || fail "subtitle of --normalize total"
"$SEAR" diff --no-normalize "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/none.svg"
grep -q "counts not normalised" "$TMP/none.svg" || fail "subtitle of --no-normalize"
# folded inputs know no duration: by totals, and rate is refused
"$SEAR" diff "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/f.svg"
grep -q "by totals" "$TMP/f.svg" || fail "folded inputs are not normalised by totals"
"$SEAR" diff --normalize rate "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/f.svg" 2>"$TMP/err" && fail "rate without durations accepted"
grep -q "needs the duration of both inputs" "$TMP/err" || fail "rate message: $(cat "$TMP/err")"
pass "normalisation: rate, total, none, and the subtitle says which"

# difffolded's text: BEFORE AFTER per stack.
"$SEAR" diff --no-normalize "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/diff.folded"
line=$(grep ';work_beta ' "$TMP/diff.folded" | sed -n 1p)
stack=${line% * *}
want_b=$(awk -v s="$stack" '{ c = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) print c }' "$TMP/before.folded")
want_a=$(awk -v s="$stack" '{ c = $NF; $NF = ""; sub(/ $/, ""); if ($0 == s) print c }' "$TMP/after.folded")
[ "$line" = "$stack ${want_b:-0} ${want_a:-0}" ] || fail "difffolded line '$line', want '$stack $want_b $want_a'"
grep -q ';work_gone [1-9][0-9]* 0$' "$TMP/diff.folded" || fail "work_gone lost in the text"
grep -q ';work_new 0 [1-9][0-9]*$' "$TMP/diff.folded" || fail "work_new lost in the text"
# -n: BEFORE's counts times AFTER's total over BEFORE's, truncated
"$SEAR" diff -n "$TMP/before.folded" "$TMP/after.folded" -o "$TMP/n.folded"
awk -v bt="$bt" -v at="$at" 'NR == FNR { s = $0; sub(/ [0-9]+$/, "", s); b[s] = $NF; next }
	{ s = $0; sub(/ [0-9]+ [0-9]+$/, "", s); want = int((b[s] + 0) * at / bt)
	  if ($(NF - 1) != want) { print s ": " $(NF - 1) " want " want; bad = 1 } }
	END { exit bad }' "$TMP/before.folded" "$TMP/n.folded" || fail "-n counts"
# ...which flamegraph reads back as a differential graph.
"$SEAR" flamegraph "$TMP/diff.folded" -o "$TMP/fromfolded.svg"
grep -q '; before ' "$TMP/fromfolded.svg" || fail "flamegraph did not read difffolded as a diff"
pass "difffolded text, -n, and flamegraph reading it"

# --negate: BEFORE's shape; red still means it grew; work_new is now the hatched one.
"$SEAR" diff --negate "$TMP/before.sear" "$TMP/after.sear" -o "$TMP/neg.svg"
case "$(fill "$(frame work_beta "$TMP/neg.svg")")" in rgb\(255,*) ;; *) fail "--negate: work_beta grew but is not red" ;; esac
frame work_new "$TMP/neg.svg" | grep -q 'class="f o"' || fail "--negate: work_new is not drawn as only in AFTER"
grep -q '>only in AFTER</text>' "$TMP/neg.svg" || fail "--negate legend"
grep -q "BEFORE&apos;s shape" "$TMP/neg.svg" || fail "--negate subtitle"
pass "--negate"

# Names that differ only by V8's tier or an address are the same function, unless told.
printf 'node;main;JS:~fib /app/x.js:3 60\nnode;main;[libc.so.6 <7f12ab>] 5\n' >"$TMP/v1.folded"
printf 'node;main;JS:*fib /app/x.js:3 60\nnode;main;[libc.so.6 <7f99cd>] 5\n' >"$TMP/v2.folded"
"$SEAR" diff "$TMP/v1.folded" "$TMP/v2.folded" -o "$TMP/v.folded" 2>/dev/null
[ "$(cat "$TMP/v.folded")" = "node;main;JS:fib /app/x.js:3 60 60
node;main;[libc.so.6] 5 5" ] || fail "tiers and addresses show as changes: $(cat "$TMP/v.folded")"
"$SEAR" diff "$TMP/v1.folded" "$TMP/v2.folded" -o "$TMP/v.svg"
grep -q "4 names normalised" "$TMP/v.svg" || fail "the subtitle does not say names were normalised"
grep -q 'class="f o"' "$TMP/v.svg" && fail "a normalised name was drawn as removed"
"$SEAR" diff --exact-names "$TMP/v1.folded" "$TMP/v2.folded" -o "$TMP/x.folded"
grep -q '^node;main;JS:~fib /app/x.js:3 60 0$' "$TMP/x.folded" || fail "--exact-names"
pass "V8 tiers and addresses normalised, --exact-names keeps them"
