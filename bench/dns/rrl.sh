#!/usr/bin/env bash
# DNS abuse figures (issue 10): response rate limiting under a flood, a bystander's latency,
# cookie clients, and the amplification factor of the largest answers. A benchmark, not CI.
#
# Starts bin/tendril-root (built-in demo config, free ports, dns.ioThreads=1, pinned to core
# 0, the demo's six `web` instances registered through the control endpoint), then:
#   1. amplification: request and response bytes (dig +notcp +qr, EDNS 4096, no cookie; dig
#      9.18 asks ANY over TCP unless told +notcp) for ANY at
#      the apex and at a service, SRV with glue, the apex SOA and NS, and a service A;
#   2. with RRL on: a warm-up (a cookie client at full rate: exempt; then 5 s of the flood,
#      so that the limited paths are compiled), then R rounds of: a bystander (127.0.2.1,
#      dnsperf -Q 500 over 5 names, 100 q/s each: under the limit) alone for S seconds; then
#      S seconds of a flood of one query from 127.0.1.1 at full dnsperf rate (-c 8 -q 10000
#      -t 1, so that dropped queries do not stall it), the same bystander, and a cookie client
#      in the flooded /24 (127.0.1.200, its server cookie fetched with dig first, dnsperf
#      -Q 500 -E 10:<cookie>, one name: over the limit if it were counted); the bystander's
#      p50/p99 alone and during the flood per round and over all rounds;
#   3. interleaved (I seconds, default 120; 0 = skip), on a fresh root with RRL on: one
#      bystander dnsperf runs throughout while the flood is on in every second 5 s window
#      (started and stopped by the clock), so that both sides of the comparison share the
#      machine's conditions (the rounds above put "alone" and "flood" 20 s apart, and on a
#      machine whose background load moves, that drift decides the p99). The bystander sends
#      at a fixed 500 q/s, so its i-th answer belongs to t = i/500 s; answers within 0.5 s of a
#      window's edges are left out; p50/p99 of the quiet windows against the flood windows;
#      then the same against Knot with its mod-rrl (same limit and slip, core 0, one UDP
#      worker), when knotd is installed: the control for what the flood does to this machine;
#      (RRL_CONTROL=none skips the control);
#   4. the same flood against a root with RRL off (for context; one round).
# Full and truncated answers to the flood come from the root's counters (logged at close):
# full = NOERROR answers - valid-cookie queries - the bystander's completed queries;
# truncated = rateLimitSlipped.
# Loopback 127.0.0.0/8 is local, so dnsperf -a picks the source /24. On core 1 the flood's
# dnsperf runs at nice 15, the bystander SCHED_FIFO (chrt -f 10) and the cookie client at
# nice -10, so that the bystander's latency is the server's and not the load generator's
# (run as root).
# RRL_SET="--set k=v ..." adds options to every root this script starts (e.g. --set
# dns.rateLimit.quarantineNetworks=0 for no flood quarantine).
# RRL_FLOOD="<dnsperf options>" replaces the flood's "-c 8 -q 10000 -t 1". With those, each
# dropped query holds one of 10,000 slots for its 1 s timeout, so with RRL on the flood runs at
# ~19,000 q/s; "-c 8 -q 10000 -t 0.05" frees the slots 20 times sooner and sends as fast as
# one dnsperf can (a flood that outruns the root's refusals).
# Usage: bench/dns/rrl.sh [seconds=20] [responsesPerSecond=200] [slip=2] [rounds=3] [interleaved=120]
# (rounds 0: only the amplification table and the interleaved phase)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; top="$(cd "$here/../.." && pwd)"
secs=${1:-20} rate=${2:-200} slip=${3:-2} rounds=${4:-3} mixed=${5:-120}
flood_opts=${RRL_FLOOD:--c 8 -q 10000 -t 1}
work=$(mktemp -d /tmp/tendril-rrl.XXXXXX); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
  [ -n "${RRL_KEEP:-}" ] && cp -r "$work" "$RRL_KEEP"; rm -rf "$work"; }   # RRL_KEEP=<dir>: keep the raw outputs
trap cleanup EXIT
for t in dnsperf dig taskset chrt; do command -v $t >/dev/null || { echo "rrl.sh needs $t (apt-get install dnsperf dnsutils util-linux)" >&2; exit 2; }; done
. "$top/bench/build-if-stale.sh"; build_if_stale root-dns-server
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cp="$top/root-dns-server/target/root-dns-server-0.1.0-SNAPSHOT.jar:$top/root-dns-server/target/lib/*"
Z=svc.example.edge
root_up() { # <dir> <rrl true|false>: writes "pid dnsport" to <dir>/id
  local dir=$1 rport cport; mkdir -p "$dir"; rport=$(free_port); cport=$(free_port)
  TENDRIL_ROOT_JAVA_OPTS="${TENDRIL_ROOT_JAVA_OPTS:-}" taskset -c 0 "$top/bin/tendril-root" --config builtin:demo \
    --set dns.port="$rport" --set dns.ioThreads=1 --set control.port="$cport" --set store.path="$dir/topology.db" \
    --set dns.rateLimit.enabled="$2" --set dns.rateLimit.responsesPerSecond="$rate" --set dns.rateLimit.slip="$slip" \
    ${RRL_SET:-} --ready-file "$dir/ready" > "$dir/log" 2>&1 &
  pids+=($!); local pid=$!
  for _ in $(seq 1 300); do [ -s "$dir/ready" ] && break; sleep 0.1; done
  [ -s "$dir/ready" ] || { echo "root did not start: $(tail -5 "$dir/log")" >&2; exit 1; }
  taskset -c 1 java -cp "$cp" dev.tendril.root.bootstrap.DemoRegistration "tcp://127.0.0.1:$cport" setup > "$dir/setup.log" 2>&1
  echo "$pid $rport" > "$dir/id"
}
root_down() { # <pid> <dir>: stops the root, prints its counters line
  kill "$1"; for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  grep -o 'counters: {.*}' "$2/log" | tail -1
}
counter() { sed -n "s/.*[{ ]$1=\([0-9]*\).*/\1/p" <<<"$2"; }
completed() { awk '/Queries completed/{print $3}' "$1"; }
latency() { # <dnsperf -v output>: "p50 p99" in ms (NOERROR answers; NODATA is NOERROR too)
  awk '/^> NOERROR/{print $NF*1000}' "$1" | sort -g | awk '{a[NR]=$1} END{if(NR==0){print "nan nan"; exit} printf "%.3f %.3f\n", a[int(NR*0.5+0.999)], a[int(NR*0.99+0.999)]}'
}
echo "web.$Z A" > "$work/q"
printf '%s\n' "web.$Z A" "web.$Z AAAA" "_http._tcp.web.$Z SRV" "$Z SOA" "$Z NS" > "$work/q5"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. amplification
root_up "$work/amp" false; read -r pid port < "$work/amp/id"
printf '%-34s %8s %8s %7s\n' "query (EDNS 4096, no cookie)" "request" "response" "factor"
for q in "$Z ANY" "web.$Z ANY" "_http._tcp.web.$Z SRV" "$Z SOA" "$Z NS" "web.$Z A"; do
  set -- $q
  out=$(dig @127.0.0.1 -p "$port" -b 127.0.9.1 +notcp +qr +bufsize=4096 +nocookie +tries=1 +time=2 "$1" "$2")
  req=$(awk '/QUERY SIZE:/{print $NF}' <<<"$out"); resp=$(awk '/MSG SIZE  rcvd:/{print $NF}' <<<"$out")
  awk -v l="$1 $2" -v a="$req" -v b="$resp" 'BEGIN{printf "%-34s %8d %8d %7.2f\n", l, a, b, b/a}'
done
root_down "$pid" "$work/amp" > /dev/null

# ---- 2. RRL on
# The bystander (the one whose latency is measured) runs SCHED_FIFO (chrt -f 10) on core 1: on
# a real network it is another machine; here it shares core 1 with the flood's dnsperf, and a
# CPU-bound generator must not delay its receive (nice -10 alone did not stop that:
# docs/dns.md). Only the bystander: two FIFO processes of one priority on one core do not
# share it, and a cookie-client dnsperf that once spun there starved the bystander until the
# run's timeout. The cookie client (only its completions count) runs at nice -10. Every client
# has a hard timeout. The server is not given any priority.
instrument() { timeout $(( secs + 30 )) chrt -f 10 taskset -c 1 "$@"; }
helper() { timeout $(( secs + 30 )) taskset -c 1 nice -n -10 "$@"; }
# Warm-up (JIT): a cookie client at full rate over the five names, then 5 s of the flood, so
# the limited paths are compiled before anything is measured. Then R rounds, each the
# bystander alone for S s and S s of flood with the bystander and the cookie client: the
# comparison is made round by round, in the same minutes, so that the machine's own noise
# falls on both sides.
run_flood() { # <dir> <label> <port> <rounds>
  local dir=$1 label=$2 port=$3 rounds=$4
  local cookie warm r fp vp
  warm=$(dig @127.0.0.1 -p "$port" -b 127.0.3.1 +cookie +tries=1 +time=2 "web.$Z" A | sed -n 's/.*COOKIE: \([0-9a-f]*\) (good).*/\1/p')
  taskset -c 1 dnsperf -a 127.0.3.1 -s 127.0.0.1 -p "$port" -d "$work/q5" -l 5 -c 8 -q 400 -E "10:$warm" > "$dir/warm" 2>&1
  # the cookie client's server cookie, fetched before its /24 is flooded (afterwards dig's
  # first, cookie-less query would be limited like the flood)
  cookie=$(dig @127.0.0.1 -p "$port" -b 127.0.1.200 +cookie +tries=1 +time=2 "web.$Z" A | sed -n 's/.*COOKIE: \([0-9a-f]*\) (good).*/\1/p')
  [ -n "$cookie" ] || { echo "$label: no server cookie for 127.0.1.200" >&2; exit 1; }
  taskset -c 1 nice -n 15 dnsperf -a 127.0.1.1 -s 127.0.0.1 -p "$port" -d "$work/q" -l 5 $flood_opts > "$dir/flood0" 2>&1
  echo "$label: cookies from dig: warm-up ${warm:-none}, client ${cookie:-none}"
  for r in $(seq 1 "$rounds"); do
    local la0; la0=$(cut -d' ' -f1 /proc/loadavg)
    instrument dnsperf -a 127.0.2.1 -s 127.0.0.1 -p "$port" -d "$work/q5" -l "$secs" -Q 500 -v > "$dir/base$r" 2>&1
    timeout $(( secs + 30 )) taskset -c 1 nice -n 15 dnsperf -a 127.0.1.1 -s 127.0.0.1 -p "$port" -d "$work/q" -l "$secs" $flood_opts > "$dir/flood$r" 2>&1 &
    fp=$!
    instrument dnsperf -a 127.0.2.1 -s 127.0.0.1 -p "$port" -d "$work/q5" -l "$secs" -Q 500 -v > "$dir/victim$r" 2>&1 &
    vp=$!
    helper dnsperf -a 127.0.1.200 -s 127.0.0.1 -p "$port" -d "$work/q" -l "$secs" -Q 500 -E "10:$cookie" > "$dir/cookie$r" 2>&1
    wait $fp $vp
    echo "$label: round $r: load $la0 -> $(cut -d' ' -f1 /proc/loadavg)"
  done
}
sum() { local t=0 f; for f in "$@"; do t=$(( t + $(awk "/$KEY/{n=\$3} END{print n+0}" "$f") )); done; echo $t; }
report() { # <dir> <label> <rounds> <counters>
  local dir=$1 label=$2 rounds=$3 c=$4 r sent fl coo noerr other full slipped dropped b50 b99 v50 v99
  local floods=("$dir"/flood[0-9]*) bases=("$dir"/base[0-9]*) victims=("$dir"/victim[0-9]*) cookies=("$dir"/cookie[0-9]*)
  sent=$(KEY="Queries sent" sum "${floods[@]}"); fl=$(KEY="Queries completed" sum "${floods[@]}")
  coo=$(KEY="Queries completed" sum "${cookies[@]}")
  noerr=$(counter rcode.NOERROR "$c"); slipped=$(counter rateLimitSlipped "$c"); dropped=$(counter rateLimitDropped "$c")
  # every other client's answers: the cookie clients' (warm-up and cookie client: the root's own
  # count of valid cookies; dnsperf's "completed" misses answers that came after its timeout)
  # and the bystander's
  # (the bystander's from its answer lines, not dnsperf's summary: a FIFO dnsperf killed by its
  # hard timeout prints none)
  other=$(( $(counter validCookies "$c") + $(cat "${bases[@]}" "${victims[@]}" | grep -c '^> NOERROR') ))
  full=$(( noerr - other ))
  local fsecs=$(( 5 + rounds * secs ))
  echo "$label: flood from 127.0.1.1 (${fsecs} s: 5 s warm-up + $rounds x ${secs} s): sent $sent ($(( sent / fsecs ))/s); full answers $full ($(awk -v f=$full -v s=$fsecs 'BEGIN{printf "%.1f", f/s}')/s, limit $rate/s), truncated (slip) ${slipped:-0}, dropped ${dropped:-0}; dnsperf completed $fl"
  for r in $(seq 1 "$rounds"); do
    read -r b50 b99 <<<"$(latency "$dir/base$r")"; read -r v50 v99 <<<"$(latency "$dir/victim$r")"
    echo "$label: round $r: bystander 127.0.2.1 at 500 q/s: alone p50 $b50 ms p99 $b99 ms; during flood p50 $v50 ms p99 $v99 ms ($(awk -v a=$b99 -v b=$v99 'BEGIN{printf "%+.0f%%", (b-a)*100/a}') p99); completed $(completed "$dir/victim$r")/$(awk '/Queries sent/{print $3}' "$dir/victim$r")"
  done
  cat "${bases[@]}" > "$dir/base-all"; cat "${victims[@]}" > "$dir/victim-all"
  read -r b50 b99 <<<"$(latency "$dir/base-all")"; read -r v50 v99 <<<"$(latency "$dir/victim-all")"
  echo "$label: all rounds: bystander alone p50 $b50 ms p99 $b99 ms; during flood p50 $v50 ms p99 $v99 ms ($(awk -v a=$b99 -v b=$v99 'BEGIN{printf "%+.0f%%", (b-a)*100/a}') p99)"
  echo "$label: cookie client 127.0.1.200 (in the flooded /24) at 500 q/s: completed $coo/$(KEY="Queries sent" sum "${cookies[@]}"); root counters: $c"
}
if [ "$rounds" -gt 0 ]; then   # rounds 0: only the interleaved phase
root_up "$work/on" true; read -r pid port < "$work/on/id"
run_flood "$work/on" "RRL on" "$port" "$rounds"
report "$work/on" "RRL on" "$rounds" "$(root_down "$pid" "$work/on")"
fi

# ---- 3. RRL off, same flood
interleaved() { # <dir> <port> <seconds> <label> <flood query file> <bystander query file>: flood on in odd 5 s windows, one bystander throughout
  local dir=$1 port=$2 total=$3 label=$4 fq=$5 bq=$6 w=5 k t0 vp fps=()
  taskset -c 1 nice -n 15 dnsperf -a 127.0.1.1 -s 127.0.0.1 -p "$port" -d "$fq" -l 5 $flood_opts > "$dir/warm" 2>&1
  timeout $(( total + 30 )) chrt -f 10 taskset -c 1 dnsperf -a 127.0.2.1 -s 127.0.0.1 -p "$port" -d "$bq" -l "$total" -Q 500 -v > "$dir/victim" 2>&1 &
  vp=$!; t0=$(date +%s.%N); echo "$t0" > "$dir/t0"   # the bystander's start (epoch s), to line its answers up with server logs
  for (( k = 0; k * w < total; k++ )); do
    if (( k % 2 == 1 )); then
      timeout $(( w + 5 )) taskset -c 1 nice -n 15 dnsperf -a 127.0.1.1 -s 127.0.0.1 -p "$port" -d "$fq" -l "$w" $flood_opts > "$dir/flood$k" 2>&1 &
      fps+=($!)
    fi
    sleep "$(awk -v t0="$t0" -v e="$(( (k + 1) * w ))" -v now="$(date +%s.%N)" 'BEGIN{d = t0 + e - now; printf "%.3f", (d > 0 ? d : 0)}')"
  done
  wait "$vp" "${fps[@]}"   # not a bare wait: the root is a child of this shell too
  # each answer into its side's file as a dnsperf line, so latency() reads both
  awk -v w=$w -v g=0.5 -v dir="$dir" '/^> NOERROR/{ t = n * 0.002; n++; k = int(t / w); o = t - k * w
      if (o < g || o > w - g) next
      print > (dir "/" (k % 2 ? "side-flood" : "side-quiet")) }' "$dir/victim"
  local q50 q99 f50 f99
  read -r q50 q99 <<<"$(latency "$dir/side-quiet")"; read -r f50 f99 <<<"$(latency "$dir/side-flood")"
  echo "$label, interleaved ${total} s (flood in every second 5 s window): bystander in quiet windows p50 $q50 ms p99 $q99 ms (n=$(wc -l < "$dir/side-quiet")); in flood windows p50 $f50 ms p99 $f99 ms (n=$(wc -l < "$dir/side-flood")) ($(awk -v a="$q99" -v b="$f99" 'BEGIN{printf "%+.0f%%", (b-a)*100/a}') p99); completed $(completed "$dir/victim")/$(awk '/Queries sent/{print $3}' "$dir/victim"); flood sent $(KEY="Queries sent" sum "$dir"/flood[0-9]*)"
}
if [ "$mixed" -gt 0 ]; then
  root_up "$work/mix" true; read -r pid port < "$work/mix/id"
  echo "interleaved: load $(cut -d' ' -f1 /proc/loadavg)"
  interleaved "$work/mix" "$port" "$mixed" "RRL on" "$work/q" "$work/q5"
  echo "interleaved: load after $(cut -d' ' -f1 /proc/loadavg); root counters: $(root_down "$pid" "$work/mix")"
  # The control: Knot with its own RRL (mod-rrl, same limit and slip, one UDP worker on core
  # 0) under the same flood and bystander. What the flood does to Knot's bystander is what this
  # machine does to any server; Tendril's figure is read against it.
  if [ "${RRL_CONTROL:-knot}" = none ]; then
    echo "interleaved: no control run (RRL_CONTROL=none)"
  elif command -v knotd >/dev/null; then
    kport=$(free_port); "$here/knot-config.sh" "$work/knot" "$kport" "$rate" "$slip"
    taskset -c 0 knotd -c "$work/knot/knot.conf" > "$work/knot/log" 2>&1 &
    pids+=($!); kpid=$!
    for _ in $(seq 1 50); do dig @127.0.0.1 -p "$kport" +tries=1 +time=1 web.static.bench A > /dev/null 2>&1 && break; sleep 0.1; done
    echo "web.static.bench A" > "$work/kq"
    printf '%s\n' "web.static.bench A" "web.static.bench AAAA" "ns1.static.bench A" "static.bench SOA" "static.bench NS" > "$work/kq5"
    echo "interleaved (Knot $(knotd --version | awk '{print $NF}'), mod-rrl): load $(cut -d' ' -f1 /proc/loadavg)"
    interleaved "$work/knot" "$kport" "$mixed" "Knot, RRL on" "$work/kq" "$work/kq5"
    kill "$kpid"; wait "$kpid" 2>/dev/null
    echo "interleaved (Knot): load after $(cut -d' ' -f1 /proc/loadavg); $(grep -c 'enters limiting' "$work/knot/log") 'enters limiting' lines in Knot's log"
  else
    echo "interleaved: no knotd, so no control run (scripts/setup.sh installs knot)"
  fi
fi

if [ "$rounds" -gt 0 ]; then
root_up "$work/off" false; read -r pid port < "$work/off/id"
run_flood "$work/off" "RRL off" "$port" 1
report "$work/off" "RRL off" 1 "$(root_down "$pid" "$work/off")"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc)"
