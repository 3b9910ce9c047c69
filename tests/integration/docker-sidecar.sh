# A sidecar (docker/README.md, "A sidecar"): the sear image in the app's pid namespace,
# writing the flame graph to a directory of the host's through a bind mount.
. "$(dirname "$0")/../docker/lib.sh"

app_start sidecar sear-test-node
out=$TMP/out
mkdir "$out"

# As users run it, with the rights that perf events need.
docker run --rm --label "$TEST_LABEL" --pid="container:$APP" "${PRIVILEGED[@]}" -v "$out":/out \
	sear:test record -q -p 1 -d 2 -o /out/flame.svg -o /out/flame.folded ||
	fail "the sidecar failed"
[ -s "$out/flame.svg" ] || fail "no flame.svg on the host"
check_svg "$out/flame.svg" "sidecar"
check_node_shares "$out/flame.folded" "sidecar -p 1"
pass "sidecar: -p 1 in the app's pid namespace, the SVG on the host"

# The smallest grant that docker/README.md gives: CAP_SYS_ADMIN alone; Docker's default
# seccomp profile lets a container with it call perf_event_open.
docker run --rm --label "$TEST_LABEL" --pid="container:$APP" --cap-add SYS_ADMIN -v "$out":/out \
	sear:test record -q -p 1 -d 1 -o /out/sysadmin.folded 2>"$TMP/err" ||
	fail "the sidecar with --cap-add SYS_ADMIN failed: $(cat "$TMP/err")"
within "$(share "$out/sysadmin.folded" ';JS:[*~^]?fibHot /app/hot.js')" 40 90 ||
	fail "--cap-add SYS_ADMIN: fibHot has $(share "$out/sysadmin.folded" ';JS:[*~^]?fibHot ')%"
pass "sidecar with --cap-add SYS_ADMIN and Docker's default seccomp"
