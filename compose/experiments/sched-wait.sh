#!/bin/bash
# How long the threads of running Java processes wait for a CPU each time they are woken
# (docs/evaluation.md, section 1b: where processing time goes on the shared 2-core VM).
#
#   compose/experiments/sched-wait.sh [SECONDS] [PATTERN]
#
# Samples /proc/<pid>/task/<tid>/schedstat (time on the CPU, time waiting on a run queue,
# timeslices run) of every thread of every process whose command line matches PATTERN
# (default: the edge node launcher's "TieredStopAtLevel=1"), twice, SECONDS apart (default
# 60), and prints per thread-name family (the name up to its first '-': selforg, ticker,
# iothread, pipelined, request, ...) the slices run in the interval, CPU per slice and
# run-queue wait per slice. Read-only; needs a kernel with schedstats (CONFIG_SCHED_INFO).
# Threads that started or ended within the interval are left out.
set -euo pipefail
seconds=${1:-60}
pattern=${2:-TieredStopAtLevel=1}
case "$seconds" in ''|*[!0-9]*) echo "sched-wait.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac

snapshot() {
  local pid t name stat
  for pid in $(pgrep -f -- "$pattern" || true); do
    for t in /proc/"$pid"/task/*; do
      name=$(tr ' ' '_' <"$t/comm" 2>/dev/null) || continue
      stat=$(cat "$t/schedstat" 2>/dev/null) || continue
      echo "$pid/${t##*/} ${name%%-*} $stat"
    done
  done | sort
}

before=$(mktemp); after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot >"$before"
[ -s "$before" ] || { echo "sched-wait.sh: no process matches '$pattern'" >&2; exit 1; }
sleep "$seconds"
snapshot >"$after"
echo "threads of $(cut -d/ -f1 "$after" | sort -u | wc -l) processes matching '$pattern', ${seconds} s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-20s %9s %14s %15s\n" threads slices "cpu/slice ms" "wait/slice ms"
# joined: key, name, cpu ns, wait ns, slices (before), name, cpu ns, wait ns, slices (after)
join "$before" "$after" | awk '
  { run[$2] += $7 - $3; wait[$2] += $8 - $4; slices[$2] += $9 - $5 }
  END {
    for (n in slices) if (slices[n] > 0)
      printf "%-20s %9d %14.3f %15.3f\n", n, slices[n], run[n] / slices[n] / 1e6, wait[n] / slices[n] / 1e6
  }' | sort -k2 -nr
