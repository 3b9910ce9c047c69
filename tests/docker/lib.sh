# Shared by the tests that run a real Docker engine (tests/integration/docker-*.sh): sourced.
# It brings tests/integration/lib.sh, makes the engine and images (env.sh), and removes the
# test's containers on every exit.
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# Every container a test runs carries its label, $TEST_LABEL, by which it is removed.
TEST_LABEL=sear-test.pid=$$
docker_cleanup() {
	local ids
	ids=$(timeout 20 docker ps -aq --filter "label=$TEST_LABEL" 2>/dev/null) || true
	if [ -n "$ids" ]; then
		timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
	fi
	docker_env_release
	cleanup
}
# Set before env.sh runs: a dockerd that it starts is stopped even if a later step skips.
trap docker_cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# The rights that perf events need, as users give them: --privileged. Where the engine
# cannot grant that (here the bounding set lacks CAP_SYS_RESOURCE, and runc fails with
# "unable to apply caps"), every other capability and no seccomp filter stand in for it.
if docker run --rm --label "$TEST_LABEL" --privileged debian:bookworm true >/dev/null 2>&1; then
	PRIVILEGED=(--privileged)
else
	PRIVILEGED=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined)
fi
echo "privileged containers run with: ${PRIVILEGED[*]}"

# app_start NAME [DOCKER RUN OPTIONS...] IMAGE: starts the Node app detached, as
# sear-test-NAME-PID, and waits until V8 has named the optimised fibHot in /tmp/perf-1.map.
# Sets APP (the name), APP_ID (the full id) and APP_PID (its first process's host pid).
app_start() {
	local i
	APP=sear-test-$1-$$
	shift
	APP_ID=$(docker run -d --name "$APP" --label "$TEST_LABEL" "$@") ||
		fail "docker run of the app failed"
	APP_PID=$(docker inspect -f '{{.State.Pid}}' "$APP_ID")
	for i in $(seq 100); do
		grep -q 'JS:\*fibHot' "/proc/$APP_PID/root/tmp/perf-1.map" 2>/dev/null && break
		sleep 0.1
	done
	grep -q 'JS:\*fibHot' "/proc/$APP_PID/root/tmp/perf-1.map" 2>/dev/null ||
		fail "the app wrote no JIT map with fibHot in 10 s: $(docker logs "$APP" 2>&1 | tail -n 3)"
}

# check_node_shares FOLDED WHAT: the workload's split and names, as tests/integration/node.sh
# checks them on the host: fibHot about 2/3, computePrimes about 1/3, [unknown] under 1%.
check_node_shares() {
	local fib primes unknown
	[ "$(samples "$1")" -gt 100 ] || fail "$2: only $(samples "$1") samples"
	fib=$(share "$1" ';JS:[*~^]?fibHot /app/hot.js')
	primes=$(share "$1" ';JS:[*~^]?computePrimes /app/hot.js')
	unknown=$(unknown_frames "$1")
	echo "$2: $(samples "$1") samples, fibHot=$fib% computePrimes=$primes% unknown frames=$unknown%"
	within "$fib" 40 90 || fail "$2: fibHot has $fib%"
	within "$primes" 10 60 || fail "$2: computePrimes has $primes%"
	within "$unknown" 0 0.99 || fail "$2: [unknown] is $unknown% of frames"
}

# check_svg SVG WHAT: well-formed, and it names the JS frames.
check_svg() {
	xmllint --noout "$1" || fail "$2: $1 is not well-formed XML"
	grep -q '<title>JS:[*~^]\?fibHot /app/hot.js' "$1" || fail "$2: the SVG has no fibHot frame"
}
