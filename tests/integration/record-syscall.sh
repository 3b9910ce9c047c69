# A syscall-heavy command: kernel frames appear under the syscall entry.
. "$(dirname "$0")/lib.sh"
need_perf_events

"$SEAR" record -q -o "$TMP/dd.folded" -- dd if=/dev/zero of=/dev/null bs=64k count=150000 2>/dev/null
total=$(samples "$TMP/dd.folded")
kern=$(share "$TMP/dd.folded" '^dd;.*entry_SYSCALL_64')
rw=$(share "$TMP/dd.folded" '^dd;.*entry_SYSCALL_64[^;]*;.*(ksys_read|ksys_write|vfs_read|vfs_write|read_zero|write_null)')
echo "samples=$total syscall=$kern% read/write path=$rw%"
within "$total" 50 1000000 || fail "too few samples: $total"
within "$kern" 50 100 || fail "only $kern% of dd's samples are in syscalls"
within "$rw" 30 100 || fail "only $rw% show the read/write path under the syscall entry"
# The kernel side is named, not [unknown].
grep -q 'entry_SYSCALL_64[^ ]*;do_syscall_64' "$TMP/dd.folded" || fail "no do_syscall_64 under entry_SYSCALL_64"
pass "kernel frames under syscalls"
