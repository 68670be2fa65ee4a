#!/usr/bin/env bash
# Starts dockerd if no engine answers on /var/run/docker.sock; waits until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "ensure-dockerd: no Docker engine answers and starting one needs root" >&2; exit 1; fi
mkdir -p /var/log
# dockerd outlives this script: it must not inherit any other descriptor, or it holds whatever
# lock a caller took with flock(1) (the benchmark lock stayed taken until dockerd stopped)
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
done
nohup setsid dockerd >/var/log/tendril-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 120); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "ensure-dockerd: dockerd did not come up; see /var/log/tendril-dockerd.log" >&2
tail -20 /var/log/tendril-dockerd.log >&2 || true
exit 1
