#!/usr/bin/env bash
# Writes a gdnsd config dir: geoip plugin in city auto mode choosing the nearest of the
# instances in positions.csv (id,address,lat,lon), zone svc.bench. with web DYNA geoip.
# Usage: gdnsd-config.sh <positions.csv> <mmdb> <dir> <port>
set -euo pipefail
pos=$1 mmdb=$2 dir=$3 port=$4
mkdir -p "$dir/conf/zones" "$dir/conf/geoip" "$dir/run" "$dir/state"
cp "$mmdb" "$dir/conf/geoip/bench.mmdb"
dcs=$(awk -F, 'NR>1{printf "%s%s", sep, $1; sep=", "}' "$pos")
coords=$(awk -F, 'NR>1{printf "        %s => [ %s, %s ],\n", $1, $3, $4}' "$pos")
dcmap=$(awk -F, 'NR>1{printf "        %s => %s,\n", $1, $2}' "$pos")
cat > "$dir/conf/config" <<CONF
options => {
  listen => [ 127.0.0.1:$port ]
  udp_threads => 1
  tcp_threads => 1
  run_dir => $dir/run
  state_dir => $dir/state
}
plugins => { geoip => {
  maps => {
    nearest => {
      geoip2_db => bench.mmdb,
      datacenters => [ $dcs ],
      auto_dc_coords => {
$coords
      },
      auto_dc_limit => 1,
    }
  }
  resources => {
    web => {
      map => nearest
      dcmap => {
$dcmap
      }
    }
  }
}}
CONF
cat > "$dir/conf/zones/svc.bench" <<'ZONE'
$TTL 10
@ SOA ns1 hostmaster 1 3600 600 86400 10
@ NS ns1
@ NS ns2
ns1 A 127.0.0.1
ns2 A 127.0.0.1
web 10 DYNA geoip!web
ZONE
