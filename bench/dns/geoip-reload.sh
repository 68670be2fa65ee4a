#!/usr/bin/env bash
# SIGHUP with a new GeoIP database during a dnsperf run (20 s at 2,000 q/s, reload after 7 s):
# failed queries, and the answer for one subnet before and after (Munich -> Tokyo).
# Usage: bench/dns/geoip-reload.sh   (ports 15353/15390 on loopback; the issue-12 acceptance check)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"; W="$(mktemp -d)"; trap 'rm -rf "$W"' EXIT
. "$REPO/bench/build-if-stale.sh"; build_if_stale root-dns-server
printf 'cidr,lat,lon,city,country\n10.1.0.0/16,48.1374,11.5755,Munich,DE\n' > "$W/v1.csv"
printf 'cidr,lat,lon,city,country\n10.1.0.0/16,35.6762,139.6503,Tokyo,JP\n' > "$W/v2.csv"
"$REPO/bin/tendril-geoip-compile" "$W/v1.csv" "$W/v1.mmdb" >/dev/null
"$REPO/bin/tendril-geoip-compile" "$W/v2.csv" "$W/v2.mmdb" >/dev/null
cp "$W/v1.mmdb" "$W/users.mmdb"
"$REPO/bin/tendril-root" --config builtin:demo --set "store.path=$W/t.db" --set dns.port=15353 --set control.port=15390 \
  --set "geoip.databases=[$W/users.mmdb, builtin:demo]" --ready-file "$W/ready" > "$W/root.log" 2>&1 &
ROOT=$!
for _ in $(seq 1 300); do [ -f "$W/ready" ] && break; sleep 0.1; done
MOD="$REPO/root-dns-server/target"
java -cp "$MOD/root-dns-server-0.1.0-SNAPSHOT.jar:$MOD/lib/*" dev.tendril.root.bootstrap.DemoRegistration tcp://127.0.0.1:15390 setup >/dev/null
ask() { dig @127.0.0.1 -p 15353 +short web.svc.example.edge +subnet=10.1.2.0/24; }
echo "before: $(ask)"
# queries with ECS 10.1.2.0/24 (dnsperf -E code:hex: family 1, source 24, scope 0, 10.1.2)
printf 'web.svc.example.edge A\n' > "$W/q.txt"
dnsperf -s 127.0.0.1 -p 15353 -d "$W/q.txt" -l 20 -Q 2000 -E 8:000118000a0102 2>/dev/null > "$W/perf.txt" &
PERF=$!
sleep 7
cp "$W/v2.mmdb" "$W/users.mmdb.new" && mv "$W/users.mmdb.new" "$W/users.mmdb"
kill -HUP "$ROOT"
sleep 4
echo "after:  $(ask)"
wait "$PERF" || true
grep -E "Queries sent|Queries completed|Queries lost|Response codes|Queries per second" "$W/perf.txt"
grep -E "GeoIP" "$W/root.log" | sed 's/^.* - //'
kill -TERM "$ROOT"; wait "$ROOT" || true
