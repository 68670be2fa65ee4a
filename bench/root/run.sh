#!/usr/bin/env bash
# A root query's latency while the writer commits other nodes' changes (bench/root/QueryUnderWritesBench.java):
# the root's writer and SQLite store (FULL sync) in one process, no network, bin/tendril-root's default JVM options.
#   bench/root/run.sh [SECONDS] [WRITERS] [CHECKOUT]
# CHECKOUT (default: this one) must have root-dns-server built (mvn -o -q -pl root-dns-server -am package -DskipTests);
# give another worktree's path to compare two builds in one window. Needs libsqlite3-mod-spatialite.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-20}"; writers="${2:-8}"; checkout="$(cd "${3:-$here}" && pwd)"
case "$seconds$writers" in *[!0-9]*) echo "run.sh: SECONDS and WRITERS must be whole numbers" >&2; exit 2 ;; esac
# shellcheck source=bench/root/compile.sh
. "$here/bench/root/compile.sh"
root_bench_compile run.sh "$checkout" "$here/bench/root/QueryUnderWritesBench.java"
echo "checkout $checkout ($(cd "$checkout" && git rev-parse --short HEAD)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java $DEFAULT_OPTS -cp "$cp" QueryUnderWritesBench "$seconds" "$writers" 2>&1 | grep -v " INFO \| DEBUG "
