#!/usr/bin/env bash
# Edge footprint (issue 13, part 4): start-to-ready time and idle memory of one edge node as
# shipped (bin/tendril-edge, its default JVM options and class-data-sharing archive), with the
# eBPF latency probe on (run as root) and one hosted deployment (process runtime: busybox httpd).
#
#   bench/edge/footprint.sh [STARTS] [IDLE_SECONDS]      (defaults 10 and 30; 0 starts: the warm-up only)
#   flock /tmp/tendril-bench.lock bench/edge/footprint.sh   (how the figures in docs were taken)
#
# One root (bin/tendril-root, builtin:demo, free ports) and one edge (preset local, loopback,
# free ports, http.bind on) in a temp folder. A warm-up start (not counted) deploys the service
# with tendrilctl and lets bin/tendril-edge write its CDS archive when absent; then STARTS
# measured starts of the same node, which adopts the running instance and rejoins its tree:
#   ready_ms  launch of bin/tendril-edge (bash's $EPOCHREALTIME just before it) to the first
#             200 from GET /readyz on the edge's http port, polled every 10 ms from bash
#             (/dev/tcp, no fork per poll); /readyz is 200 once every hosted service joined its tree
#   log_ms    the node's own "edge node ready in N ms" line (JVM process start to that line; the
#             start instant comes from /proc with the boot time in whole seconds: +-1 s, reference only)
#   rss/pss   VmRSS (/proc/PID/status) and Pss (/proc/PID/smaps_rollup) after IDLE_SECONDS idle
#   scraped   VmRSS 3 s after one GET /metrics that follows (the node builds its metrics registry
#             at the first scrape: this is what a node that Prometheus scrapes holds)
#   idle_cpu  the node's CPU over the IDLE_SECONDS after ready (utime + stime of /proc/PID/stat), in %
#             of one core: its rounds, and in the first minutes C1 compiling them (docs/benchmarks.md)
# then SIGTERM (the instance keeps running, as in production). Prints one line per start and the
# median and max of each column. Extra JVM options for experiments: TENDRIL_JAVA_OPTS (replaces
# the launcher's defaults, as in bin/tendril-edge). FOOTPRINT_DIAG=DIR: after the last start's
# idle time, saves jcmd's VM.native_memory summary (needs -XX:NativeMemoryTracking=summary in
# TENDRIL_JAVA_OPTS, which itself costs memory: not for reported figures), Thread.print,
# PerfCounter.print, GC.heap_info, /proc/PID/smaps and the node's log to DIR.
# Loopback and free ports only; everything started here is stopped and the temp folder removed.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
STARTS="${1:-10}"; IDLE="${2:-30}"
for n in "$STARTS" "$IDLE"; do
  case "$n" in ''|*[!0-9]*) echo "footprint: STARTS and IDLE_SECONDS must be whole numbers, not '$n'" >&2; exit 2 ;; esac
done
. "$REPO/bench/build-if-stale.sh"; build_if_stale edge-node root-dns-server clients
[ -x /bin/busybox ] || { echo "footprint: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || echo "footprint: not root: the eBPF probe will run DEGRADED (figures are not the acceptance's)" >&2

WORK="$(mktemp -d /tmp/tendril-footprint.XXXXXX)"
ROOT_PID=""; EDGE_PID=""
cleanup() {
  [ -n "$EDGE_PID" ] && kill -TERM "$EDGE_PID" 2>/dev/null && wait "$EDGE_PID" 2>/dev/null || true
  # the hosted instance outlives the node by design: stop it by the pid its state file names
  for f in "$WORK"/edge/state/processes/*.properties; do
    [ -f "$f" ] || continue
    p="$(sed -n 's/^pid=//p' "$f")"; [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
  done
  [ -n "$ROOT_PID" ] && kill -TERM "$ROOT_PID" 2>/dev/null && wait "$ROOT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_ports() { # N free TCP ports on 127.0.0.1 (bound together, then released)
  python3 -c 'import socket,sys
ss=[socket.socket() for _ in range(int(sys.argv[1]))]
[s.bind(("127.0.0.1",0)) for s in ss]; print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
read -r TREE ADMIN HTTP SVC <<<"$(free_ports 4)"

mkdir -p "$WORK/root" "$WORK/edge"
(cd "$WORK/root" && exec "$REPO/bin/tendril-root" --config builtin:demo --set dns.port=0 --set control.port=0 \
  --ready-file "$WORK/root.ready" >"$WORK/root.log" 2>&1) &
ROOT_PID=$!
for _ in $(seq 1 600); do [ -f "$WORK/root.ready" ] && break; kill -0 "$ROOT_PID" 2>/dev/null || break; sleep 0.1; done
[ -f "$WORK/root.ready" ] || { echo "footprint: root did not start" >&2; cat "$WORK/root.log" >&2; exit 1; }
CONTROL="$(sed -n 's/^control.port=//p' "$WORK/root.ready")"

KEY="footprint-admin-key-0123456789"
cat >"$WORK/edge/edge.yaml" <<EOF
platform: {id: foot-1, address: 127.0.0.1, position: {lat: 48.137, lon: 11.575}, arch: amd64, cpus: 2, ram: 2Gi}
zone: svc.example.edge
root: {control: ["127.0.0.1:$CONTROL"]}
policies: {preset: local}
admin: {key: $KEY, bind: "127.0.0.1:$ADMIN"}
tree: {bind: "127.0.0.1:$TREE"}
runtime: {kind: process}
http: {bind: "127.0.0.1:$HTTP"}
EOF
cat >"$WORK/web.yaml" <<EOF
service: web
image: local/busybox-httpd
command: [/bin/sh, -c, 'mkdir -p www && echo web > www/index.html && exec /bin/busybox httpd -f -p \${TENDRIL_BIND_ADDRESS}:\${TENDRIL_PORT_HTTP} -h www']
ports: [{name: http, protocol: tcp, containerPort: $SVC, hostPort: $SVC}]
root: true
EOF

now_us() { local t="${EPOCHREALTIME/./}"; echo "$t"; }
readyz() { # 0 when GET /readyz answers 200
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$HTTP"; } 2>/dev/null || return 1
  printf 'GET /readyz HTTP/1.0\r\nHost: x\r\n\r\n' >&3
  read -r -t 1 line <&3 || line=""
  exec 3<&- 3>&-
  [[ "$line" == *" 200"* ]]
}
start_edge() { # $1: log name; sets EDGE_PID and READY_MS
  local t0 t1
  t0="$(now_us)"
  (cd "$WORK/edge" && exec "$REPO/bin/tendril-edge" --config edge.yaml >"$WORK/$1.log" 2>&1) &
  EDGE_PID=$!
  for _ in $(seq 1 3000); do # 30 s at most
    readyz && break
    kill -0 "$EDGE_PID" 2>/dev/null || { echo "footprint: edge exited" >&2; cat "$WORK/$1.log" >&2; exit 1; }
    sleep 0.01
  done
  t1="$(now_us)"
  readyz || { echo "footprint: edge not ready in 30 s" >&2; cat "$WORK/$1.log" >&2; exit 1; }
  READY_MS=$(( (t1 - t0) / 1000 ))
}
scrape() { # one GET /metrics, body discarded
  { exec 3<>"/dev/tcp/127.0.0.1/$HTTP"; } 2>/dev/null || return 1
  printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3
  timeout 5 cat <&3 >/dev/null || true
  exec 3<&- 3>&-
}
HZ="$(getconf CLK_TCK)" # clock ticks per second of /proc/PID/stat's times
cpu_ticks() { # utime + stime of a process, in clock ticks (fields 14 and 15; its name, field 2, has no blank here)
  awk '{print $14 + $15}' "/proc/$1/stat"
}
stop_edge() {
  kill -TERM "$EDGE_PID"; wait "$EDGE_PID" 2>/dev/null || true; EDGE_PID=""
}

# warm-up: deploy, and (after a build) the CDS archive is written when this JVM exits
echo "footprint: warm-up start (deploys 'web', writes the CDS archive if absent)"
start_edge warmup
TENDRIL_ADMIN_KEY="$KEY" "$REPO/bin/tendrilctl" deploy --node "127.0.0.1:$ADMIN" "$WORK/web.yaml" | sed 's/^/  /'
for _ in $(seq 1 1000); do readyz && break; sleep 0.01; done
grep -q 'DEGRADED' "$WORK/warmup.log" && echo "footprint: WARNING: the eBPF probe is DEGRADED: $(grep -m1 DEGRADED "$WORK/warmup.log")" >&2
stop_edge
JSA="$REPO/edge-node/target/tendril-edge.jsa"
echo "footprint: CDS archive: $( [ -f "$JSA" ] && du -h "$JSA" | cut -f1 || echo "none" )"

echo "footprint: $STARTS starts, ${IDLE}s idle each; JVM options: ${TENDRIL_JAVA_OPTS:-launcher defaults}"
echo "footprint: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %9s %7s %8s %8s %8s %10s %9s\n' start ready_ms log_ms rss_MB pss_MB threads scraped_MB idle_cpu
ROWS="$WORK/rows"
for i in $(seq 1 "$STARTS"); do
  start_edge "run$i"
  grep -q 'DEGRADED' "$WORK/run$i.log" && { echo "footprint: eBPF probe DEGRADED in start $i" >&2; exit 1; }
  jpid="$EDGE_PID" # bin/tendril-edge execs java: same pid
  ticks0=$(cpu_ticks "$jpid")
  sleep "$IDLE"
  ticks1=$(cpu_ticks "$jpid")
  cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$HZ" -v s="$IDLE" \
    'BEGIN { if (s > 0) printf "%.2f", 100 * (b - a) / hz / s; else print "nan" }')
  rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$jpid/status")
  pss=$(awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$jpid/smaps_rollup")
  thr=$(awk '/^Threads/ {print $2}' "/proc/$jpid/status")
  logms=$(grep -m1 -o 'edge node ready in [0-9]* ms' "$WORK/run$i.log" | grep -o '[0-9]*' || echo 0)
  if [ -n "${FOOTPRINT_DIAG:-}" ] && [ "$i" = "$STARTS" ]; then
    mkdir -p "$FOOTPRINT_DIAG"
    jcmd "$jpid" VM.native_memory summary >"$FOOTPRINT_DIAG/nmt.txt" 2>&1 || true
    jcmd "$jpid" Thread.print >"$FOOTPRINT_DIAG/threads.txt" 2>&1 || true
    jcmd "$jpid" PerfCounter.print >"$FOOTPRINT_DIAG/perf.txt" 2>&1 || true
    jcmd "$jpid" GC.heap_info >"$FOOTPRINT_DIAG/heap.txt" 2>&1 || true
    jcmd "$jpid" GC.class_histogram >"$FOOTPRINT_DIAG/histogram.txt" 2>&1 || true
    cp "/proc/$jpid/smaps" "$FOOTPRINT_DIAG/smaps.txt"; cp "$WORK/run$i.log" "$FOOTPRINT_DIAG/node.log"
  fi
  scrape || echo "footprint: GET /metrics failed in start $i" >&2
  sleep 3
  scraped=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$jpid/status")
  printf '%-5s %9s %7s %8s %8s %8s %10s %9s\n' "$i" "$READY_MS" "$logms" "$rss" "$pss" "$thr" "$scraped" "$cpu" | tee -a "$ROWS"
  stop_edge
done
echo "footprint: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$STARTS" -gt 0 ] || exit 0 # 0 starts: the warm-up alone (compose/experiments/run-topology.sh: the CDS archives)
python3 - "$ROWS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
cols = {"ready_ms": 1, "log_ms": 2, "rss_MB": 3, "pss_MB": 4, "threads": 5, "scraped_MB": 6, "idle_cpu": 7}
for name, i in cols.items():
    v = [float(r[i]) for r in rows]
    print(f"{name:10s} median {statistics.median(v):8.1f}  max {max(v):8.1f}  min {min(v):8.1f}")
EOF
