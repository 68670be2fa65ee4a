#!/usr/bin/env bash
# Records edge-node/cds/edge.classlist, the classes (and lambdas) bin/tendril-edge archives for
# class data sharing: the edge nodes of topology A (compose/experiments, RealTopologyIT) run
# RUNS migrations and replications without an archive, each writing the classes it loaded
# (-XX:DumpLoadedClassList through TENDRIL_EDGE_CLASSLIST_DIR); their union, in first-seen
# order, is the list. Run it after changes to the self-organization, overlay or deployment code
# (a stale list is harmless: the archive skips what no longer exists and the rest loads as
# without it). As root, on an idle machine, after `mvn -q -B install -DskipTests`.
#   bench/edge/cds-classlist.sh [RUNS=6]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
runs=${1:-6}
rec=$(mktemp -d /tmp/tendril-classlist.XXXXXX)
trap 'rm -rf "$rec"' EXIT
cd "$here"
env TENDRIL_EDGE_CDS=0 TENDRIL_EDGE_CLASSLIST_DIR="$rec" mvn -o -q -B -pl clients failsafe:integration-test \
  failsafe:verify -Dit.test=RealTopologyIT -Dtopology.name=A -Dtopology.runs="$runs" >"$rec/run.log" 2>&1 \
  || { echo "cds-classlist.sh: the topology run failed:" >&2; tail -30 "$rec/run.log" >&2; exit 1; }
ls "$rec"/*.classlist >/dev/null 2>&1 || { echo "cds-classlist.sh: no edge node wrote a class list" >&2; exit 1; }
out="$here/edge-node/cds/edge.classlist"
{
  echo "# Classes and lambdas bin/tendril-edge puts in its class-data-sharing archive (-Xshare:dump)."
  echo "# Recorded by bench/edge/cds-classlist.sh on $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD): the edge"
  echo "# nodes of topology A, $runs runs of migrations and replications. Generated; do not edit."
  # the union, first-seen order; dynamic proxies ($ProxyNN) have no class file to archive
  cat "$rec"/*.classlist | grep -v -e '^#' -e '^$' -e '/\$Proxy[0-9]*$' | awk '!seen[$0]++'
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "cds-classlist.sh: $(grep -vc '^#' "$out") lines ($(grep -c '^@lambda-proxy' "$out") lambdas) from $(ls "$rec"/*.classlist | wc -l) edge nodes -> $out"
