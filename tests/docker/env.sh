#!/usr/bin/env bash
# The Docker engine and images that the docker tests (tests/integration/docker-*.sh) need,
# made from Debian's packages alone: no image registry is needed.
#
#   tests/docker/env.sh [up]   install docker.io and debootstrap where missing (as root), start
#                              dockerd when no engine answers, and build the images:
#                                debian:bookworm (+ bookworm-slim)  debootstrap minbase, cached
#                                sear:test                          docker/Dockerfile
#                                sear-test-node                     node + tests/workloads/hot.js
#                                sear-test-node:with-sear           the same, with sear from sear:test
#   tests/docker/env.sh down   stop the dockerd that 'up' started, and nothing else
#
# Sourced by a test, it runs 'up', and the test calls docker_env_release at exit: that stops
# dockerd if this test started it. Under ctest's docker fixture (tests/docker/docker.cmake),
# docker/setup runs 'up', docker/cleanup runs 'down', and the tests only check that the
# engine answers (SEAR_DOCKER_FIXTURE=1).
#
# Exits 77 (skip) only when no engine can be had: packages that cannot be installed, a
# dockerd that does not come up, no base image. A broken image build is a failure (1).
# Every step is idempotent and bounded in time, and prints one line.
#
# Environment:
#   SEAR_DOCKER_DIR    state: dockerd's pid file and log, build logs, the app's build context
#                      (default ${TMPDIR:-/tmp}/sear-docker)
#   SEAR_DOCKER_CACHE  the debootstrap tarball, kept between runs (default /var/cache/sear-tests);
#                      it is made again when older than 30 days
#   SOURCE_DIR         the repository (default: two levels above this file)

docker_env__dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SOURCE_DIR:=$(cd "$docker_env__dir/../.." && pwd)}"
: "${SEAR_DOCKER_DIR:=${TMPDIR:-/tmp}/sear-docker}"
: "${SEAR_DOCKER_CACHE:=/var/cache/sear-tests}"
docker_env__pidfile=$SEAR_DOCKER_DIR/dockerd.pid
docker_env__started=""

docker_env__say() {
	echo "docker-env: $*"
}

docker_env__skip() {
	echo "skip: docker: $*" >&2
	exit 77
}

docker_env__secs() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'
}

# docker_env__packages PKG...: installs those of PKG that dpkg lacks, as tools/setup.sh does.
docker_env__packages() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
			missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		docker_env__say "packages:$* present"
		return
	fi
	[ "$(id -u)" = 0 ] || docker_env__skip "missing packages:$missing; run as root to install them"
	docker_env__say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	timeout 300 apt-get update -qq >/dev/null 2>&1 &&
		timeout 600 apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
		docker_env__skip "apt-get cannot install$missing"
}

docker_env__answers() {
	timeout 20 docker info >/dev/null 2>&1
}

# Starts dockerd when no engine answers; waits for it at most 60 s.
docker_env__engine() {
	local start pid deadline
	if docker_env__answers; then
		docker_env__say "engine answers: $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
		return
	fi
	# A dockerd from elsewhere (docker-ce) needs no docker.io, which would conflict with it.
	command -v dockerd >/dev/null && command -v docker >/dev/null || docker_env__packages docker.io
	[ "$(id -u)" = 0 ] || docker_env__skip "no engine answers, and only root can start dockerd"
	mkdir -p "$SEAR_DOCKER_DIR"
	start=$(date +%s.%N)
	# setsid and a subshell: the daemon outlives the test or fixture that starts it, is
	# not one of the test's jobs, and holds none of ctest's pipes open.
	(
		setsid dockerd --iptables=false --bridge=none >"$SEAR_DOCKER_DIR/dockerd.log" 2>&1 </dev/null &
		echo $! >"$docker_env__pidfile"
	)
	pid=$(cat "$docker_env__pidfile")
	deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		docker_env__answers && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if ! docker_env__answers; then
		kill "$pid" 2>/dev/null || true
		rm -f "$docker_env__pidfile"
		tail -n 5 "$SEAR_DOCKER_DIR/dockerd.log" >&2
		docker_env__skip "dockerd did not come up (log: $SEAR_DOCKER_DIR/dockerd.log)"
	fi
	docker_env__started=1
	docker_env__say "started dockerd (pid $pid, log $SEAR_DOCKER_DIR/dockerd.log) in $(docker_env__secs "$start")"
}

# Removes the containers of tests that died without their cleanup (a ctest timeout kills).
docker_env__stale() {
	local id owner n=0
	while read -r id owner; do
		[ -n "$id" ] || continue
		kill -0 "$owner" 2>/dev/null && continue
		docker rm -f "$id" >/dev/null 2>&1 && n=$((n + 1))
	done < <(docker ps -a --filter label=sear-test.pid --format '{{.ID}} {{.Label "sear-test.pid"}}')
	[ "$n" = 0 ] || docker_env__say "removed $n containers left by dead tests"
}

# debian:bookworm from a debootstrap minbase tarball, without apt's caches (Dockerfiles run
# apt-get update), made again when older than 30 days.
docker_env__base() {
	local tar=$SEAR_DOCKER_CACHE/bookworm-minbase.tar start tmp
	if docker image inspect debian:bookworm >/dev/null 2>&1; then
		docker image inspect debian:bookworm-slim >/dev/null 2>&1 ||
			docker tag debian:bookworm debian:bookworm-slim
		docker_env__say "debian:bookworm present"
		return
	fi
	if [ -z "$(find "$tar" -mtime -30 2>/dev/null)" ]; then
		docker_env__packages debootstrap
		mkdir -p "$SEAR_DOCKER_CACHE"
		tmp=$(mktemp -d "$SEAR_DOCKER_CACHE/rootfs.XXXXXX")
		start=$(date +%s.%N)
		if ! timeout 900 debootstrap --variant=minbase bookworm "$tmp" >"$SEAR_DOCKER_DIR/debootstrap.log" 2>&1; then
			rm -rf "$tmp"
			tail -n 5 "$SEAR_DOCKER_DIR/debootstrap.log" >&2
			docker_env__skip "debootstrap failed: no base image (log: $SEAR_DOCKER_DIR/debootstrap.log)"
		fi
		tar -C "$tmp" --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
			-cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
		rm -rf "$tmp"
		docker_env__say "debootstrap bookworm minbase into $tar in $(docker_env__secs "$start")"
	fi
	start=$(date +%s.%N)
	docker import "$tar" debian:bookworm >/dev/null || docker_env__skip "docker import of $tar failed"
	docker tag debian:bookworm debian:bookworm-slim
	docker_env__say "imported debian:bookworm (+ bookworm-slim) from $tar in $(docker_env__secs "$start")"
}

# docker_env__build TAG CONTEXT DOCKERFILE: builds with the host's network (apt reaches the
# mirror without a bridge); Docker's layer cache makes an unchanged build a few seconds.
docker_env__build() {
	local tag=$1 context=$2 dockerfile=$3 start log
	log=$SEAR_DOCKER_DIR/build-${tag//[:\/]/-}.log
	start=$(date +%s.%N)
	if ! timeout 900 docker build --network host -f "$dockerfile" -t "$tag" "$context" >"$log" 2>&1; then
		grep -v -e DEPRECATED -e buildx -e 'docs.docker.com' "$log" | tail -n 15 >&2
		echo "FAIL: docker build of $tag failed (log: $log)" >&2
		exit 1
	fi
	docker_env__say "built $tag in $(docker_env__secs "$start")"
}

# docker_env__copy SRC DST: copies only what changed, so that the build context keeps its
# files and Docker's cache holds.
docker_env__copy() {
	cmp -s "$1" "$2" 2>/dev/null && return
	mkdir -p "$(dirname "$2")"
	cp -L "$1" "$2"
}

# The app: the host's node and the libraries ldd lists (at their real paths, so that the
# image's /lib -> usr/lib stays a link), and the workload of tests/workloads/hot.js.
docker_env__app_context() {
	local ctx=$1 node_bin f
	node_bin=$(readlink -f "$(command -v node)") || docker_env__skip "no node on the host to put in the app image"
	for f in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
		docker_env__copy "$f" "$ctx/root$(readlink -f "$f")"
	done
	docker_env__copy "$node_bin" "$ctx/root/usr/local/bin/node"
	docker_env__copy "$SOURCE_DIR/tests/workloads/hot.js" "$ctx/root/app/hot.js"
	docker_env__copy "$SOURCE_DIR/docker/runtime-packages.txt" "$ctx/runtime-packages.txt"
	docker_env__copy "$docker_env__dir/node.Dockerfile" "$ctx/node.Dockerfile"
	docker_env__copy "$docker_env__dir/node-with-sear.Dockerfile" "$ctx/node-with-sear.Dockerfile"
}

docker_env_up() {
	local ctx=$SEAR_DOCKER_DIR/node-context
	command -v node >/dev/null || docker_env__skip "no node on the host to put in the app image"
	if [ -n "${SEAR_DOCKER_FIXTURE:-}" ]; then
		# docker/setup has made everything; a test only checks that it still stands.
		docker_env__answers || docker_env__skip "no engine answers: docker/setup says why"
		docker image inspect sear:test sear-test-node sear-test-node:with-sear >/dev/null 2>&1 ||
			docker_env__skip "no test images: docker/setup says why"
		return
	fi
	mkdir -p "$SEAR_DOCKER_DIR"
	docker_env__engine
	docker_env__stale
	docker_env__base
	docker_env__build sear:test "$SOURCE_DIR" "$SOURCE_DIR/docker/Dockerfile"
	docker_env__app_context "$ctx"
	docker_env__build sear-test-node "$ctx" "$ctx/node.Dockerfile"
	docker_env__build sear-test-node:with-sear "$ctx" "$ctx/node-with-sear.Dockerfile"
}

# Stops the dockerd whose pid file 'up' wrote; a dockerd someone else started keeps running.
docker_env_down() {
	local pid deadline
	pid=$(cat "$docker_env__pidfile" 2>/dev/null) || {
		docker_env__say "no dockerd of ours to stop"
		return 0
	}
	rm -f "$docker_env__pidfile"
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
		docker_env__say "dockerd (pid $pid) already gone"
		return 0
	fi
	kill "$pid" 2>/dev/null || true
	deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.5
	done
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
	docker_env__say "stopped dockerd (pid $pid)"
}

# For a test's exit trap: stops dockerd only if this test started it.
docker_env_release() {
	[ -n "$docker_env__started" ] && docker_env_down >/dev/null
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-up}" in
	up) docker_env_up ;;
	down) docker_env_down ;;
	*)
		echo "usage: $0 [up|down]" >&2
		exit 2
		;;
	esac
else
	docker_env_up
fi
