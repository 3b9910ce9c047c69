# Outputs are never destroyed: a failed or interrupted run leaves what was on disk, a
# full disk leaves the old file whole, symlinks are not followed, an input is never
# overwritten, devices are written in place and never removed, and no temporary file
# is left behind.
. "$(dirname "$0")/lib.sh"
need_perf_events
cd "$TMP"

old() { printf 'the previous result\n' >"$1"; }
kept() { [ "$(cat "$1")" = "the previous result" ] || fail "$2: '$1' was changed: $(head -c 80 "$1")"; }
no_temps() {
	local left
	left=$(find "$TMP" -name '.*.sear-*' | head -3)
	[ -z "$left" ] || fail "$1: temporary files left: $left"
}

# Every way a run can fail before it has written anything.
old keep.svg
"$SEAR" record -q -o keep.svg -- no-such-command-x 2>/dev/null && fail "a missing command succeeded"
kept keep.svg "a command that cannot start"
"$SEAR" record -q -o keep.svg -o keep.svg -o keep.svg -o keep.svg -o keep.svg -- true 2>/dev/null &&
	fail "five outputs were taken"
kept keep.svg "a usage error"
"$SEAR" record -q -o keep.svg -o bad.png -- true 2>/dev/null && fail "an unknown extension was taken"
kept keep.svg "an unknown extension"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	# Another user's process (pid 1) is out of nobody's reach whatever the sysctl says.
	chmod 777 "$TMP"
	old "$TMP/nobody.svg"
	chmod 666 "$TMP/nobody.svg"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SEAR" record -q -p 1 -d 1 -o "$TMP/nobody.svg" 2>/dev/null &&
		fail "perf_event_open was not denied to nobody"
	kept nobody.svg "perf_event_open denied"
fi
for input in missing.sear cut.sear wrong.bin; do
	case $input in
	cut.sear) "$SEAR" record -q -o full.sear -- "$WORKLOADS/spinner" 0.3 && head -c 100 full.sear >cut.sear ;;
	wrong.bin) printf '\0\1\2binary' >wrong.bin ;;
	esac
	old report.svg
	"$SEAR" report "$input" -o report.svg 2>/dev/null && fail "report of $input succeeded"
	kept report.svg "report of $input"
done
printf 'a;b 1\n' >same.folded
"$SEAR" report same.folded -o same.folded 2>err && fail "report overwrote its own input"
grep -q "both the input and the output" err || fail "no message for input = output: $(cat err)"
[ "$(cat same.folded)" = "a;b 1" ] || fail "the input was changed"
pass "failed runs keep the previous output: missing command, usage, format, perf denied, bad inputs"

# A full disk: the old file stays whole, the exit is non-zero, nothing is left behind.
if mkdir disk && mount -t tmpfs -o size=64k tmpfs disk 2>/dev/null; then
	old disk/full.svg
	head -c 50000 /dev/zero >disk/fill
	status=0
	"$SEAR" record -q -o disk/full.svg -- "$DEMO" 1 2>err || status=$?
	[ "$status" != 0 ] || fail "a full disk gave exit 0"
	grep -q "disk full" err || fail "no word of the full disk: $(cat err)"
	kept disk/full.svg "a full disk"
	[ -z "$(find disk -name '.*.sear-*')" ] || fail "a full disk left a temporary file"
	umount disk
	pass "a full disk keeps the old file: $(cat err)"
fi

# A symlink planted where the output goes is replaced, never followed.
printf 'secret\n' >victim
ln -s "$TMP/victim" planted.svg
"$SEAR" record -q -o planted.svg -- "$WORKLOADS/spinner" 0.2 || fail "record to a symlinked path"
[ "$(cat victim)" = secret ] || fail "the symlink's target was overwritten"
[ ! -L planted.svg ] && xmllint --noout planted.svg || fail "the output did not replace the link"
pass "a planted symlink is replaced, its target untouched"

# Devices and descriptors are written in place, and only once the run worked. In a
# private mount namespace with a /dev of its own, so that a failure here cannot hurt
# the machine's /dev/null or /dev/stdout.
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	unshare -m --propagation private sh -c '
		set -e
		mount -t tmpfs tmpfs /dev
		mknod /dev/null c 1 3
		chmod 666 /dev/null
		ln -s /proc/self/fd/1 /dev/stdout
		"$2" record -q -o /dev/null -- no-such-command-x 2>/dev/null && exit 3
		[ -c /dev/null ] || exit 4
		"$2" record -q --format svg -o /dev/null -- true
		[ -c /dev/null ] || exit 5
		"$2" record -q -o /dev/stdout --format folded -- "$3/spinner" 0.2 >"$1/stdout.folded"
		[ -L /dev/stdout ] || exit 6
		"$2" record -q -o /dev/stdout --format folded -- no-such-command-x >/dev/null 2>&1 && exit 7
		[ -L /dev/stdout ] || exit 8
	' sh "$TMP" "$SEAR" "$WORKLOADS" || fail "/dev/null or /dev/stdout did not survive (status $?)"
	[ "$(samples stdout.folded)" -gt 0 ] || fail "-o /dev/stdout wrote no samples"
	pass "/dev/null and /dev/stdout: written in place, kept through failed and good runs"
fi

no_temps "all of the above"
pass "no temporary file left behind"
