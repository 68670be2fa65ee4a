#!/usr/bin/env bash
# Real-process topology experiments (issue 6, build items 1 and 2): root + edge nodes + users in
# network namespaces of the link harness; each run triggers bad QoE -> migration, overload ->
# replication, idle -> termination (H: bad QoE -> replication onto the arm64 platform), and
# the table of time-to-migrate / time-to-replicate percentiles (from `tendrilctl events`) is
# printed, written to docs/eval/real-topology-<T>.md with a CDF plot real-topology-<T>-cdf.png.
#   compose/experiments/run-topology.sh A|B|C|D|H [--runs N] [--seed S] [--out DIR] [--security curve|clear|both]
# A: 7 switches, 7 platforms, 7 users; B/C/D: 31 switches, 10/20/30 platforms and users;
# H: 3 amd64 platforms in Potsdam, 1 arm64 platform and the user in Munich. Defaults: --runs 20
# (H: 30), --seed 1, --out docs/eval, --security curve (CURVE keys on every ZeroMQ plane; clear:
# security.insecureClear, written as real-topology-<T>-clear.*; both: curve, then clear, one after
# the other on the same build, for the cost of security). Needs root, iproute2, gcc, dig, curl, bpftool/libbpf1
# (scripts/setup.sh). See docs/evaluation.md, section 1b. Below the table, a line lists every replication's
# processing in decision order with a replica node's first in the set marked '*', and the medians of firsts
# and repeats: on D a set's median lands where the two groups meet (docs/gotchas.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
topology="${1:-A}"; shift || true
case "$topology" in
  A|B|C|D) runs=20 ;;
  H) runs=30 ;;
  *) echo "run-topology.sh: unknown topology '$topology' (allowed: A, B, C, D, H)" >&2; exit 2 ;;
esac
seed=1; out="$here/docs/eval"; security=curve
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --security) security="$2"; shift 2 ;;
    *) echo "run-topology.sh: unknown option $1 (allowed: --runs N, --seed S, --out DIR, --security curve|clear|both)" >&2; exit 2 ;;
  esac
done
case "$security" in
  curve|clear) modes="$security" ;;
  both) modes="curve clear" ;;
  *) echo "run-topology.sh: unknown --security '$security' (allowed: curve, clear, both)" >&2; exit 2 ;;
esac
cd "$here"
# The nodes as shipped: the verify below builds the jars again (every Maven build rewrites them), so
# the edge nodes' class-data-sharing archive is written by the first node's start and the others wait
# for it (bin/tendril-edge); a warm-up start here, before that build, left all of them without one.
# The root writes its archive when it exits (bin/tendril-root): it runs without one, as at any first
# start after a build.
for mode in $modes; do
  log="$(mktemp)"
  echo "security $mode: start $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  set +e
  mvn -pl clients -am verify -Dtest=None -Dit.test=RealTopologyIT \
      -Dtopology.name="$topology" -Dtopology.runs="$runs" -Dtopology.seed="$seed" -Dtopology.out="$out" \
      -Dtopology.security="$mode" \
      -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(run |migrate |replicate-|topology [A-H])|Tests run:|FAIL|ERROR' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "run-topology.sh: the run failed (exit $rc); full log in $log" >&2
    exit "$rc"
  fi
  file="real-topology-$topology"
  if [ "$mode" = clear ]; then file="$file-clear"; fi
  echo "security $mode: commit $(git rev-parse --short HEAD), seed $seed, $runs run(s), $(nproc) cores, end $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$out/$file.md"
  echo "plot: $out/$file-cdf.png"
  rm -f "$log"
done
