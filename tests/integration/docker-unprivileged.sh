# sear in a container with Docker's default capabilities and seccomp profile, which deny
# perf_event_open: sear must fail with an error, both as a sidecar and inside the app.
#
# And two more: the error names the Docker remedy ('--privileged' or '--cap-add'), and an
# output file that was there before keeps its bytes (SEAR_STRICT_UNPRIVILEGED=0 drops them).
. "$(dirname "$0")/../docker/lib.sh"
: "${SEAR_STRICT_UNPRIVILEGED:=1}"
out=$TMP/out
mkdir "$out"

# expect_denied WHAT FILE -- COMMAND...: COMMAND (which writes /out/FILE) exits non-zero with
# an error from sear; FILE held other bytes before.
expect_denied() {
	local what=$1 file=$2 status=0 before after
	shift 3
	printf '<svg xmlns="http://www.w3.org/2000/svg">an earlier flame graph</svg>\n' >"$out/$file"
	before=$(cksum <"$out/$file")
	"$@" 2>"$TMP/err" || status=$?
	echo "$what: exit $status, stderr:"
	sed 's/^/    /' "$TMP/err"
	# 125 and above are docker's own failures, or a signal: sear must have said no itself.
	[ "$status" -ge 1 ] && [ "$status" -le 124 ] || fail "$what: exited $status"
	tail -n 1 "$TMP/err" | grep -q '^sear: ' || fail "$what: the last line is not an error from sear"
	after=$(cksum <"$out/$file" 2>/dev/null || echo missing)
	if [ "$after" = "$before" ]; then
		echo "$what: the earlier $file kept its bytes"
	else
		echo "$what: the earlier $file did not survive: now $(wc -c <"$out/$file" 2>/dev/null || echo no) bytes"
	fi
	if [ "$SEAR_STRICT_UNPRIVILEGED" = 1 ]; then
		grep -Eq -- '--privileged|--cap-add' "$TMP/err" ||
			fail "$what: the error names neither --privileged nor --cap-add"
		[ "$after" = "$before" ] || fail "$what: a failed run destroyed the earlier $file"
	fi
	pass "$what: denied with an error"
}

app_start unprivileged -v "$out":/out sear-test-node:with-sear

expect_denied "sidecar with default rights" flame.svg -- \
	docker run --rm --label "$TEST_LABEL" --pid="container:$APP" -v "$out":/out \
	sear:test record -p 1 -d 1 -o /out/flame.svg

expect_denied "docker exec in an app with default rights" exec.svg -- \
	docker exec "$APP" sear record -p 1 -d 1 -o /out/exec.svg
