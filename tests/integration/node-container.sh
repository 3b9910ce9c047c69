# Node in its own pid and mount namespace (a chroot "container"), profiled from the host
# until it exits: the map is /tmp/perf-1.map inside the container, found through its root.
. "$(dirname "$0")/lib.sh"
need_perf_events
command -v node >/dev/null || { echo "skip: no node" >&2; exit 77; }
command -v unshare >/dev/null || { echo "skip: no unshare" >&2; exit 77; }
: "${SOURCE_DIR:?}"

# A rootfs of node and the libraries ldd lists, as a container image would hold.
root="$TMP/rootfs"
mkdir -p "$root/tmp" "$root/app" "$root/usr/bin"
chmod 1777 "$root/tmp"
node_bin=$(readlink -f "$(command -v node)")
for f in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
cp -L "$node_bin" "$root/usr/bin/node"
cp "$SOURCE_DIR/tests/workloads/hot.js" "$root/app/"

NODE_EXTRA_CA_CERTS= "$SEAR" record -q -o "$TMP/ct.folded" -- \
	unshare --pid --fork --mount chroot "$root" /usr/bin/node --perf-basic-prof /app/hot.js 2
[ -s "$root/tmp/perf-1.map" ] || fail "node did not write /tmp/perf-1.map in the container"
fib=$(share "$TMP/ct.folded" '^node;.*;JS:[*~^]?fibHot /app/hot.js')
unknown=$(unknown_frames "$TMP/ct.folded")
echo "fibHot=$fib% unknown frames=$unknown%"
within "$fib" 40 90 || fail "container: fibHot has $fib%"
within "$unknown" 0 1 || fail "container: [unknown] is $unknown% of frames"
pass "container JIT names through the pinned root and the namespace pid"
