#!/usr/bin/env bash
# A fuzzing campaign: every target of tests/fuzz under libFuzzer, ASan and UBSan, with
# the libraries instrumented too (-DSEAR_FUZZ=ON, clang), each for MINUTES of its own
# CPU time (not wall time: the machine is shared), at nice 19.
#
#   bench/fuzz.sh MINUTES [TARGET...]     (default: every target)
#
# Environment: JOBS targets at once (default 2), BUILD the build directory
# (default build-fuzz), OUT where the work corpora, logs and findings go (default
# /tmp/sear-fuzz).
#
# Each target starts from its seed corpus in tests/fuzz/corpus/TARGET; what it finds
# (crashes, leaks, timeouts, blow-ups past 2 GB) is written to OUT/TARGET/findings.
# A campaign interrupted goes on where it stopped when run again with the same OUT
# (delete OUT to start afresh). At the end a table gives, per target, the CPU minutes, executions, coverage
# (edges and features, as libFuzzer counts them) and the findings. Add each finding
# to the target's corpus as regress-*, and fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: bench/fuzz.sh MINUTES [TARGET...]}
shift
budget=$(awk -v m="$minutes" 'BEGIN { print int(m * 60) }') # CPU seconds per target
jobs=${JOBS:-2}
build=${BUILD:-build-fuzz}
out=${OUT:-/tmp/sear-fuzz}
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for f in tests/fuzz/fuzz-*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz-}")
	done
fi

command -v clang >/dev/null || { echo "fuzz: clang (with libFuzzer) is needed" >&2; exit 1; }
CC=clang cmake -S . -B "$build" -DSEAR_FUZZ=ON -DSEAR_WERROR=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice -n 19 cmake --build "$build" -j "$(nproc)" \
	--target $(printf 'fuzz-%s ' "${targets[@]}") >/dev/null
mkdir -p "$out"

cpu_seconds() { # PID: user + system time of the process, in seconds
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print int(($12 + $13) / hz) }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# Runs one target until it has had MINUTES of CPU, then interrupts it (libFuzzer prints
# its final stats on SIGINT). A finding stops libFuzzer: it starts again from the corpus
# it has grown (the finding is not in it), at most 20 times, until the time is used.
run() {
	local t=$1 dir=$out/$1 pid cpu used=0 starts=0
	# A campaign stopped half-way goes on where it was, with the corpus it grew.
	if [ -f "$dir/used" ]; then
		used=$(cat "$dir/used")
	else
		rm -rf "$dir"
		mkdir -p "$dir/corpus" "$dir/findings"
		cp -r tests/fuzz/corpus/"$t"/. "$dir/corpus/"
	fi
	while [ "$used" -lt "$budget" ] && [ "$starts" -lt 20 ]; do
		starts=$((starts + 1))
		ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan.supp \
			nice -n 19 "$build/tests/fuzz-$t" -print_final_stats=1 -timeout=10 \
			-rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
			-artifact_prefix="$dir/findings/" "$dir/corpus" >>"$dir/log" 2>&1 &
		pid=$!
		cpu=0
		while kill -0 "$pid" 2>/dev/null; do
			cpu=$(cpu_seconds "$pid")
			if [ $((used + cpu)) -ge "$budget" ]; then
				kill -INT "$pid" 2>/dev/null || true
				break
			fi
			sleep 5
		done
		wait "$pid" 2>/dev/null || true
		used=$((used + cpu))
		echo "$used" >"$dir/used"
	done
	echo "$used" >"$dir/cpu"
	echo "fuzz: $t: $((used / 60)) CPU minutes, $(ls "$dir/findings" | wc -l) findings" >&2
}

active=0
for t in "${targets[@]}"; do
	run "$t" &
	active=$((active + 1))
	if [ "$active" -ge "$jobs" ]; then
		wait -n || true
		active=$((active - 1))
	fi
done
wait

printf '| target | CPU min | execs | edges | features | corpus | findings |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for t in "${targets[@]}"; do
	log=$out/$t/log
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" |
		awk '{ n += $2 } END { print n + 0 }')
	last=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
	finds=$(ls "$out/$t/findings" | wc -l)
	printf '| %s | %.1f | %s | %s | %s | %s | %s |\n' "$t" \
		"$(awk '{ print $1 / 60 }' "$out/$t/cpu")" "$execs" \
		"$(echo "$last" | awk '{ print $2 }')" "$(echo "$last" | awk '{ print $4 }')" \
		"$(echo "$last" | awk '{ print $6 }')" "$finds"
done
