#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests (*IT) with real
# servers, dig, dockerd and eBPF. Installs what it needs first. Needs root (eBPF, dockerd,
# network namespaces). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --no-build
scripts/ensure-dockerd.sh
mvn -B verify "$@"
