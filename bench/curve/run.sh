#!/usr/bin/env bash
# CURVE handshake cost, jnacl 1.0.0's Curve25519 against the JDK's X25519 that shared-protocol
# carries (docs/evaluation.md, section 1c, "After: CURVE handshakes"). Edge JVM flags (C1 only). Tendril's line runs
# on shared-protocol's classes alone (JeroMQ's and jnacl's are unpacked there, with Tendril's own zmq.Signaler and
# curve25519), as the nodes do; the jnacl line on the stock jars.
#   bench/curve/run.sh [N]          (build first: mvn -o -q -pl shared-protocol package -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-40}"
m2="${HOME}/.m2/repository"
jeromq="$m2/org/zeromq/jeromq/0.6.0/jeromq-0.6.0.jar"
jnacl="$m2/eu/neilalexander/jnacl/1.0.0/jnacl-1.0.0.jar"
classes="$here/shared-protocol/target/classes"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
javac -nowarn -d "$out" -cp "$jeromq" "$here/bench/curve/HandshakeBench.java"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo -n "jnacl 1.0.0 Curve25519:  "; java -XX:TieredStopAtLevel=1 -cp "$out:$jeromq:$jnacl" HandshakeBench "$n"
echo -n "JDK X25519 (Tendril):    "; java -XX:TieredStopAtLevel=1 -cp "$out:$classes" HandshakeBench "$n"
