#!/usr/bin/env bash
# Same-window A/B of two builds of the root beside gdnsd: both roots and gdnsd up at once
# (pinned to core 0, dns.ioThreads=1), dnsperf on core 1 alternating between them in rounds,
# with the CPU each server used per round (from /proc: user/sys ticks of 10 ms), then
# p50/p99/p99.9 at 500 q/s. For comparing builds on a machine shared with other work.
# Usage: bench/dns/ab.sh <tree-A> <tree-B> [instances] [rounds]   (a tree: a built checkout)
# The roots run with bin/tendril-root's default JVM options (as shipped) unless AB_ROOT_JAVA_OPTS is set.
# AB_SET_A / AB_SET_B: extra root options for A / B, e.g. the same tree with and without RRL:
#   AB_SET_B="--set dns.rateLimit.enabled=true --set dns.rateLimit.exempt=[127.0.0.0/8]" bench/dns/ab.sh . .
# AB_RATES: the fixed rates (q/s) of the latency runs at the end, e.g. AB_RATES="500 20000 50000"; default 500.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; top="$(cd "$here/../.." && pwd)"
treeA=$1 treeB=$2 n=${3:-50} rounds=${4:-4}
work=$(mktemp -d /tmp/tendril-dnsab.XXXXXX); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
ecs=00011800c61200
root_up() { # <tree> <dir> [extra options]: starts a root, registers n instances, prints "pid port"
  local tree=$1 dir=$2 rport cport; local -a extra=(${3:-}); mkdir -p "$dir"; rport=$(free_port); cport=$(free_port)
  env ${AB_ROOT_JAVA_OPTS:+"TENDRIL_ROOT_JAVA_OPTS=$AB_ROOT_JAVA_OPTS"} taskset -c 0 "$tree/bin/tendril-root" --config builtin:demo \
    --set dns.port="$rport" --set dns.ioThreads=1 --set dns.zones=[svc.bench.] --set dns.nameServers=[ns1.svc.bench.] \
    --set control.port="$cport" --set store.path="$dir/topology.db" --set store.sync=FULL "${extra[@]}" --ready-file "$dir/ready" > "$dir/log" 2>&1 &
  pids+=($!); echo "$! $rport" > "$dir/id"
  for _ in $(seq 1 300); do [ -s "$dir/ready" ] && break; sleep 0.1; done
  taskset -c 1 "$top/bin/tendril-load" register --root "127.0.0.1:$cport" --count "$n" \
    --threads $(( n >= 10000 ? 64 : 4 )) --positions-out "$dir/positions.csv" >&2
}
# user and system ticks of the whole process: /proc/<pid>/stat counts the threads that have exited too
# (a sum over /proc/<pid>/task/* lost a thread's whole lifetime when it exited: a JIT compiler thread
# that ended in a round took 6.8 s off a root's count, and smaller ones went unseen)
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12, $13}'; }
root_up "$treeA" "$work/a" "${AB_SET_A:-}"; root_up "$treeB" "$work/b" "${AB_SET_B:-}"
gport=$(free_port); head -51 "$work/a/positions.csv" > "$work/pos50.csv"
"$here/gdnsd-config.sh" "$work/pos50.csv" "$top/geoip-data/src/main/resources/dev/tendril/geoip/demo.mmdb" "$work/gdnsd" "$gport"
taskset -c 0 gdnsd -c "$work/gdnsd/conf" start > "$work/gdnsd.log" 2>&1 & pids+=($!); gpid=$!
sleep 2; echo "web.svc.bench A" > "$work/q"
servers=("A $(cat "$work/a/id")" "B $(cat "$work/b/id")" "gdnsd $gpid $gport")
for s in "${servers[@]}"; do set -- $s; taskset -c 1 dnsperf -s 127.0.0.1 -p "$3" -d "$work/q" -l 10 -c 8 -q 400 -E "8:$ecs" >/dev/null 2>&1; done
for r in $(seq 1 "$rounds"); do for s in "${servers[@]}"; do set -- $s
  read -r u0 s0 < <(ticks "$2")
  read -r qps answered < <(taskset -c 1 dnsperf -s 127.0.0.1 -p "$3" -d "$work/q" -l 5 -c 8 -q 400 -E "8:$ecs" 2>&1 |
    awk '/Queries completed/{n = $3} /Queries per second/{q = $4} END{printf "%.0f %d\n", q, n}')
  read -r u1 s1 < <(ticks "$2")
  # CPU per answer over the answers completed (not answers/s x 5: a run that lost queries waits out
  # dnsperf's timeout, and its answers/s counts that idle tail)
  awk -v l="$1" -v r="$r" -v q="$qps" -v n="$answered" -v u=$((u1-u0)) -v s=$((s1-s0)) -v ld="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN{if (n == 0) {print l " round " r ": no answers (dnsperf failed?)" > "/dev/stderr"; exit}
      printf "%-6s round %d: %7d answers/s, %8d answers, CPU per answer %.2f us (user %.2f, sys %.2f), load %s\n", l, r, q, n, (u+s)*1e4/n, u*1e4/n, s*1e4/n, ld}' |
    tee -a "$work/rounds"
done; done
# over all rounds: answers per CPU second of each server (answers per server core), and A's and B's against gdnsd's
awk '{n[$1] += $6; c[$1] += $6 * $11 / 1e6} END{for (k in n) printf "%-6s all rounds: %.0f answers per server core\n", k, n[k] / c[k];
  g = n["gdnsd"] / c["gdnsd"]; printf "answers per server core against gdnsd: A %.3f, B %.3f\n", n["A"] / c["A"] / g, n["B"] / c["B"] / g}' "$work/rounds"
# latency at fixed rates (AB_RATES, default 500 q/s), and the server's CPU meanwhile: twice per server and rate
for rate in ${AB_RATES:-500}; do for s in "${servers[@]}"; do set -- $s; for rep in 1 2; do
  read -r u0 s0 < <(ticks "$2")
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$3" -d "$work/q" -l 5 -Q "$rate" -v -E "8:$ecs" > "$work/lat" 2>&1
  read -r u1 s1 < <(ticks "$2")
  awk '/^> NOERROR/{print $NF*1000}' "$work/lat" | sort -g |
    awk -v l="$1" -v rate="$rate" -v cpu=$((u1 - u0 + s1 - s0)) '{a[NR]=$1} END{printf "%-6s at %d q/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (n=%d), server CPU %.1f %%\n", l, rate, a[int(NR*0.5+0.999)], a[int(NR*0.99+0.999)], a[int(NR*0.999+0.999)], NR, cpu / 5}'
done; done; done
