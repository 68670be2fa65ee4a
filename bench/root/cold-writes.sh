#!/usr/bin/env bash
# The root's rare writes (a new node, a migration record), cold and after the warm-up's change rehearsal
# (bench/root/ColdWritesBench.java): the root's writer and SQLite store (FULL sync) in one fresh process per line,
# no network, bin/tendril-root's default JVM options; RUNS lines for each of 0 and 300 rehearsal rounds, alternating.
#   bench/root/cold-writes.sh [RUNS, default 2]
# Needs root-dns-server built (mvn -o -q -pl root-dns-server -am package -DskipTests) and libsqlite3-mod-spatialite.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-2}"
case "$runs" in ''|*[!0-9]*) echo "cold-writes.sh: RUNS must be a whole number" >&2; exit 2 ;; esac
# shellcheck source=bench/root/compile.sh
. "$here/bench/root/compile.sh"
root_bench_compile cold-writes.sh "$here" "$here/bench/root/ColdWritesBench.java"
echo "$(cd "$here" && git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for i in $(seq "$runs"); do
  for rounds in 0 300; do
    # shellcheck disable=SC2086
    java $DEFAULT_OPTS -cp "$cp" dev.tendril.root.bootstrap.ColdWritesBench "$rounds" 2>&1 | grep -v " INFO \| DEBUG "
  done
done
