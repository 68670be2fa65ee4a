#!/usr/bin/env bash
# One server, two dnsperf runs on core 1: max answers/s (with the server's CPU use and RSS
# meanwhile), then p50/p99 at a fixed rate.
# Usage: measure.sh <label> <port> <qname> <seconds> <server-pid> [ecs-hex]
# Prints: <label> <answers/s> <server CPU %> <answers per server core> <p50 ms> <p99 ms> <lost %> <max RSS MiB>
# CPU % = (user + system time of the server process, all threads) / the S seconds of the max-rate
# run; answers per server core = its answers / those CPU seconds: what one fully used core would answer.
set -euo pipefail
label=$1 port=$2 qname=$3 secs=$4 pid=$5 ecs=${6:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "$qname A" > "$tmp/q"
opts=(-s 127.0.0.1 -p "$port" -d "$tmp/q")
[ -n "$ecs" ] && opts+=(-E "8:$ecs")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
uticks() { awk '{print $14}' "/proc/$pid/stat"; }
# warm-up (JIT, caches), then the measured run
taskset -c 1 dnsperf "${opts[@]}" -l "$(( secs < 5 ? secs : 5 ))" -c 8 -q 400 > /dev/null 2>&1
t0=$(ticks); u0=$(uticks)
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -c 8 -q 400 > "$tmp/max" 2>&1 &
perf=$!
rss=0
while kill -0 "$perf" 2>/dev/null; do
  r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status"); [ "${r:-0}" -gt "$rss" ] && rss=$r
  sleep 0.5
done
wait "$perf" || true
t1=$(ticks); u1=$(uticks)
hz=$(getconf CLK_TCK)
qn=$(awk '/Queries completed/{print $3}' "$tmp/max")
# the split of the server's CPU time per answer (user: the server's own code; system: the kernel's
# UDP path, on loopback the receiver's side too), on stderr so the line below keeps its columns
awk -v l="$label" -v t="$((t1 - t0))" -v u="$((u1 - u0))" -v hz="$hz" -v n="${qn:-0}" \
  'BEGIN{if (n > 0) printf "%s: CPU per answer: user %.2f us, system %.2f us\n", l, 1e6*u/hz/n, 1e6*(t-u)/hz/n}' >&2
codes=$(awk '/Response codes/{$1=$2=""; print}' "$tmp/max" | xargs)
case "$codes" in "NOERROR 100.00%"*|"NOERROR "*"(100.00%)"*) ;; *) echo "warning: $label response codes: $codes" >&2 ;; esac
qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$tmp/max")
lost=$(awk '/Queries lost/{gsub(/[()%]/,"",$4); print $4}' "$tmp/max")
# answers per server core = answers completed / server CPU seconds over the run (user + system,
# all threads). Not answers/s over CPU % of the wall time: after a run with lost queries dnsperf
# waits out its 5 s timeout, and that idle tail inflated the figure of whichever server lost
# queries (docs/benchmarks.md, 2026-12-02). CPU % = CPU seconds / the run's S seconds of sending.
read -r cpu per_core < <(awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$secs" -v n="${qn:-0}" \
  'BEGIN{c = t / hz; printf "%.1f %.0f\n", 100 * c / s, (c > 0 ? n / c : 0)}')
if [ -n "${MEASURE_KEEP:-}" ]; then cp "$tmp/max" "$MEASURE_KEEP.$label"; fi   # MEASURE_KEEP=<prefix>: keep dnsperf's output
taskset -c 1 dnsperf "${opts[@]}" -l "$secs" -Q 500 -v > "$tmp/lat" 2>&1
read -r p50 p99 n < <(awk '/^> NOERROR/{print $NF*1000}' "$tmp/lat" | sort -g |
  awk '{a[NR]=$1} END{if(NR==0){print "nan nan 0"; exit} i50=int(NR*0.50+0.999); i99=int(NR*0.99+0.999); printf "%.3f %.3f %d\n", a[i50], a[i99], NR}')
noerr=$(grep -c '^> NOERROR' "$tmp/lat" || true)
total=$(grep -c '^> ' "$tmp/lat" || true)
[ "$noerr" = "$total" ] || echo "warning: $label answered $((total-noerr)) of $total rate-limited queries with an rcode other than NOERROR" >&2
printf '%s %s %s %s %s %s %s %s\n' "$label" "$qps" "$cpu" "$per_core" "$p50" "$p99" "${lost:-0}" "$((rss / 1024))"
