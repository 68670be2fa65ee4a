#!/usr/bin/env bash
# A new node's registration at the root's writer, statements and an unsynced commit (no fsync, no network;
# bench/root/RegistrationBench.java), for one checkout or two alternated (an A/B in one window):
#   bench/root/registrations.sh [RUNS, default 3] [BASE nodes, default 30] [CHECKOUT_A [CHECKOUT_B]]
# Each run is a fresh JVM with bin/tendril-root's default options. Needs each checkout's root-dns-server
# built (mvn -o -q -pl root-dns-server -am package -DskipTests) and libsqlite3-mod-spatialite.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-3}" base="${2:-30}"
for v in "$runs" "$base"; do
  case "$v" in ''|*[!0-9]*) echo "registrations.sh: RUNS and BASE must be whole numbers" >&2; exit 2 ;; esac
done
checkouts=("${3:-$here}"); [ -n "${4:-}" ] && checkouts+=("$4")
# shellcheck source=bench/root/compile.sh
. "$here/bench/root/compile.sh"
keep="$(mktemp -d)"; cps=()
for c in "${checkouts[@]}"; do
  root_bench_compile registrations.sh "$c" "$here/bench/root/RegistrationBench.java"
  cp -r "$bench_out" "$keep/${#cps[@]}"; cps+=("$keep/${#cps[@]}:${cp#*:}"); rm -rf "$bench_out"
done
trap 'rm -rf "$keep"' EXIT
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for i in $(seq "$runs"); do
  for k in "${!checkouts[@]}"; do
    c="${checkouts[$k]}"
    printf '%s %s: ' "$(cd "$c" && git rev-parse --short HEAD)$(cd "$c" && git diff --quiet HEAD -- root-dns-server || echo +)" "$i"
    # shellcheck disable=SC2086
    java $DEFAULT_OPTS -cp "${cps[$k]}" dev.tendril.root.bootstrap.RegistrationBench "$base" 2>&1 | grep -v " INFO \| DEBUG "
  done
done
