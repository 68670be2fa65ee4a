#!/usr/bin/env bash
# Writes a Knot config answering a static A record for web.static.bench.
# Usage: knot-config.sh <dir> <port> [<rrl responses per second> <slip>]
# (with the last two: Knot's response rate limiting, mod-rrl, on every zone; rrl.sh's control)
set -euo pipefail
dir=$1 port=$2 rrl_rate=${3:-} rrl_slip=${4:-2}
mkdir -p "$dir/db"
cat > "$dir/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: $dir
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: $dir/db
zone:
  - domain: static.bench.
    storage: $dir
    file: static.bench.zone
CONF
if [ -n "$rrl_rate" ]; then
  cat >> "$dir/knot.conf" <<CONF
mod-rrl:
  - id: bench
    rate-limit: $rrl_rate
    slip: $rrl_slip
template:
  - id: default
    global-module: mod-rrl/bench
CONF
fi
cat > "$dir/static.bench.zone" <<'ZONE'
$TTL 10
@ SOA ns1 hostmaster 1 3600 600 86400 10
@ NS ns1
ns1 A 127.0.0.1
web A 192.0.2.10
ZONE
