#!/usr/bin/env bash
# Fuzz benchmark (issue 10, "Fuzz"): a real root and edge node (bin/ launchers, lan preset,
# CURVE on, loopback, free ports) take >= 1,000,000 mutated DNS packets over UDP, >= 20,000
# over TCP and >= 200,000 mutated frames at each ZeroMQ plane (root control, tree, admin) from
# enrolled keys, plus frames from keyless and unknown-key clients, with valid probes
# interleaved. Prints the figures (lines starting "fuzz:") and fails on a crash, a probe not
# answered correctly, a reply to a stranger or an RSS above 1 GiB.
# Usage: bench/fuzz/run.sh [SEED] [UDP_PACKETS] [TCP_MESSAGES] [FRAMES_PER_PLANE]
# Runs under the shared benchmark lock (flock /tmp/tendril-bench.lock).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SEED="${1:-$(( $(date +%s) & 0xffffffff ))}"; UDP="${2:-1000000}"; TCP="${3:-20000}"; FRAMES="${4:-200000}"
cd "$ROOT"
echo "fuzz bench: seed $SEED, $UDP UDP packets, $TCP TCP messages, $FRAMES frames per plane; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exec flock /tmp/tendril-bench.lock mvn -o -q -B -pl clients -am verify -Dtest=None -Dit.test=FuzzBench -Dbench=true \
  -Dfuzz.seed="$SEED" -Dfuzz.udp="$UDP" -Dfuzz.tcp="$TCP" -Dfuzz.frames="$FRAMES" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
