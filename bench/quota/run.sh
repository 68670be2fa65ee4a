#!/usr/bin/env bash
# Quota benchmark (issue 10, "Quotas"): one platform streams RecordMigration requests at a
# root for SECONDS (default 120) with CLIENTS connections and SUBNETS fresh /32s per request;
# the root must keep at most control.limits.maxMigrationsPerService records of the service.
# Reports the replies by code, the root's RSS before and after the stream, and the restart
# time (SIGTERM, start again on the same database: time to the ready file, and the ready
# line with the recovered counts).
# Usage: bench/quota/run.sh [SECONDS] [CLIENTS] [SUBNETS]   (extra root settings: QUOTA_SETS="k=v k=v")
# Loopback and free ports only; the database lives in a temp folder that is removed after.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECONDS_RUN="${1:-120}"; CLIENTS="${2:-8}"; SUBNETS="${3:-64}"
MOD="$ROOT/root-dns-server/target"
[ -f "$MOD/root-dns-server-0.1.0-SNAPSHOT.jar" ] && [ -d "$MOD/lib" ] \
  || (cd "$ROOT" && mvn -q -B -o -pl root-dns-server -am package -DskipTests)
CP="$MOD/root-dns-server-0.1.0-SNAPSHOT.jar:$MOD/lib/*"
WORK="$(mktemp -d)"; trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
SETS=(--set "store.path=$WORK/topology.db" --set dns.port=0 --set control.port=0 --set dns.ioThreads=1)
for s in ${QUOTA_SETS:-}; do SETS+=(--set "$s"); done

start_root() { # $1: log name; sets PID, CONTROL and MS (ms from launch to the ready file)
  rm -f "$WORK/ready"
  local t0; t0=$(date +%s%N)
  java -Xms64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP" dev.tendril.root.bootstrap.RootMain \
    --config builtin:demo --ready-file "$WORK/ready" "${SETS[@]}" >"$WORK/$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1200); do [ -f "$WORK/ready" ] && break; kill -0 "$PID" || { cat "$WORK/$1.log"; exit 1; }; sleep 0.05; done
  [ -f "$WORK/ready" ] || { echo "root not ready in 60 s"; cat "$WORK/$1.log"; exit 1; }
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  CONTROL="tcp://127.0.0.1:$(sed -n 's/^control.port=//p' "$WORK/ready")"
}
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$PID/status"; }

start_root first
echo "root up at $CONTROL, RSS $(rss); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$CP" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" register web 1 1 >/dev/null
java -cp "$CP" dev.tendril.root.bootstrap.ControlLoad "$CONTROL" flood web n0 "$SECONDS_RUN" "$CLIENTS" "$SUBNETS"
echo "after the stream: RSS $(rss); refusal lines logged: $(grep -c 'refused' "$WORK/first.log" || true)"
kill -TERM "$PID"; wait "$PID" || true
start_root second
echo "restart with the records: ready in $MS ms (to the ready file, JVM start included), RSS $(rss)"
grep -o 'ready in .*' "$WORK/second.log" | head -1
kill -TERM "$PID"; wait "$PID" || true
