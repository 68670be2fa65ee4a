#!/usr/bin/env bash
# Root control-path benchmark (docs/benchmarks.md, root section). Loopback only.
#   1. start time of a fresh root;
#   2. parent assignment: registers NODES nodes through the control endpoint (CLIENTS
#      concurrent clients), printing registrations/s per block as the tree grows;
#   3. durable migration records/s through the control endpoint for SECONDS, first alone,
#      then while dnsperf loads the root's DNS (when dnsperf is installed);
#   4. start time of the root with NODES nodes in its database (recovery).
# Usage: scripts/bench-root-control.sh [NODES=100000] [SYNC=FULL|NORMAL] [CLIENTS=32] [SECONDS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES="${1:-100000}"; SYNC="${2:-FULL}"; CLIENTS="${3:-32}"; SECONDS_="${4:-10}"
STATE=.run/bench-control
MOD=root-dns-server/target
CP="$MOD/root-dns-server-0.1.0-SNAPSHOT.jar:$MOD/lib/*"
JAVA_LOAD=(java -XX:+UseSerialGC -cp "$CP")
[ -f "$MOD/root-dns-server-0.1.0-SNAPSHOT.jar" ] || mvn -q -B -pl root-dns-server -am package -DskipTests
rm -rf "$STATE"; mkdir -p "$STATE"
ROOT_PID=""
cleanup() { [ -n "$ROOT_PID" ] && kill -TERM "$ROOT_PID" 2>/dev/null && wait "$ROOT_PID" 2>/dev/null; [ -n "${PERF_PID:-}" ] && kill "$PERF_PID" 2>/dev/null; true; }
trap cleanup EXIT

start_root() { # label
  rm -f "$STATE/ready"
  bin/tendril-root --config builtin:demo --set "store.path=$STATE/topology.db" --set "store.sync=$SYNC" \
    --set dns.port=0 --set control.port=0 --set control.limits.maxMigrationsPerService=100000000 \
    --set control.limits.maxMigrationsTotal=100000000 --ready-file "$STATE/ready" >>"$STATE/root.log" 2>&1 &
  ROOT_PID=$!
  for _ in $(seq 1 1200); do [ -f "$STATE/ready" ] && break; sleep 0.05; done
  [ -f "$STATE/ready" ] || { echo "root did not start"; tail "$STATE/root.log"; exit 1; }
  CONTROL=$(grep control.endpoint "$STATE/ready" | cut -d= -f2)
  DNS_PORT=$(grep dns.port "$STATE/ready" | cut -d= -f2)
  echo "start ($1): $(grep startMillis "$STATE/ready" | cut -d= -f2) ms from JVM start to ready; $(grep -o '([0-9]* trees.*)' "$STATE/root.log" | tail -1)"
}
stop_root() { kill -TERM "$ROOT_PID"; wait "$ROOT_PID" || true; ROOT_PID=""; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sync=$SYNC, $CLIENTS clients"
start_root "fresh database"
echo "== parent assignment: registering $NODES nodes"
"${JAVA_LOAD[@]}" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" register web "$NODES" "$CLIENTS"
echo "== durable migrations through the control endpoint, DNS idle"
"${JAVA_LOAD[@]}" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" migrate web n1 "$SECONDS_" "$CLIENTS"
if command -v dnsperf >/dev/null; then
  echo "== durable migrations while dnsperf loads DNS (ECS 198.18.6.0/24, 10 concurrent, unlimited rate)"
  for _ in $(seq 1 1000); do echo "web.svc.example.edge A"; done >"$STATE/queries.txt"
  dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$STATE/queries.txt" -l "$((SECONDS_ + 4))" -c 10 -E 8:00011800c61206 \
    >"$STATE/dnsperf.txt" 2>&1 &
  PERF_PID=$!
  sleep 2
  "${JAVA_LOAD[@]}" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" migrate web n1 "$SECONDS_" "$CLIENTS"
  wait "$PERF_PID" || true; PERF_PID=""
  grep -E "Queries per second|Average Latency|Queries lost" "$STATE/dnsperf.txt" | sed 's/^ */  dnsperf: /'
fi
stop_root
start_root "database with $NODES nodes and the migrations above"
stop_root
ls -la "$STATE"/topology.db* | awk '{print "  " $5 " bytes " $9}'
