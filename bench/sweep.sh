#!/usr/bin/env bash
# The truncation sweep: 'sear report' on every cut of the first 4 KiB of an input, on
# RANDOM more cuts past them and on RANDOM single-byte flips anywhere, and the outcome of
# each, in classes:
#
#   same        exit 0, the whole input's stacks, no message
#   warned      exit 0, a warning (and "no samples" when none are left), at most the whole
#               input's samples
#   refused     exit 1, one line that says why
#   crash       killed by a signal, or a sanitizer's report
#   hang        no end within 20 s
#   other       anything else (more lines, more samples than the whole...)
#
#   bench/sweep.sh FILE [RANDOM]      (RANDOM: 200 by default)
#
# BUILD picks the build (default build-asan when it exists, so that overreads show,
# else build). Prints a table of the classes and of the messages met, numbers and
# paths left out; the inputs of crashes, hangs and others are kept in /tmp/sear-sweep-kept.
# Seeded
# from the file's size: the same input gives the same sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:?usage: bench/sweep.sh FILE [RANDOM]}
random=${2:-200}
build=${BUILD:-$([ -x build-asan/sear ] && echo build-asan || echo build)}
sear=$build/sear
[ -x "$sear" ] || { echo "sweep: build first" >&2; exit 1; }
tmp=$(mktemp -d /tmp/sear-sweep.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
size=$(stat -c %s "$file")
"$sear" report "$file" -o "$tmp/whole.folded" 2>/dev/null
whole=$(awk '{ t += $NF } END { print t + 0 }' "$tmp/whole.folded")
RANDOM=$size

# keep INPUT NAME: a copy of an input worth a look, in /tmp/sear-sweep-kept.
keep() {
	mkdir -p /tmp/sear-sweep-kept
	cp "$1" "/tmp/sear-sweep-kept/$2-$(basename "$file")-$RANDOM"
}

# run KIND INPUT: one report, one line "KIND CLASS MESSAGE" on stdout.
run() {
	local kind=$1 in=$2 status=0 class msg got
	timeout 20 "$sear" report "$in" -o "$tmp/out.folded" 2>"$tmp/err" || status=$?
	msg=$(head -1 "$tmp/err" | sed -E "s|'[^']*'|'X'|g; s/[0-9]+/N/g")
	got=$( [ -f "$tmp/out.folded" ] && awk '{ t += $NF } END { print t + 0 }' "$tmp/out.folded" || echo 0)
	if grep -qE 'Sanitizer|runtime error' "$tmp/err" || [ "$status" -gt 124 ]; then
		class=crash
		keep "$in" "$kind-crash"
	elif [ "$status" = 124 ]; then
		class=hang
		keep "$in" "$kind-hang"
	elif [ "$status" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		class=refused
	elif [ "$status" = 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out.folded" "$tmp/whole.folded"; then
		class=same
	elif [ "$status" = 0 ] && [ "$(grep -vc 'no samples in' "$tmp/err")" -le 1 ] &&
		[ "$got" -le "$whole" ]; then
		class=warned
	else
		class=other
		keep "$in" "$kind-other"
	fi
	rm -f "$tmp/out.folded"
	echo "$kind $class ${msg:--}"
}

{
	max=$((size < 4096 ? size : 4096))
	for cut in $(seq 0 $((max - 1))); do
		head -c "$cut" "$file" >"$tmp/in"
		run cut "$tmp/in"
	done
	for _ in $(seq "$random"); do
		[ "$size" -gt 4096 ] || break
		cut=$((4096 + (RANDOM * 32768 + RANDOM) % (size - 4096)))
		head -c "$cut" "$file" >"$tmp/in"
		run cut "$tmp/in"
	done
	for _ in $(seq "$random"); do
		at=$(((RANDOM * 32768 + RANDOM) % size))
		old=$(od -An -tu1 -j "$at" -N1 "$file" | tr -d ' ')
		cp "$file" "$tmp/in"
		printf "$(printf '\\%03o' $((old ^ (1 + RANDOM % 255))))" |
			dd of="$tmp/in" bs=1 seek="$at" conv=notrunc status=none
		run flip "$tmp/in"
	done
} >"$tmp/results"

echo "$file: $size bytes, $whole samples whole; $(wc -l <"$tmp/results") runs of $sear"
printf '| runs | same | warned | refused | crash | hang | other |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for kind in cut flip; do
	awk -v k="$kind" '$1 == k { n++; c[$2]++ } END {
		printf "| %s %d | %d | %d | %d | %d | %d | %d |\n", k == "cut" ? "cuts" : "flips", n,
			c["same"], c["warned"], c["refused"], c["crash"], c["hang"], c["other"] }' \
		"$tmp/results"
done
echo
echo "messages (numbers and names left out):"
cut -d' ' -f2- "$tmp/results" | sort | uniq -c | sort -rn | sed 's/^/  /'
