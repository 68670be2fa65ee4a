#!/usr/bin/env bash
# Benchmark (not a test) of the per-user latency collector: CPU and memory of the collector
# (kernel program + Java reader) under CONNECTIONS kept-alive connections doing RATE
# requests/s to a local service, and the cost of one read cycle of the kernel map.
# Needs root (loads the eBPF program, enables kernel.bpf_stats_enabled for the run).
# usage: ebpf/bench/run.sh [CONNECTIONS=1000] [RATE=10000] [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNS=${1:-1000} RATE=${2:-10000} SECS=${3:-30} PORT=${PORT:-18555}
JAR=edge-node/target/edge-node-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || mvn -q -o -pl edge-node -am package -DskipTests
CP="$JAR:edge-node/target/lib/*"
OUT=$(mktemp -d)
HZ=$(getconf CLK_TCK)

prev=$(sysctl -n kernel.bpf_stats_enabled)
COLL=""
cleanup() {
  sysctl -qw kernel.bpf_stats_enabled="$prev"
  if [ -n "$COLL" ]; then kill "$COLL" 2>/dev/null || true; wait "$COLL" 2>/dev/null || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # 2 x CONNECTIONS sockets in LoadGen

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
prog_ids() { bpftool prog show | awk '/name tendril_tcp_pro/ {sub(":", "", $1); print $1}' | sort; }
prog_stats() { # run_time_ns run_cnt of our collector's program (tests elsewhere may load theirs)
  bpftool prog show id "$PROG" | awk '{for (i = 1; i <= NF; i++) {if ($i == "run_time_ns") t = $(i+1); if ($i == "run_cnt") c = $(i+1)}} END {print (t ? t : 0), (c ? c : 0)}'
}
BEFORE=$(prog_ids)

java -cp "$CP" dev.tendril.edge.adapter.out.ebpf.BpfProbeCheck --port "$PORT" --seconds $((SECS + 8)) --stats >"$OUT/collector" 2>&1 &
COLL=$!
for _ in $(seq 100); do grep -q 'measuring:' "$OUT/collector" 2>/dev/null && break; sleep 0.1; done
grep -q 'measuring: true' "$OUT/collector" || { cat "$OUT/collector"; echo "bench: the probe is not measuring" >&2; exit 1; }
PROG=$(comm -13 <(echo "$BEFORE") <(prog_ids) | head -1)
[ -n "$PROG" ] || { echo "bench: cannot find the collector's program" >&2; exit 1; }

java ebpf/bench/LoadGen.java "$PORT" "$CONNS" "$RATE" "$SECS" >"$OUT/load" 2>&1 &
LOAD=$!
for _ in $(seq 300); do grep -q 'connected' "$OUT/load" 2>/dev/null && break; sleep 0.1; done
sleep 2 # let the rate settle before measuring
read -r t0 c0 < <(prog_stats); j0=$(cpu_ticks "$COLL"); w0=$(date +%s.%N)
sleep $((SECS - 4))
read -r t1 c1 < <(prog_stats); j1=$(cpu_ticks "$COLL"); w1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$COLL/status")
wait "$LOAD"
wait "$COLL" || true
COLL=""

echo "== machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== load: $(tail -1 "$OUT/load")"
awk -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v j0="$j0" -v j1="$j1" -v hz="$HZ" -v rss="$rss" 'BEGIN {
  wall = w1 - w0; runs = c1 - c0; ns = t1 - t0
  printf "== kernel program: %d runs in %.1f s (%.0f/s), %.0f ns per run, %.3f %% of one CPU\n", runs, wall, runs / wall, (runs ? ns / runs : 0), ns / (wall * 1e9) * 100
  printf "== Java collector (1 read per second): %.3f %% of one CPU, RSS %s\n", (j1 - j0) / hz / wall * 100, rss
}'
echo "== read cycles (BpfLatencyProbe.sample(): kernel map read + windows):"
grep '^cycle' "$OUT/collector" | awk '{print "   " $0}' | tail -n $((SECS - 2))
summary() { # field-number label
  grep '^cycle' "$OUT/collector" | tail -n $((SECS - 4)) | awk -v f="$1" '{print $f + 0}' | sort -n |
    awk -v l="$2" '{v[NR] = $1} END {printf "== %s over the last %d cycles: median %.3f ms, max %.3f ms\n", l, NR, v[int((NR + 1) / 2)], v[NR]}'
}
summary 4 "sample() (map read + windows)"
summary 8 "kernel map read"
grep '^process' "$OUT/collector" | sed 's/^/== collector /'
