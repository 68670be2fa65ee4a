#!/usr/bin/env bash
# DNS benchmark: Tendril root (nearest of N instances, ECS) vs gdnsd geoip (nearest of 50)
# vs Knot (static A). Servers pinned to core 0, dnsperf to core 1. See README.md here.
# Usage: bench/dns/run.sh [--instances N] [--seconds S] [--rrl] [--queries-only] [--xdp]   (defaults: 50, 10)
# The root runs as shipped (bin/tendril-root's default JVM options) unless BENCH_ROOT_JAVA_OPTS
# is set (it then replaces them). --rrl: the root with response rate limiting on, at a rate
# that never limits the benchmark's one client (the cost of the check on every answer).
# --queries-only: skip the answers/s under churn and the migration records under load.
# --xdp: the root answers UDP through AF_XDP on lo (dns.xdpInterfaces=[lo]); lo's route_localnet and
# accept_local are set to 1 for the run (XDP's answers enter lo's input path like a frame from a link, and
# the kernel drops 127/8 and local sources there otherwise) and restored after; the root is stopped before
# gdnsd and Knot run, so its program is detached from lo for their runs. Needs root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; top="$(cd "$here/../.." && pwd)"
instances=50 secs=10 rrl=false queries_only=0 xdp=0
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances=$2; shift 2 ;;
    --seconds) secs=$2; shift 2 ;;
    --rrl) rrl=true; shift ;;
    --queries-only) queries_only=1; shift ;;
    --xdp) xdp=1; shift ;;
    *) echo "usage: $0 [--instances N] [--seconds S] [--rrl] [--queries-only] [--xdp]" >&2; exit 2 ;;
  esac
done
for t in dnsperf gdnsd knotd taskset java; do
  command -v "$t" >/dev/null || { echo "bench: $t missing: run scripts/setup.sh" >&2; exit 1; }
done
. "$top/bench/build-if-stale.sh"; build_if_stale clients root-dns-server

work=$(mktemp -d /tmp/tendril-dnsbench.XXXXXX)
pids=()
lo_sysctls=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"
  for kv in "${lo_sysctls[@]}"; do sysctl -q -w "$kv" || true; done
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || shuf -i 20000-60000 -n 1; }
wait_dns() { for _ in $(seq 1 200); do dig @127.0.0.1 -p "$1" "$2" +time=1 +tries=1 >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: server on $1 did not answer" >&2; exit 1; }

mmdb="$top/geoip-data/src/main/resources/dev/tendril/geoip/demo.mmdb"
ecs=00011800c61200              # 198.18.0.0/24 = Munich in the demo database (RFC 7871: 3 address bytes for a /24)
rport=$(free_port); cport=$(free_port); gport=$(free_port); kport=$(free_port)

# --- Tendril root: register N instances through the control endpoint -------------------
echo "== Tendril root with $instances instances$([ "$xdp" = 1 ] && echo ", UDP through AF_XDP on lo")"
root_xdp=()
if [ "$xdp" = 1 ]; then
  for k in net.ipv4.conf.lo.route_localnet net.ipv4.conf.lo.accept_local; do
    lo_sysctls+=("$k=$(sysctl -n "$k")"); sysctl -q -w "$k=1"
  done
  root_xdp=(--set "dns.xdpInterfaces=[lo]")
fi
TENDRIL_ROOT_JAVA_OPTS="${BENCH_ROOT_JAVA_OPTS:-}" taskset -c 0 "$top/bin/tendril-root" --config builtin:demo \
  --set dns.port="$rport" --set dns.ioThreads=1 --set dns.zones=[svc.bench.] --set dns.nameServers=[ns1.svc.bench.] \
  --set control.port="$cport" --set store.path="$work/root/topology.db" --set store.sync=FULL \
  --set control.limits.maxMigrationsPerService=100000000 --set control.limits.maxMigrationsTotal=100000000 \
  --set dns.rateLimit.enabled="$rrl" --set "dns.rateLimit.exempt=[127.0.0.0/8]" "${root_xdp[@]}" \
  --ready-file "$work/root.ready" > "$work/root.log" 2>&1 &
pids+=($!); root_pid=$!
for _ in $(seq 1 300); do [ -s "$work/root.ready" ] && break; sleep 0.1; done
[ -s "$work/root.ready" ] || { echo "bench: root did not start:" >&2; tail -20 "$work/root.log" >&2; exit 1; }
reg_threads=$(( instances >= 10000 ? 64 : 4 ))   # many threads: larger group commits
taskset -c 1 "$top/bin/tendril-load" register --root "127.0.0.1:$cport" --count "$instances" --threads "$reg_threads" --positions-out "$work/positions.csv"
wait_dns "$rport" web.svc.bench
echo "   answer for Munich: $(dig @127.0.0.1 -p "$rport" web.svc.bench +subnet=198.18.0.0/24 +short)"
root_line=$("$here/measure.sh" tendril "$rport" web.svc.bench "$secs" "$root_pid" "$ecs")
echo "   $root_line"
churn_qps=- mig_line="migration records: not measured (--queries-only)"
if [ "$queries_only" = 0 ]; then
echo "== answers/s while instances and migrations change (10 instance state changes + 10 migration records per second)"
taskset -c 1 "$top/bin/tendril-load" churn --root "127.0.0.1:$cport" --targets "$instances" --seconds "$((secs + 3))" --rate 10 > "$work/churn.txt" 2>&1 &
churn=$!
sleep 2
echo "web.svc.bench A" > "$work/q"
taskset -c 1 dnsperf -s 127.0.0.1 -p "$rport" -d "$work/q" -l "$secs" -c 8 -q 400 -E "8:$ecs" > "$work/churn-dns.txt" 2>&1
wait "$churn" || true
churn_qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$work/churn-dns.txt")
echo "   tendril-churn $churn_qps answers/s; $(cat "$work/churn.txt")"
echo "== migration records committed durably while dnsperf loads the root"
echo "web.svc.bench A" > "$work/q"
taskset -c 1 dnsperf -s 127.0.0.1 -p "$rport" -d "$work/q" -l "$((secs + 2))" -Q 20000 -E "8:$ecs" > "$work/bg.txt" 2>&1 &
bg=$!
mig_line=$(taskset -c 1 "$top/bin/tendril-load" migrations --root "127.0.0.1:$cport" --targets "$instances" --seconds "$secs" --threads 8)
wait "$bg" || true
echo "   $mig_line; DNS meanwhile: $(awk '/Queries per second/{printf "%.0f answers/s", $4}' "$work/bg.txt")"
rss=$(ps -o rss= -p "$(pgrep -f 'dev.tendril.root.bootstrap.RootMain' | head -1)" | awk '{printf "%.0f MiB", $1/1024}')
echo "   root RSS after the run: $rss"
fi

# the root's program leaves lo before the others run (and its idle threads leave core 0)
kill "$root_pid"; wait "$root_pid" 2>/dev/null || true
for kv in "${lo_sysctls[@]}"; do sysctl -q -w "$kv"; done
lo_sysctls=()

# --- gdnsd: nearest of the first 50 of the same instances --------------------------------
echo "== gdnsd geoip (nearest of 50)"
head -51 "$work/positions.csv" > "$work/pos50.csv"
"$here/gdnsd-config.sh" "$work/pos50.csv" "$mmdb" "$work/gdnsd" "$gport"
taskset -c 0 gdnsd -c "$work/gdnsd/conf" start > "$work/gdnsd.log" 2>&1 &
pids+=($!); gd_pid=$!
wait_dns "$gport" web.svc.bench
echo "   answer for Munich: $(dig @127.0.0.1 -p "$gport" web.svc.bench +subnet=198.18.0.0/24 +short)"
gd_line=$("$here/measure.sh" gdnsd "$gport" web.svc.bench "$secs" "$gd_pid" "$ecs")
echo "   $gd_line"

# --- Knot: static A -------------------------------------------------------------------
echo "== knot static A"
"$here/knot-config.sh" "$work/knot" "$kport"
taskset -c 0 knotd -c "$work/knot/knot.conf" > "$work/knot.log" 2>&1 &
pids+=($!); kn_pid=$!
wait_dns "$kport" web.static.bench
kn_line=$("$here/measure.sh" knot "$kport" web.static.bench "$secs" "$kn_pid")
echo "   $kn_line"

# --- table ----------------------------------------------------------------------------
echo
echo "instances=$instances seconds=$secs rrl=$rrl xdp=$xdp root JVM options: ${BENCH_ROOT_JAVA_OPTS:-bin/tendril-root defaults} load=$(cut -d' ' -f1-3 /proc/loadavg) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) cores=$(nproc)"
printf '%-8s %10s %7s %14s %9s %9s %6s %8s\n' server answers/s cpu% answers/core p50_ms p99_ms lost% maxRSS_MiB
for l in "$root_line" "$gd_line" "$kn_line"; do printf '%-8s %10s %7s %14s %9s %9s %6s %8s\n' $l; done
r=$(echo "$root_line" | awk '{print $2}'); g=$(echo "$gd_line" | awk '{print $2}'); k=$(echo "$kn_line" | awk '{print $2}')
rc=$(echo "$root_line" | awk '{print $4}'); gc=$(echo "$gd_line" | awk '{print $4}'); kc=$(echo "$kn_line" | awk '{print $4}')
awk -v r="$r" -v g="$g" -v k="$k" 'BEGIN{printf "answers/s ratio tendril/gdnsd = %.2f, tendril/knot = %.2f\n", r/g, r/k}'
awk -v r="$rc" -v g="$gc" -v k="$kc" 'BEGIN{printf "answers per server core ratio tendril/gdnsd = %.2f, tendril/knot = %.2f\n", r/g, r/k}'
echo "tendril answers/s while 10 instances + 10 migrations change per second: $churn_qps"
echo "$mig_line"
