#!/usr/bin/env bash
# One server, two dnsperf runs on core 1: max answers/s (with the server's CPU use and RSS
# meanwhile), then p50/p99 at a fixed rate.
# Usage: measure.sh <label> <port> <qname> <seconds> <server-pid> [ecs-hex]
# Prints: <label> <answers/s> <server CPU %> <answers per server core> <p50 ms> <p99 ms> <lost %> <max RSS MiB>
# CPU % = (user + system time of the server process, all threads) / wall time of the max-rate
# run; answers per server core = answers/s / (CPU % / 100): what one fully used core would answer.
set -euo pipefail
label=$1 port=$2 qname=$3 secs=$4 pid=$5 ecs=${6:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "$qname A" > "$tmp/q"
opts=(-s 127.0.0.1 -p "$port" -d "$tmp/q")
[ -n "$ecs" ] && opts+=(-E "8:$ecs")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# warm-up (JIT, caches), then the measured run
taskset -c 1 dnsperf "${opts[@]}" -l "$(( secs < 5 ? secs : 5 ))" -c 8 -q 400 > /dev/null 2>&1
t0=$(ticks); w0=$(date +%s%N)
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -c 8 -q 400 > "$tmp/max" 2>&1 &
perf=$!
rss=0
while kill -0 "$perf" 2>/dev/null; do
  r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status"); [ "${r:-0}" -gt "$rss" ] && rss=$r
  sleep 0.5
done
wait "$perf" || true
t1=$(ticks); w1=$(date +%s%N)
hz=$(getconf CLK_TCK)
codes=$(awk '/Response codes/{$1=$2=""; print}' "$tmp/max" | xargs)
case "$codes" in "NOERROR 100.00%"*|"NOERROR "*"(100.00%)"*) ;; *) echo "warning: $label response codes: $codes" >&2 ;; esac
qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$tmp/max")
lost=$(awk '/Queries lost/{gsub(/[()%]/,"",$4); print $4}' "$tmp/max")
read -r cpu per_core < <(awk -v t="$((t1 - t0))" -v hz="$hz" -v w="$((w1 - w0))" -v q="$qps" \
  'BEGIN{c = 100 * (t / hz) / (w / 1e9); printf "%.1f %.0f\n", c, (c > 0 ? q / (c / 100) : 0)}')
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -Q 500 -v > "$tmp/lat" 2>&1
read -r p50 p99 n < <(awk '/^> NOERROR/{print $NF*1000}' "$tmp/lat" | sort -g |
  awk '{a[NR]=$1} END{if(NR==0){print "nan nan 0"; exit} i50=int(NR*0.50+0.999); i99=int(NR*0.99+0.999); printf "%.3f %.3f %d\n", a[i50], a[i99], NR}')
noerr=$(grep -c '^> NOERROR' "$tmp/lat" || true)
total=$(grep -c '^> ' "$tmp/lat" || true)
[ "$noerr" = "$total" ] || echo "warning: $label answered $((total-noerr)) of $total rate-limited queries with an rcode other than NOERROR" >&2
printf '%s %s %s %s %s %s %s %s\n' "$label" "$qps" "$cpu" "$per_core" "$p50" "$p99" "${lost:-0}" "$((rss / 1024))"
