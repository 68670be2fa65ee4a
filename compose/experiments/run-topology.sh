#!/usr/bin/env bash
# Real-process topology experiment (issue 6, build item 1): root + edge nodes + users in
# network namespaces of the link harness, 5 ms per link; each run triggers bad QoE ->
# migration, overload -> replication, idle -> termination, and the table of
# time-to-migrate / time-to-replicate percentiles (from `tendrilctl events`) is printed.
#   compose/experiments/run-topology.sh A --runs 20 [--seed 1]
# Needs root, iproute2, gcc, dig, curl, bpftool/libbpf1 (scripts/setup.sh). Only topology A
# exists with real processes; B-D run on simulated time (bin/tendril-eval topology).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
topology="${1:-A}"; shift || true
runs=20; seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    *) echo "run-topology.sh: unknown option $1 (allowed: --runs N, --seed S)" >&2; exit 2 ;;
  esac
done
if [ "$topology" != "A" ]; then
  echo "run-topology.sh: topology $topology has no real-process runner yet (only A); see docs/evaluation.md" >&2
  exit 2
fi
cd "$here"
log="$(mktemp)"
set +e
mvn -q -pl clients -am package -DskipTests && \
mvn -pl clients -am verify -Dtest=None -Dit.test=RealTopologyIT \
    -Dtopology.runs="$runs" -Dtopology.seed="$seed" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1
rc=$?
set -e
grep -E '^(run |migrate |replicate-|topology A)|Tests run:|FAIL|ERROR' "$log" || true
if [ "$rc" -ne 0 ]; then
  echo "run-topology.sh: the run failed (exit $rc); full log in $log" >&2
  exit "$rc"
fi
cat clients/target/real-topology-A.md
rm -f "$log"
