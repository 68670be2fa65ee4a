#!/usr/bin/env bash
# What the edge's client thread adds to a request (bench/transport/HandOffBench.java): one small request at a
# time to an echoing ROUTER on loopback, sent by the caller on its own DEALER and through PipelinedClient,
# with bin/tendril-edge's default JVM options (C1 only). Prints p50 / p75 / p90 round trips per round.
#   bench/transport/run.sh [REQUESTS per round, default 1000] [ROUNDS, default 3]
# Needs shared-protocol built (mvn -o -q -pl shared-protocol -am install -DskipTests).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-1000}"; rounds="${2:-3}"
case "$n$rounds" in ''|*[!0-9]*) echo "run.sh: REQUESTS and ROUNDS must be whole numbers" >&2; exit 2 ;; esac
[ -d "$here/shared-protocol/target/classes" ] || { echo "run.sh: shared-protocol/target/classes missing: build it first" >&2; exit 1; }
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
# shared-protocol's classes carry JeroMQ's (with Tendril's own zmq.Signaler), as on the nodes' class path: the
# JeroMQ jar itself (a provided dependency) is left out, so no class path order decides which Signaler runs
(cd "$here" && mvn -o -q -pl shared-protocol dependency:build-classpath -DexcludeArtifactIds=jeromq \
  -Dmdep.outputFile="$out/cp.txt" >/dev/null)
cp="$here/shared-protocol/target/classes:$(cat "$out/cp.txt")"
javac -nowarn -d "$out" -cp "$cp" "$here/bench/transport/HandOffBench.java"
# the edge launcher's defaults (TENDRIL_JAVA_OPTS unset), read from bin/tendril-edge so the two cannot drift apart
opts="$(sed -n 's/.*\${TENDRIL_JAVA_OPTS:-\([^}]*\)}.*/\1/p' "$here/bin/tendril-edge")"
[ -n "$opts" ] || { echo "run.sh: no default JVM options found in bin/tendril-edge" >&2; exit 1; }
echo "$(cd "$here" && git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
# shellcheck disable=SC2086
java $opts -cp "$out:$cp" HandOffBench "$n" "$rounds" 2>&1 | grep -v "^SLF4J"
