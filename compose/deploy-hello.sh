#!/usr/bin/env bash
# Deploys the sample service 'hello' (tendril/httpd-demo) on the three edge node containers of
# compose/docker-compose.yml with tendrilctl: Munich creates the tree, New York and Tokyo join.
# Then prints the tree and the dig commands to try. Safe to run again (a deploy replaces).
set -euo pipefail
cd "$(dirname "$0")/.."
export TENDRIL_ADMIN_KEY="${TENDRIL_ADMIN_KEY:-demo-admin-key-0123456789abcdef}"
spec="$(mktemp -d)"
trap 'rm -rf "$spec"' EXIT
printf '%s\n' "service: hello" "image: tendril/httpd-demo:latest" \
  "ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: 8080}]" "limits: {memory: 32Mi}" \
  "root: true" >"$spec/hello-root.yaml"
sed 's/^root: true$/zone: svc.example.edge/' "$spec/hello-root.yaml" >"$spec/hello-join.yaml"
for node in 127.0.0.1:7411 127.0.0.1:7412 127.0.0.1:7413; do
  for _ in $(seq 1 120); do bin/tendrilctl stats --node "$node" >/dev/null 2>&1 && break; sleep 1; done
done
bin/tendrilctl deploy --node 127.0.0.1:7411 "$spec/hello-root.yaml"
bin/tendrilctl deploy --node 127.0.0.1:7412 "$spec/hello-join.yaml"
bin/tendrilctl deploy --node 127.0.0.1:7413 "$spec/hello-join.yaml"
bin/tendrilctl tree hello --root 127.0.0.1:5390
cat <<'TRY'

Try it:
  dig @127.0.0.1 -p 5353 hello.svc.example.edge +short +subnet=198.18.0.0/24   # Munich   -> 10.77.0.11
  dig @127.0.0.1 -p 5353 hello.svc.example.edge +short +subnet=198.18.3.0/24   # New York -> 10.77.0.12
  dig @127.0.0.1 -p 5353 hello.svc.example.edge +short +subnet=198.18.7.0/24   # Sydney   -> 10.77.0.13 (Tokyo)
  curl http://127.0.0.1:8082/                  # New York's instance (ports 8081-8083 = Munich, New York, Tokyo)
TRY
