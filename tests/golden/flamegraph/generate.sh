#!/usr/bin/env bash
# Regenerates the frames that flamegraph.pl draws for the folded inputs here
# (inputs/), under a set of its options: one expected/CASE.frames per case in
# cases.txt, each frame's name, rectangle, fill and label, as
# tests/integration/svg-frames.pl lists them. Made by running the script; only
# those lists are kept, never its SVG (which holds its script).
#
#   FLAMEGRAPH_DIR=../shared/reference/FlameGraph tests/golden/flamegraph/generate.sh
#
# The inputs: folded text from the collapse corpus, random folded text from
# folded-gen.pl (seeds 1 and 2), and difffolded.pl's output for two pairs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${FLAMEGRAPH_DIR:?set FLAMEGRAPH_DIR to the FlameGraph scripts}"
fg="$FLAMEGRAPH_DIR/flamegraph.pl"
frames="perl $root/tests/integration/svg-frames.pl"
in="$here/inputs"
mkdir -p "$in" "$here/expected"
rm -f "$in"/* "$here/expected"/*

corpus="$root/tests/golden/collapse/expected"
cp "$corpus/names-F.all.folded" "$in/names.folded"
cp "$corpus/node.all.folded" "$in/node.folded"
cp "$corpus/kernel-dd.all.folded" "$in/kernel.folded"
cp "$corpus/system.default.folded" "$in/system.folded"
perl "$root/tests/integration/folded-gen.pl" 1 120 clean >"$in/random1.folded"
perl "$root/tests/integration/folded-gen.pl" 2 120 >"$in/random2.folded"
"$FLAMEGRAPH_DIR/difffolded.pl" "$corpus/names-F.default.folded" "$corpus/names-c.default.folded" |
	LC_ALL=C sort >"$in/diff.folded"
"$FLAMEGRAPH_DIR/difffolded.pl" -n "$corpus/names-c.default.folded" "$corpus/names-F.default.folded" |
	LC_ALL=C sort >"$in/diff-n.folded"

: >"$here/cases.txt"
add() { # INPUT NAME OPTIONS...
	local input=$1 name=$2
	shift 2
	(cd "$here" && "$fg" "$@" "inputs/$input") 2>/dev/null | $frames >"$here/expected/${input%.folded}.$name.frames"
	echo "$input|$name|$*" >>"$here/cases.txt"
}
for f in names node kernel system random1 random2; do
	add "$f.folded" default
	add "$f.folded" hash --hash
	add "$f.folded" inverted --inverted --title T --subtitle S
	add "$f.folded" reverse --reverse
	add "$f.folded" geometry --width 800 --height 20 --fontsize 13.5 --fontwidth 0.7 --minwidth 2
done
for pal in java js perl mem io wakeup chain red green blue aqua yellow purple orange; do
	add node.folded "$pal" --colors "$pal"
done
add names.folded flamechart --flamechart
add names.folded minwidth-pct --minwidth 0.5%
add names.folded minwidth-0 --minwidth 0
add names.folded total --total 999999999 --factor 2
add random2.folded flamechart --flamechart --colors js
add random2.folded minwidth-0 --minwidth 0 --hash
for f in diff diff-n; do
	add "$f.folded" default
	add "$f.folded" negate --negate
	add "$f.folded" inverted --inverted
	add "$f.folded" minwidth-0 --minwidth 0
done
echo "$(wc -l <"$here/cases.txt") cases, $(du -sh "$here/expected" | cut -f1) of frames"
