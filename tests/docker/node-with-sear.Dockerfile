# The app with sear installed in it, as docker/README.md tells users to: the binary from
# the sear image and its runtime libraries from Debian.
FROM sear-test-node
COPY runtime-packages.txt /tmp/
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(cat /tmp/runtime-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
COPY --from=sear:test /usr/local/bin/sear /usr/local/bin/sear
