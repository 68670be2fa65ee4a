#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests (*IT) with real
# servers, dig, dockerd and eBPF, then the README's main job end to end (scripts/demo-check.sh:
# ./demo.sh started, its printed commands checked, stopped). Installs what it needs first.
# Needs root (eBPF, dockerd, network namespaces). Safe to run again. Arguments go to Maven
# (e.g. -pl edge-node); with any, the demo check is left out.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --no-build
scripts/ensure-dockerd.sh
mvn -B verify "$@"
if [ $# -eq 0 ]; then
  scripts/demo-check.sh
fi
