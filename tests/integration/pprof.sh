# pprof out: read back by Google's pprof (go tool pprof, Debian's golang-go). Every
# stack and count equals the folded output's; labels, mappings with build-ids, and CPU
# time; from record, from report of perf.data, and from report of a .sear.
. "$(dirname "$0")/lib.sh"
need_perf_events
command -v go >/dev/null || { echo "skip: no go (apt-get install golang-go)" >&2; exit 77; }
export HOME="$TMP" GOCACHE="$TMP/gocache" GOFLAGS=-mod=mod
cd "$TMP"

# pprof_folded PROFILE: its samples as folded stacks ("comm;outer;...;leaf count"), summed.
pprof_folded() {
	go tool pprof -raw "$1" 2>/dev/null | awk '
		/^Samples:/ { s = 1; next }
		/^Locations/ { s = 0; l = 1; next }
		/^Mappings/ { l = 0; next }
		s && /^ +[0-9]+ +[0-9]+: / { n++; count[n] = $1; sub(/^ +[0-9]+ +[0-9]+: /, ""); locs[n] = $0; next }
		s && /comm:\[/ { c = $0; sub(/.*comm:\[/, "", c); sub(/\].*/, "", c); comm[n] = c; next }
		l && /^ +[0-9]+: / {
			id = $1; sub(/:$/, "", id); line = $0
			sub(/^ +[0-9]+: 0x[0-9a-f]+ M=[0-9]+ /, "", line); sub(/^ +[0-9]+: 0x[0-9a-f]+ /, "", line)
			sub(/ :[0-9]+ s=[0-9]+$/, "", line); name[id] = line; next }
		END {
			for (i = 1; i <= n; i++) {
				k = split(locs[i], a, " "); st = comm[i]
				for (j = k; j >= 1; j--) if (a[j] != "") st = st ";" name[a[j]]
				sum[st] += count[i]
			}
			for (st in sum) print st, sum[st]
		}' | sort
}

"$SEAR" record -q -o p.pb.gz -o p.folded -- "$WORKLOADS/two_threads" 1
pprof_folded p.pb.gz >from-pprof.folded
sort p.folded >sear.folded
[ -s sear.folded ] || fail "no samples"
cmp -s from-pprof.folded sear.folded || fail "pprof's stacks differ from the folded output: $(diff from-pprof.folded sear.folded | head -5)"
go tool pprof -raw p.pb.gz 2>/dev/null >raw.txt
grep -q 'pid:\[[0-9]*\] tid:\[[0-9]*\]' raw.txt || fail "no pid and tid labels"
grep -q 'comm:\[two_threads\]' raw.txt || fail "no comm label"
grep -q "^samples/count cpu/nanoseconds" raw.txt || fail "no cpu/nanoseconds sample type"
id=$(readelf -n "$WORKLOADS/two_threads" | awk '/Build ID/ { print $3 }')
grep -A20 '^Mappings' raw.txt | grep -q "$id" || fail "the binary's mapping lacks its build-id"
go tool pprof -top p.pb.gz 2>/dev/null | grep -Eq 'leaf_alpha|leaf_beta' || fail "pprof -top lacks the leaves"
pass "record -o profile.pb.gz: $(samples sear.folded) samples, the same stacks as folded, labels, build-id"

# report of perf.data: the session's path, mappings included.
perf record -q -e cpu-clock -g -o perf.data -- "$WORKLOADS/two_threads" 1 >/dev/null 2>&1
"$SEAR" report perf.data -o r.pb.gz 2>/dev/null
"$SEAR" report perf.data -o r.folded 2>/dev/null
pprof_folded r.pb.gz >r-pprof.folded
sort r.folded >r-sear.folded
cmp -s r-pprof.folded r-sear.folded || fail "report perf.data: pprof differs from folded"
go tool pprof -raw r.pb.gz 2>/dev/null | grep -A20 '^Mappings' | grep -q "$id" || fail "report perf.data: no build-id"
pass "report perf.data -o profile.pb.gz"

# report of a .sear: names only, the same stacks.
"$SEAR" record -q -o s.sear -- "$WORKLOADS/two_threads" 0.5
"$SEAR" report s.sear -o s.pb.gz
"$SEAR" report s.sear -o s.folded
pprof_folded s.pb.gz >s-pprof.folded
sort s.folded >s-sear.folded
cmp -s s-pprof.folded s-sear.folded || fail "report .sear: pprof differs from folded: $(diff s-pprof.folded s-sear.folded | head -3)"
pass "report run.sear -o profile.pb.gz"
