#!/usr/bin/env bash
# One server, two dnsperf runs on core 1: max answers/s, then p50/p99 at a fixed rate.
# Usage: measure.sh <label> <port> <qname> <seconds> [ecs-hex]
# Prints: <label> <answers/s> <p50 ms> <p99 ms> <lost %>
set -euo pipefail
label=$1 port=$2 qname=$3 secs=$4 ecs=${5:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "$qname A" > "$tmp/q"
opts=(-s 127.0.0.1 -p "$port" -d "$tmp/q")
[ -n "$ecs" ] && opts+=(-E "8:$ecs")
# warm-up (JIT, caches), then the measured run
taskset -c 1 dnsperf "${opts[@]}" -l "$(( secs < 5 ? secs : 5 ))" -c 8 -q 400 > /dev/null 2>&1
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -c 8 -q 400 > "$tmp/max" 2>&1
codes=$(awk '/Response codes/{$1=$2=""; print}' "$tmp/max" | xargs)
case "$codes" in "NOERROR 100.00%"*|"NOERROR "*"(100.00%)"*) ;; *) echo "warning: $label response codes: $codes" >&2 ;; esac
qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$tmp/max")
lost=$(awk '/Queries lost/{gsub(/[()%]/,"",$4); print $4}' "$tmp/max")
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -Q 500 -v > "$tmp/lat" 2>&1
read -r p50 p99 n < <(awk '/^> NOERROR/{print $NF*1000}' "$tmp/lat" | sort -g |
  awk '{a[NR]=$1} END{if(NR==0){print "nan nan 0"; exit} i50=int(NR*0.50+0.999); i99=int(NR*0.99+0.999); printf "%.3f %.3f %d\n", a[i50], a[i99], NR}')
noerr=$(grep -c '^> NOERROR' "$tmp/lat" || true)
total=$(grep -c '^> ' "$tmp/lat" || true)
[ "$noerr" = "$total" ] || echo "warning: $label answered $((total-noerr)) of $total rate-limited queries with an rcode other than NOERROR" >&2
printf '%s %s %s %s %s\n' "$label" "$qps" "$p50" "$p99" "${lost:-0}"
