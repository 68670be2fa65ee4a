#!/usr/bin/env bash
# Builds the demo service image tendril/httpd-demo:latest locally, without a registry:
# a rootfs holding /bin/busybox (busybox-static) and /bin/serve, imported with `docker import`.
# The container serves a page naming the node it runs on (TENDRIL_NODE_ID) with busybox httpd
# on TENDRIL_PORT_HTTP (default 8080). Idempotent: does nothing when the image exists
# (REBUILD=1 forces a rebuild). Usage: scripts/build-demo-image.sh [image]
set -euo pipefail
IMAGE="${1:-tendril/httpd-demo:latest}"
if docker image inspect "$IMAGE" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
  exit 0
fi
BUSYBOX=/bin/busybox
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
  echo "build-demo-image: $BUSYBOX is not a static busybox: apt-get install busybox-static" >&2
  exit 1
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/www" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for app in sh httpd echo mkdir cat ls sleep wget; do ln -s busybox "$root/bin/$app"; done
cat >"$root/bin/serve" <<'SERVE'
#!/bin/sh
# Tendril demo service: one page that names the node it runs on.
port="${TENDRIL_PORT_HTTP:-8080}"
mkdir -p /www
echo "tendril httpd-demo on node ${TENDRIL_NODE_ID:-unknown}" >/www/index.html
exec httpd -f -p "$port" -h /www
SERVE
chmod 755 "$root/bin/serve"
tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'EXPOSE 8080' -c 'CMD ["/bin/serve"]' - "$IMAGE" >/dev/null
echo "build-demo-image: built $IMAGE"
