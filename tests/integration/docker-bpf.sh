# The default unwinding mode inside a container (docker/README.md, "Complete stacks in a
# container"): with the rights, the in-kernel unwinder runs there, pids and all; without
# BPF (here a seccomp profile that refuses the bpf syscall, with perf events allowed), one
# note names the docker run remedy and the dwarf fallback still gives whole stacks.
. "$(dirname "$0")/../docker/lib.sh"
out=$TMP/out
mkdir "$out"

# main_share FOLDED: the share of sear-demo's samples whose stack reaches main from _start.
main_share() { share "$1" '^sear-demo;_start;__libc_start_main;([^;]*;)?main;'; }

# With the rights: bpf, in the container's own pid namespace.
docker run --rm --label "$TEST_LABEL" "${PRIVILEGED[@]}" -v "$out":/out \
	sear:test record -o /out/bpf.folded -o /out/bpf.svg -- sear-demo 2>"$TMP/err" ||
	fail "sear record in a privileged container failed: $(cat "$TMP/err")"
grep -q "unwinding copies" "$TMP/err" && fail "the default fell back: $(cat "$TMP/err")"
grep -q 'call graph bpf' "$out/bpf.svg" || fail "the subtitle does not name bpf"
m=$(main_share "$out/bpf.folded")
echo "bpf in a container: $(samples "$out/bpf.folded") samples, $m% reach main"
within "$m" 90 100 || fail "bpf in a container: only $m% of the stacks reach main"
pass "the default mode runs in a container with the rights"

# The app's JS under node::Start, from a sidecar sharing its pid namespace.
app_start bpf "${PRIVILEGED[@]}" sear-test-node
docker run --rm --label "$TEST_LABEL" "${PRIVILEGED[@]}" --pid="container:$APP" -v "$out":/out \
	sear:test record -q -p 1 -d 2 -o /out/node.folded -o /out/node.svg ||
	fail "the sidecar failed"
check_node_shares "$out/node.folded" "bpf sidecar"
check_svg "$out/node.svg" "bpf sidecar"
grep -q 'call graph bpf' "$out/node.svg" || fail "the sidecar's subtitle does not name bpf"
deep=$(share "$out/node.folded" '^node;_start;.*node::Start;.*JS:')
js=$(share "$out/node.folded" 'JS:')
echo "bpf sidecar: JS in $js% of stacks, under node::Start in $deep%"
awk -v d="$deep" -v j="$js" 'BEGIN { exit !(j > 0 && d / j >= 0.9) }' ||
	fail "bpf sidecar: only $deep% of $js% JS stacks reach node::Start"
pass "the default mode from a sidecar: JS frames under node::Start"

# BPF refused by the container's seccomp profile: the note, then dwarf.
cat >"$TMP/nobpf.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": [ "bpf" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
JSON
docker run --rm --label "$TEST_LABEL" --cap-add ALL --cap-drop SYS_RESOURCE \
	--security-opt seccomp="$TMP/nobpf.json" -v "$out":/out \
	sear:test record -o /out/fb.folded -o /out/fb.svg -- sear-demo 2>"$TMP/err" ||
	fail "sear record without BPF failed: $(cat "$TMP/err")"
sed 's/^/    /' "$TMP/err"
grep -q "^sear: unwinding copies of the stacks in user space (--call-graph dwarf), not in the kernel: BPF is not allowed in this container: run it with 'docker run --privileged'" \
	"$TMP/err" || fail "no container note: $(cat "$TMP/err")"
grep -q 'call graph dwarf' "$out/fb.svg" || fail "the fallback's subtitle does not name dwarf"
m=$(main_share "$out/fb.folded")
echo "dwarf fallback in a container: $m% reach main"
within "$m" 90 100 || fail "the fallback: only $m% of the stacks reach main"
pass "BPF not allowed in the container: the note, and whole stacks from dwarf"
