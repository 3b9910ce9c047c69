# Targets and accounting: -a, --cgroup (by path and by container id), container labels,
# --pid-roots, lost samples, and the events list.
. "$(dirname "$0")/lib.sh"
need_perf_events

cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cgroot" ] || { echo "skip: no cgroup v2 mounted" >&2; exit 77; }
id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cg="$cgroot/docker-$id.scope"
other="$cgroot/sear-test-other-$$"
mkdir "$cg" "$other"
cleanup_cgroups() {
	local pids
	pids=$(jobs -p)
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null || true
		wait 2>/dev/null || true
	fi
	for d in "$cg" "$other"; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	done
	sleep 0.2
	rmdir "$cg" "$other" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup_cgroups EXIT

# A "container": its own pid namespace, in a cgroup named as Docker names them.
sh -c "echo \$\$ > '$cg/cgroup.procs' && exec unshare --pid --fork '$WORKLOADS/spinner' 20" &
# Something else busy, outside it.
sh -c "echo \$\$ > '$other/cgroup.procs' && exec '$WORKLOADS/two_threads' 20" &
sleep 0.5

# -a finds both, and labels the one in the container by its id.
"$SEAR" record -q -a -d 1.5 -o "$TMP/all.folded"
spin=$(share "$TMP/all.folded" "^\\[container ${id:0:12}\\];spinner;.*attach_target_spin")
busy=$(share "$TMP/all.folded" '^two_threads;.*leaf_(alpha|beta)$')
echo "-a: container spinner=$spin% two_threads=$busy%"
within "$spin" 10 80 || fail "-a: the container's spinner is $spin% under its label"
within "$busy" 10 80 || fail "-a: two_threads is $busy%"
grep -q "^spinner;" "$TMP/all.folded" && fail "-a: the container's process is not under its label"
pass "-a with container labels"

# --cgroup by container id prefix: its frames, and nobody else's.
"$SEAR" record -q --cgroup "${id:0:12}" -d 1 -o "$TMP/cg.folded"
within "$(share "$TMP/cg.folded" '(attach_target|late_thread)_spin')" 90 100 || fail "--cgroup missed the spinner"
grep -q two_threads "$TMP/cg.folded" && fail "--cgroup sampled a process outside the cgroup"
pass "--cgroup by container id"

# --cgroup by path.
"$SEAR" record -q --cgroup "$other" -d 1 -o "$TMP/cgpath.folded"
within "$(share "$TMP/cgpath.folded" '^two_threads;')" 90 100 || fail "--cgroup PATH missed two_threads"
grep -q attach_target_spin "$TMP/cgpath.folded" && fail "--cgroup PATH sampled another cgroup"
pass "--cgroup by path"

status=0
"$SEAR" record -q --cgroup ffffffffffff -d 1 -o "$TMP/x.folded" 2>"$TMP/err" || status=$?
[ "$status" = 1 ] && grep -q "no cgroup 'ffffffffffff'" "$TMP/err" || fail "unknown container id: $(cat "$TMP/err")"

# --pid-roots: one root per process; sear's own work stays out of -a unless asked.
"$SEAR" record -q -a --pid-roots -d 1 -o "$TMP/pids.folded" &
self=$!
wait "$self"
grep -Eq '^two_threads \[[0-9]+\];' "$TMP/pids.folded" || fail "--pid-roots: no 'comm [pid]' roots"
# No sear at all: its helper (symbolizer/sandbox.c) is a process of its own.
grep -q '^sear \[' "$TMP/pids.folded" && fail "-a kept sear's own samples: $(grep '^sear \[' "$TMP/pids.folded" | head -3)"
"$SEAR" record -q -a --pid-roots --include-self -F 4999 -d 1 -o "$TMP/self.folded" &
self=$!
wait "$self"
grep -q "^sear \[$self\];" "$TMP/self.folded" || fail "--include-self: no samples of sear [$self]"
pass "--pid-roots; sear's own samples (its helper's too) out of -a unless --include-self"
# SIGKILL: the spinner is init of its pid namespace, which ignores SIGTERM without a handler.
for d in "$cg" "$other"; do
	for p in $(cat "$d/cgroup.procs"); do kill -9 "$p" 2>/dev/null || true; done
done
wait

# Lost samples: a one-page buffer at a high rate loses some, says so, and the output stays valid.
"$SEAR" record --mmap-pages 1 -F 50000 -o "$TMP/lost.svg" -- "$WORKLOADS/two_threads" 1 2>"$TMP/lost.err"
grep -Eq 'samples lost \([0-9.]+%\)' "$TMP/lost.err" || fail "no lost samples reported: $(cat "$TMP/lost.err")"
xmllint --noout "$TMP/lost.svg" || fail "output with lost samples is not valid"
grep -Eq '[1-9][0-9]* lost(<|,)' "$TMP/lost.svg" || fail "the SVG does not show the lost count"
pass "lost samples: $(grep -o '[0-9]* samples lost ([0-9.]*%)' "$TMP/lost.err")"

# No status line when stderr is not a terminal.
grep -q $'\r' "$TMP/lost.err" && fail "a status line was written to a non-terminal"

# sear list, and near matches for a typo.
"$SEAR" list >"$TMP/list"
grep -q '^  cpu-clock' "$TMP/list" || fail "sear list lacks cpu-clock"
"$SEAR" record -e task-clok -- true 2>"$TMP/err" && fail "a bad event name was accepted"
grep -q "unknown event 'task-clok': did you mean 'task-clock'?" "$TMP/err" || fail "no suggestion: $(cat "$TMP/err")"
pass "events"

# Several events at once: one root frame each.
"$SEAR" record -q -e cpu-clock,page-faults -o "$TMP/multi.folded" -- "$WORKLOADS/two_threads" 0.5
within "$(share "$TMP/multi.folded" '^\[cpu-clock\];two_threads;')" 80 100 || fail "no [cpu-clock] root"
grep -q '^\[page-faults\];two_threads;' "$TMP/multi.folded" || fail "no [page-faults] root"
pass "several events"
