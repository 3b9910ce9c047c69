# perf maps are written by the profiled process and read by root: a map is used only when
# it is a regular file, not a symlink, owned by root or the process's user, and written
# since the process started. A refused map is reported once and recording goes on.
. "$(dirname "$0")/lib.sh"
need_perf_events
[ "$(uname -m)" = x86_64 ] || { echo "skip: the JIT workload is x86-64 code" >&2; exit 77; }

# start_jit SECONDS: runs the JIT workload paused; sets pid, addr, size. go_jit starts it.
start_jit() {
	rm -f "$TMP/in" "$TMP/out"
	mkfifo "$TMP/in"
	"$WORKLOADS/jit" "$1" <"$TMP/in" >"$TMP/out" &
	pid=$!
	exec 3>"$TMP/in"
	for _ in $(seq 50); do
		[ -s "$TMP/out" ] && break
		sleep 0.05
	done
	read -r addr size <"$TMP/out"
	rm -f "/tmp/perf-$pid.map" # an earlier process's, with the same pid
}
go_jit() {
	echo go >&3
	exec 3>&-
}

# A good map names the JIT code, coloured as JIT.
start_jit 1.5
echo "$addr $size jitted_hot_loop" >"/tmp/perf-$pid.map"
go_jit
"$SEAR" record -q -p "$pid" -d 1 -o "$TMP/good.folded"
wait "$pid"
rm -f "/tmp/perf-$pid.map"
s=$(share "$TMP/good.folded" ';jitted_hot_loop$')
within "$s" 80 100 || fail "the JIT code is named in $s% of samples: $(head -3 "$TMP/good.folded")"
pass "a good map names JIT code"

# A FIFO as the map: recording neither hangs nor fails, and says why it was ignored.
start_jit 1.5
mkfifo "/tmp/perf-$pid.map"
go_jit
timeout 20 "$SEAR" record -p "$pid" -d 1 -o "$TMP/fifo.folded" 2>"$TMP/fifo.err" ||
	fail "recording with a FIFO map failed or hung: $(cat "$TMP/fifo.err")"
wait "$pid"
rm -f "/tmp/perf-$pid.map"
[ "$(grep -c "ignoring '/tmp/perf-$pid.map' of pid $pid: it is not a regular file" "$TMP/fifo.err")" = 1 ] ||
	fail "not one message for the FIFO: $(cat "$TMP/fifo.err")"
within "$(samples "$TMP/fifo.folded")" 500 100000 || fail "samples lost with a FIFO map"
pass "FIFO map"

# A map owned by someone else: refused with a message.
start_jit 1.5
echo "$addr $size planted_by_someone_else" >"/tmp/perf-$pid.map"
chown 12345:12345 "/tmp/perf-$pid.map"
go_jit
"$SEAR" record -p "$pid" -d 1 -o "$TMP/owner.folded" 2>"$TMP/owner.err"
wait "$pid"
rm -f "/tmp/perf-$pid.map"
grep -q planted_by_someone_else "$TMP/owner.folded" && fail "a map with the wrong owner was used"
[ "$(grep -c "ignoring '/tmp/perf-$pid.map' of pid $pid: its owner is neither root nor the process's user" \
	"$TMP/owner.err")" = 1 ] || fail "not one message for the owner: $(cat "$TMP/owner.err")"
pass "wrong owner"

# A map older than the process, left by an earlier one with the same pid: not used.
start_jit 1.5
echo "$addr $size left_by_an_earlier_process" >"/tmp/perf-$pid.map"
touch -d '1 hour ago' "/tmp/perf-$pid.map"
go_jit
"$SEAR" record -p "$pid" -d 1 -o "$TMP/stale.folded" 2>"$TMP/stale.err"
wait "$pid"
rm -f "/tmp/perf-$pid.map"
grep -q left_by_an_earlier_process "$TMP/stale.folded" && fail "a stale map was used"
[ "$(grep -c "ignoring '/tmp/perf-$pid.map' of pid $pid: it is older than the process" \
	"$TMP/stale.err")" = 1 ] || fail "not one message for the stale map: $(cat "$TMP/stale.err")"
pass "stale map"

# In a container, a map that is a symlink to a host file: the host file never shows.
root="$TMP/rootfs"
mkdir -p "$root/tmp" "$root/bin"
chmod 1777 "$root/tmp"
for f in $(ldd "$WORKLOADS/jit" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
cp "$WORKLOADS/jit" "$root/bin/jit"
secret="$TMP/host-secret.map"
echo "0 7fffffffffff HOST_SECRET_CONTENT" >"$secret"
ln -s "$secret" "$root/tmp/perf-1.map"
echo go | "$SEAR" record -o "$TMP/ct.folded" -- \
	unshare --pid --fork --mount chroot "$root" /bin/jit 1 >/dev/null 2>"$TMP/ct.err"
grep -q HOST_SECRET_CONTENT "$TMP/ct.folded" && fail "a host file's content leaked through a symlink"
grep -q "ignoring '/tmp/perf-1.map' of pid [0-9]*: it is a symlink" "$TMP/ct.err" ||
	fail "no message for the symlink: $(cat "$TMP/ct.err")"
within "$(share "$TMP/ct.folded" '^jit;')" 50 100 || fail "the container's samples are missing"
pass "symlinked map in a container"
