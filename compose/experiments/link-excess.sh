#!/usr/bin/env bash
# What the link harness adds per relayed link beyond its configured delay (docs/evaluation.md,
# section 1c, "What the harness adds"): a chain of N switches with 5 ms links, a host K+1 links
# from the server on each switch K, UDP echoes and TCP connects timed from each host, and a
# least-squares fit of the excess over the link traversals.
#   compose/experiments/link-excess.sh [N switches, default 5] [probes per host and kind, default 100]
# Needs root, iproute2, gcc (the relay) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-5}"; count="${2:-100}"
command -v python3 >/dev/null || { echo "link-excess.sh: python3 is missing (apt-get install python3)" >&2; exit 2; }
topo="$(mktemp)"
trap 'rm -f "$topo"' EXIT
{
  echo "host r 10.77.0.1/24"
  prev=r
  for k in $(seq 1 "$n"); do
    echo "switch s$k"
    echo "host u$k 10.77.0.$((k + 1))/24"
    echo "link $prev s$k delay=5ms"
    echo "link s$k u$k delay=5ms"
    prev="s$k"
  done
} >"$topo"
py="$here/compose/experiments/link-excess.py"
prefix="tl-lx$$-"
echo "link-excess: $n switches, $count probes per host and kind, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
"$here/compose/links/tendril-links" run "$topo" --prefix "$prefix" -- sh -c \
  "ip netns exec ${prefix}r python3 '$py' server 9977 & srv=\$!; sleep 0.5; python3 '$py' client '$prefix' $n 5 $count; rc=\$?; kill \$srv; exit \$rc" \
  2>&1 | grep -v '^  linkrelay'
