# sear inside the container it profiles (docker/README.md, "sear inside the container"): the
# sear image running a command, and an app image with sear installed from the sear image.
. "$(dirname "$0")/../docker/lib.sh"
out=$TMP/out
mkdir "$out"

# The image's own demo, as the README's first recipe runs it.
docker run --rm --label "$TEST_LABEL" "${PRIVILEGED[@]}" -v "$out":/out \
	sear:test record -q -o /out/demo.svg -o /out/demo.folded -- sear-demo ||
	fail "sear record -- sear-demo failed in the sear image"
xmllint --noout "$out/demo.svg" || fail "demo.svg is not well-formed"
# The demo's shape (tests/workloads/demo.c): resize_image ~45%, most of it in blur_row.
resize=$(share "$out/demo.folded" '^sear-demo;.*;handle_request;resize_image;')
blur=$(share "$out/demo.folded" '^sear-demo;.*;resize_image;blur_row;')
echo "sear-demo: $(samples "$out/demo.folded") samples, resize_image=$resize% blur_row=$blur%"
within "$resize" 30 65 || fail "sear-demo: resize_image has $resize%"
within "$blur" 15 50 || fail "sear-demo: blur_row has $blur%"
pass "sear record -- sear-demo in the sear image"

# The app with sear in its image; sear attaches to the app's first process.
app_start inside "${PRIVILEGED[@]}" -v "$out":/out sear-test-node:with-sear
docker exec "$APP" sh -c '! ldd /usr/local/bin/sear | grep "not found"' ||
	fail "sear lacks libraries in the app image: docker/runtime-packages.txt is short"
docker exec "$APP" sear record -q -p 1 -d 2 -o /out/x.folded -o /out/x.svg ||
	fail "docker exec sear record -p 1 failed"
check_node_shares "$out/x.folded" "docker exec sear -p 1"
check_svg "$out/x.svg" "docker exec"
pass "docker exec APP sear record -p 1"
