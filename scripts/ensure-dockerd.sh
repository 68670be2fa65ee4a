#!/usr/bin/env bash
# Starts dockerd if no engine answers on /var/run/docker.sock; waits until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "ensure-dockerd: no Docker engine answers and starting one needs root" >&2; exit 1; fi
mkdir -p /var/log
nohup setsid dockerd >/var/log/tendril-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 120); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "ensure-dockerd: dockerd did not come up; see /var/log/tendril-dockerd.log" >&2
tail -20 /var/log/tendril-dockerd.log >&2 || true
exit 1
