# What can be checked of docker/ without an engine: the runtime packages against the built
# binary, and the README's install line against them. The docker-*.sh tests build and run
# the images themselves.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"
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

# docker/README.md tells users to install the same packages in their own image.
line=$(grep 'apt-get install' "$SOURCE_DIR/docker/README.md" | grep libelf1) ||
	fail "docker/README.md has no apt-get install line for sear's libraries"
for p in $(cat "$runtime"); do
	echo "$line" | grep -qw -- "$p" || fail "docker/README.md's install line lacks $p"
done
pass "docker/README.md installs the runtime packages"
