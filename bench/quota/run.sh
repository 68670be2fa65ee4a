#!/usr/bin/env bash
# Quota benchmark (issue 10, "Quotas"): one authenticated platform streams RecordMigration
# requests at a root for SECONDS (default 120) with CLIENTS connections and SUBNETS fresh /32s
# per request; the root must keep at most control.limits.maxMigrationsPerService records of the
# service. The root runs as shipped: bin/tendril-root (its default java options), preset lan
# on loopback, CURVE on (a root server key, a bootstrap operator "alice" that creates the tree
# and enrols the platform with `tendrilctl keys enrol`, one platform key "n0"); the load client
# speaks CURVE as the enrolled platform n0, the node it records its migrations to.
# Reports the replies by code, the root's RSS before and after the stream, and the restart
# time (SIGTERM, start again on the same database: time to the ready file, and the ready
# line with the recovered counts).
# Usage: bench/quota/run.sh [SECONDS] [CLIENTS] [SUBNETS]   (extra root settings: QUOTA_SETS="k=v k=v";
#        QUOTA_CURVE=0: the old measurement in clear, plain ZeroMQ, no keys;
#        QUOTA_MODE=register: instead of migrations, n0 joins fresh services q<i> as itself,
#        RegisterNode and CreateTree when NOT_FOUND: at most control.limits.maxServicesPerPlatform trees)
# Loopback and free ports only; keys and database live in a temp folder that is removed after.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECONDS_RUN="${1:-120}"; CLIENTS="${2:-8}"; SUBNETS="${3:-64}"
CURVE="${QUOTA_CURVE:-1}"
MOD="$ROOT/root-dns-server/target"
. "$ROOT/bench/build-if-stale.sh"; build_if_stale root-dns-server clients
CP="$MOD/root-dns-server-0.1.0-SNAPSHOT.jar:$MOD/lib/*"
WORK="$(mktemp -d)"; trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEYS="$WORK/keys"
SECURITY=""
if [ "$CURVE" != 0 ]; then
  for k in root n0; do "$ROOT/bin/tendrilctl" keys gen --out "$KEYS" --name "$k" >/dev/null; done
  "$ROOT/bin/tendrilctl" keys gen-operator --out "$KEYS" --name alice >/dev/null
  SECURITY="security: {serverKey: $KEYS/root.key, operatorKeys: {alice: $KEYS/alice.pub}}"
fi
cat >"$WORK/root.yaml" <<YAML
preset: $([ "$CURVE" != 0 ] && echo lan || echo local)
id: root-quota
dns:
  zones: [quota.example.]
  nameServers: [ns1.quota.example.]
  defaultPosition: {latitude: 50.11, longitude: 8.68}
  bindAddress: 127.0.0.1
  port: 0
  ioThreads: 1
control: {bindAddress: 127.0.0.1, port: 0}
store: {path: $WORK/topology.db}
geoip: {databases: [builtin:demo]}
$SECURITY
YAML
SETS=()
for s in ${QUOTA_SETS:-}; do SETS+=(--set "$s"); done

start_root() { # $1: log name; sets PID, CONTROL, PORT and MS (ms from launch to the ready file)
  rm -f "$WORK/ready"
  local t0; t0=$(date +%s%N)
  "$ROOT/bin/tendril-root" --config "$WORK/root.yaml" --ready-file "$WORK/ready" ${SETS[@]+"${SETS[@]}"} >"$WORK/$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1200); do [ -f "$WORK/ready" ] && break; kill -0 "$PID" || { cat "$WORK/$1.log"; exit 1; }; sleep 0.05; done
  [ -f "$WORK/ready" ] || { echo "root not ready in 60 s"; cat "$WORK/$1.log"; exit 1; }
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  PORT="$(sed -n 's/^control.port=//p' "$WORK/ready")"
  CONTROL="tcp://127.0.0.1:$PORT"
}
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$PID/status"; }
as() { # $1: key name (alice, n0) or "" for clear; the rest: a command with TENDRIL_CURVE_KEY/TENDRIL_ROOT_KEY set
  local who="$1"; shift
  if [ "$CURVE" != 0 ]; then TENDRIL_CURVE_KEY="$KEYS/$who.key" TENDRIL_ROOT_KEY="$KEYS/root.pub" "$@"; else "$@"; fi
}

start_root first
echo "root up at $CONTROL (bin/tendril-root, CURVE $([ "$CURVE" != 0 ] && echo on || echo off)), RSS $(rss); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
as alice java -cp "$CP" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" register web 1 1 >/dev/null
if [ "$CURVE" != 0 ]; then
  as alice "$ROOT/bin/tendrilctl" keys enrol --root "127.0.0.1:$PORT" platform n0 "$KEYS/n0.pub"
fi
if [ "${QUOTA_MODE:-migrate}" = register ]; then
  as n0 java -cp "$CP" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" flood-register n0 "$SECONDS_RUN" "$CLIENTS"
else
  as n0 java -cp "$CP" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" flood web n0 "$SECONDS_RUN" "$CLIENTS" "$SUBNETS"
fi
echo "after the stream: RSS $(rss); refusal lines logged: $(grep -c 'refused' "$WORK/first.log" || true); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM "$PID"; wait "$PID" || true
grep -i 'refusals' "$WORK/first.log" | tail -1 || true
start_root second
echo "restart with the records: ready in $MS ms (to the ready file, JVM start included), RSS $(rss)"
grep -o 'ready in .*' "$WORK/second.log" | head -1
kill -TERM "$PID"; wait "$PID" || true
