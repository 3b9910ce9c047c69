# The case that matters most: a Node service whose time goes into a native library built
# without frame pointers (node-canvas: cairo, then pixman). In the default mode the pixman
# samples carry the JavaScript function that called drawImage, through V8's frames.
. "$(dirname "$0")/lib.sh"
need_perf_events
command -v node >/dev/null || { echo "no node" >&2; exit 77; }
need_bpf
app=${SOURCE_DIR:?}/tests/canvas
[ -f "$app/node_modules/canvas/build/Release/canvas.node" ] ||
	fail "node-canvas is not built: tools/setup.sh --test builds it (see build/node-canvas.log)"

# pixman_callers FOLDED: "pixman% with_caller%": pixman's share of all samples, and the share
# of pixman's samples that carry downscaleTile, the JS function that calls drawImage.
pixman_callers() {
	awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += n
		if (s ~ /libpixman/) { p += n; if (s ~ /;JS:[*~^]?downscaleTile [^;]*;.*Context2d::DrawImage/) c += n } }
		END { printf "%.1f %.1f\n", t ? 100 * p / t : 0, p ? 100 * c / p : 0 }' "$1"
}

# Attached to a running service, as users do.
cd "$TMP"
node --perf-basic-prof --interpreted-frames-native-stack "$app/compose.js" 4 >/dev/null &
pid=$!
sleep 1
"$SEAR" record -q -p "$pid" -d 2 -o "$TMP/canvas.folded" -o "$TMP/canvas.svg"
wait "$pid"
read -r pix caller <<<"$(pixman_callers "$TMP/canvas.folded")"
echo "default: pixman has $pix% of the samples; $caller% of them carry downscaleTile"
within "$pix" 50 100 || fail "pixman has only $pix% of the samples"
within "$caller" 90 100 || fail "only $caller% of pixman's samples carry their JS caller"
# ... and reach node's main, below the JS frames.
whole=$(awk '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
	if (s ~ /libpixman/) { t += n; if (s ~ /^node;_start;.*node::Start;.*JS:/) c += n } }
	END { printf "%.1f\n", t ? 100 * c / t : 0 }' "$TMP/canvas.folded")
within "$whole" 90 100 || fail "only $whole% of pixman's stacks reach _start"
grep -q 'call graph bpf' "$TMP/canvas.svg" || fail "the subtitle does not name the bpf mode"
pass "node-canvas: pixman's samples carry their JS caller ($caller%) and reach _start ($whole%)"

# Frame pointers alone lose them: what perf -g shows.
node --perf-basic-prof --interpreted-frames-native-stack "$app/compose.js" 2.5 >/dev/null &
pid=$!
sleep 0.5
"$SEAR" record -q --call-graph fp -p "$pid" -d 1.5 -o "$TMP/fp.folded"
wait "$pid"
read -r pix fcaller <<<"$(pixman_callers "$TMP/fp.folded")"
echo "fp: $fcaller% of pixman's samples carry downscaleTile"
within "$fcaller" 0 20 || fail "fp mode found the callers ($fcaller%): is pixman built with frame pointers now?"
pass "frame pointers alone lose pixman's callers, as the issue saw"
