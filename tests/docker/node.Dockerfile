# The app of the docker tests: Node on Debian, with the JS workload of tests/workloads/hot.js
# running as the container's first process. tests/docker/env.sh makes the context: the
# host's node binary and its libraries, since no image registry is reachable.
FROM debian:bookworm-slim
COPY root/ /
# --perf-basic-prof: V8 writes /tmp/perf-1.map, which names the JIT frames.
CMD ["node", "--perf-basic-prof", "/app/hot.js", "86400"]
