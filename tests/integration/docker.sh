# No Docker engine runs here: check what can be checked of docker/ without one.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
dockerfile="$SOURCE_DIR/docker/Dockerfile"
runtime="$SOURCE_DIR/docker/runtime-packages.txt"

# Every library the binary needs directly (NEEDED) comes from a package the runtime stage
# installs; apt brings in what those need in turn.
for name in $(readelf -d "$SEAR" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	lib=$(ldd "$SEAR" | awk -v n="$name" '$1 == n { print $3 }')
	[ -n "$lib" ] || fail "ldd cannot find $name"

	pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | sed -n 1p | cut -d: -f1) ||
		pkg=""
	[ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2>/dev/null | sed -n 1p | cut -d: -f1)
	case "$pkg" in
	libc6 | "") continue ;; # in every image
	esac
	grep -qx "$pkg" "$runtime" || fail "sear links $lib from $pkg, which $runtime lacks"
done
pass "runtime packages cover the binary's libraries"

# The build stage installs what tools/setup.sh installs to build.
for p in libelf-dev libdw-dev libunwind-dev libpfm4-dev libzstd-dev libiberty-dev cmake; do
	grep -q "$p" "$dockerfile" || fail "the Dockerfile's build stage lacks $p"
done
# Multi-stage, sear as the entrypoint, and every COPY source exists in the repository.
grep -q '^FROM debian:bookworm AS build' "$dockerfile" || fail "no bookworm build stage"
grep -q '^FROM debian:bookworm-slim' "$dockerfile" || fail "no slim runtime stage"
grep -q '^ENTRYPOINT \["sear"\]' "$dockerfile" || fail "sear is not the entrypoint"
awk '$1 == "COPY" && $2 !~ /^--from/ { for (i = 2; i < NF; i++) print $i }' "$dockerfile" |
	while read -r src; do
		[ -e "$SOURCE_DIR/$src" ] || fail "the Dockerfile copies '$src', which does not exist"
	done
pass "Dockerfile"
