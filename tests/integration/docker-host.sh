# sear on the host, a Node app in a real Docker container (docker/README.md, "From the host"):
# by the container's host pid, by its id with --cgroup, and system-wide with -a, where the
# container's processes sit under [container ID].
. "$(dirname "$0")/../docker/lib.sh"
need_perf_events

app_start host sear-test-node
id=$APP_ID
short=${id:0:12}
pid=$APP_PID

# -p with the host's pid; the JIT map is /tmp/perf-1.map in the container.
"$SEAR" record -q -p "$pid" -d 2 -o "$TMP/pid.folded"
check_node_shares "$TMP/pid.folded" "-p $pid"
pass "-p with the container's host pid"

# --cgroup with a unique prefix of the id: only the container, all of it under its label.
"$SEAR" record -q --cgroup "$short" -d 2 -o "$TMP/cg.folded" -o "$TMP/cg.svg"
check_node_shares "$TMP/cg.folded" "--cgroup $short"
labelled=$(share "$TMP/cg.folded" "^\\[container $short\\];node;")
within "$labelled" 100 100 || fail "--cgroup: $labelled% of the stacks are under [container $short];node"
check_svg "$TMP/cg.svg" "--cgroup"
grep -q "<title>\\[container $short\\] " "$TMP/cg.svg" || fail "--cgroup: the SVG has no container frame"
pass "--cgroup with the id's prefix, and its SVG"

# --cgroup with the full id, as 'docker inspect -f {{.Id}}' prints it.
"$SEAR" record -q --cgroup "$id" -d 1 -o "$TMP/cgfull.folded"
within "$(share "$TMP/cgfull.folded" "^\\[container $short\\];node;.*;JS:[*~^]?fibHot ")" 40 90 ||
	fail "--cgroup with the full id missed fibHot"
pass "--cgroup with the full id"

# -a: the node of the container under its label, and not outside it.
"$SEAR" record -q -a -d 2 -o "$TMP/all.folded"
grep "^\\[container $short\\];" "$TMP/all.folded" >"$TMP/ct.folded" || fail "-a: no [container $short] stacks"
check_node_shares "$TMP/ct.folded" "-a, under [container $short]"
grep -q '^node;.*;JS:[*~^]\?fibHot /app/hot.js' "$TMP/all.folded" &&
	fail "-a: the container's node shows outside its label"
echo "-a: the container has $(share "$TMP/all.folded" "^\\[container $short\\];")% of all samples"
pass "-a with container labels"
