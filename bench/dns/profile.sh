#!/usr/bin/env bash
# Where the root's DNS time goes: bin/tendril-root as shipped (its default JVM options) with
# async-profiler loaded as an agent (itimer: CPU time, kernel frames included), N instances
# registered through the control endpoint, a 10 s warm-up, then dnsperf at full rate (ECS
# 198.18.0.0/24, like run.sh) for S seconds. Samples of the DNS UDP thread only (dns-udp-*; Netty's event loop with dns.udpIo=NETTY)
# (registration and warm-up samples are there too but small next to S s of full load; the
# table says how many samples it holds). Writes <out>.svg (flame graph, bench/dns/flamegraph.py)
# and <out>.txt (the hottest frames by self time).
# async-profiler: the Maven Central jar tools.profiler:async-profiler:4.1 (classifier
# linux-x64) holds linux-x64/libasyncProfiler.so; point AP_LIB at it.
# PROFILE_XDP=1: the root answers UDP through AF_XDP on lo (dns.xdpInterfaces=[lo], as run.sh --xdp, lo's
# route_localnet and accept_local set to 1 for the run and restored), and the samples are its dns-xdp-* thread's.
# Usage: AP_LIB=/path/libasyncProfiler.so bench/dns/profile.sh <out-prefix> [instances=50] [seconds=15]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; top="$(cd "$here/../.." && pwd)"
out=$(realpath -m "$1"); instances=${2:-50}; secs=${3:-15}
[ -f "${AP_LIB:-}" ] || { echo "profile.sh: set AP_LIB to libasyncProfiler.so" >&2; exit 2; }
work=$(mktemp -d /tmp/tendril-dnsprof.XXXXXX); pids=()
lo_sysctls=(); xdp=(); thread='dns-udp-|multiThreadIoEventLoopGroup'
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"
  for kv in "${lo_sysctls[@]}"; do sysctl -q -w "$kv" || true; done
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rport=$(free_port); cport=$(free_port); ecs=00011800c61200
if [ "${PROFILE_XDP:-0}" = 1 ]; then
  for k in net.ipv4.conf.lo.route_localnet net.ipv4.conf.lo.accept_local; do
    lo_sysctls+=("$k=$(sysctl -n "$k")"); sysctl -q -w "$k=1"
  done
  xdp=(--set "dns.xdpInterfaces=[lo]"); thread='dns-xdp-'
fi
TENDRIL_ROOT_CDS=0 TENDRIL_ROOT_EXTRA_OPTS="-agentpath:$AP_LIB=start,event=itimer,interval=1ms,threads,collapsed,file=$work/folded.txt" \
  taskset -c 0 "$top/bin/tendril-root" --config builtin:demo \
  --set dns.port="$rport" --set dns.ioThreads=1 --set dns.zones=[svc.bench.] --set dns.nameServers=[ns1.svc.bench.] \
  --set control.port="$cport" --set store.path="$work/topology.db" "${xdp[@]}" --ready-file "$work/ready" > "$work/root.log" 2>&1 &
pid=$!; pids+=($pid)
for _ in $(seq 1 300); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "root did not start" >&2; tail "$work/root.log" >&2; exit 1; }
taskset -c 1 "$top/bin/tendril-load" register --root "127.0.0.1:$cport" --count "$instances" --threads $(( instances >= 10000 ? 64 : 4 )) > /dev/null
echo "web.svc.bench A" > "$work/q"
taskset -c 1 dnsperf -s 127.0.0.1 -p "$rport" -d "$work/q" -l 10 -c 8 -q 400 -E "8:$ecs" > /dev/null 2>&1   # warm-up
load=$(cut -d' ' -f1-3 /proc/loadavg)
taskset -c 1 dnsperf -s 127.0.0.1 -p "$rport" -d "$work/q" -l "$secs" -c 8 -q 400 -E "8:$ecs" > "$work/perf" 2>&1
kill "$pid"; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$work/perf")
grep -E "^\\[($thread)" "$work/folded.txt" | sed 's/^\[[^]]*\];//' > "$work/dns.txt" || true
cp "$work/folded.txt" "$out.folded"   # every thread, for a look beyond the DNS thread
python3 "$here/flamegraph.py" "$work/dns.txt" "$out.svg" "DNS event loop, $instances instances, $qps answers/s (load $load)"
{
  echo "# $(date -u +%FT%TZ) bin/tendril-root defaults, instances=$instances, dnsperf $secs s: $qps answers/s, load $load"
  awk '{n=$NF; tot+=n} END{printf "# %d samples of the DNS event loop thread (1 ms CPU each)\n", tot}' "$work/dns.txt"
  echo "# self time per frame (top 25)"
  awk '{n=$NF; $NF=""; sub(/ $/,""); k=split($0,f,";"); self[f[k]]+=n; tot+=n} END{for (s in self) printf "%6.2f%%  %s\n", 100*self[s]/tot, s}' "$work/dns.txt" | sort -rn | head -25
  echo "# inclusive time of selected frames"
  for f in UdpQueryHandler.channelRead0 DnsQueryHandler.handle 'Message.<init>' DnsQueryMapper.map ResolveService.resolve \
           DnsResponseWriter.write 'Message.toWire' FastAnswers sendmmsg recvmmsg epoll_wait \
           XdpFrames.queryPayload XdpFrames.writeAnswer XskSocket.receive XskSocket.flush __xsk_generic_xmit do_xdp_generic __poll; do
    awk -v f="$f" '{n=$NF; tot+=n; if (index($0, f)) hit+=n} END{if (tot) printf "%6.2f%%  %s\n", 100*hit/tot, f}' "$work/dns.txt"
  done
} > "$out.txt"
cat "$out.txt"
