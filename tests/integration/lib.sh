# Shared helpers for the integration tests: sourced, not run.
# Each test records real workloads with the built sear and checks the
# frames and shares that come out.
set -euo pipefail
: "${SEAR:?set SEAR to the sear binary}" "${WORKLOADS:?set WORKLOADS to the built workloads}"

TMP=$(mktemp -d /tmp/sear-test.XXXXXX)
chmod 755 "$TMP"
touch "$TMP/.start"
# Node never removes its /tmp/perf-PID.map: the test removes those written while it ran, as
# pids are soon reused (pid_max is often 32768) and a later test's process would inherit one.
cleanup() {
	local pids
	pids=$(jobs -p)
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null || true
	fi
	find /tmp -maxdepth 1 -name 'perf-*.map' -newer "$TMP/.start" -delete 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

# share FOLDED REGEX: percentage of samples whose stack (without its count) matches REGEX (awk ERE).
share() {
	awk -v re="$2" '{
		n = $NF; t += n; s = $0; sub(/ [0-9]+$/, "", s)
		if (s ~ re) m += n
	} END { if (!t) print 0; else printf "%.1f\n", 100 * m / t }' "$1"
}

# unknown_frames FOLDED: the share of all frames (not stacks) named [unknown], in percent.
unknown_frames() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, a, ";")
		for (i = 1; i <= k; i++) { f += n; if (a[i] == "[unknown]") u += n } }
		END { printf "%.2f\n", f ? 100 * u / f : 100 }' "$1"
}

# samples FOLDED: the total sample count.
samples() {
	awk '{ t += $NF } END { print t + 0 }' "$1"
}

# within VALUE LO HI: true when LO <= VALUE <= HI (decimals allowed).
within() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

# perf_shares PERFDATA: "function share%" lines from perf report's Children column.
perf_shares() {
	perf report -i "$1" --stdio --children --sort symbol -q 2>/dev/null |
		awk '$3 == "[.]" || $3 == "[k]" { gsub(/%/, "", $1); print $4, $1 }'
}

# Skips (77) when this machine cannot sample at all; here, it must.
need_perf_events() {
	if ! "$SEAR" record -q -F 99 -o "$TMP/probe.folded" -- true 2>"$TMP/probe.err"; then
		if grep -q "perf_event" "$TMP/probe.err"; then
			cat "$TMP/probe.err" >&2
			exit 77
		fi
	fi
}

# Skips (77) when the kernel refuses BPF here (no rights, no BTF, no bpf_loop); any other
# failure of --call-graph bpf fails the test.
need_bpf() {
	if ! "$SEAR" record -q --call-graph bpf -o "$TMP/probe.folded" -- true 2>"$TMP/probe.err"; then
		cat "$TMP/probe.err" >&2
		grep -Eq "not permitted|no BTF|no bpf_loop" "$TMP/probe.err" && exit 77
		fail "--call-graph bpf failed"
	fi
}
