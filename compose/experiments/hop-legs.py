#!/usr/bin/env python3
"""First contact or not: how long self-organization messages take from sender to receiver.

For logs of processes run with TENDRIL_HOP_LOG=TRACE (see hop-trace.py; RealTopologyIT keeps
them in clients/target/real-topology-logs):

  compose/experiments/hop-legs.py DIR

prints, per message kind, the time from the sender's `cli.send` to the receiver's `srv.recv`
(both epoch microseconds, one machine clock), split into a sender's FIRST message to that
endpoint (a cold connection unless it was opened ahead) and later ones. No link delays are
subtracted: compare the two rows of a kind (a cold first contact costs ~3 round trips more,
docs/evaluation.md section 1c). Unlike hop-trace.py this needs no topology's delay table.
"""
import collections
import glob
import math
import re
import sys

KINDS = ("MIGRATION_SEARCH", "MIGRATION_OFFER", "REPLICATE", "REPLICA_READY", "ATTACH")
LINE = re.compile(r"hop (\d+) (cli\.send|srv\.recv) ([0-9a-f]{32}) (\S+)(?: (\S+))?")


def percentile(sorted_values, p):
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def main(folder):
    sent = {}      # message id -> (epoch us, kind, first to that endpoint from that process)
    received = {}  # message id -> epoch us of the first srv.recv
    for path in sorted(glob.glob(folder + "/**/*.log", recursive=True)):
        endpoints = set()
        with open(path, errors="replace") as log:
            for line in log:
                m = LINE.search(line)
                if not m:
                    continue
                at, step, mid, kind, detail = int(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
                if step == "cli.send":
                    first = detail not in endpoints
                    endpoints.add(detail)
                    sent.setdefault(mid, (at, kind, first))
                else:
                    received.setdefault(mid, at)
    legs = collections.defaultdict(list)
    for mid, (at, kind, first) in sent.items():
        if kind in KINDS and mid in received:
            legs[(kind, "first" if first else "later")].append((received[mid] - at) / 1000)
    if not legs:
        sys.exit("no cli.send/srv.recv pairs of " + ", ".join(KINDS) + " under " + folder
                 + " (were the processes run with TENDRIL_HOP_LOG=TRACE?)")
    print("| kind | sender's message to that endpoint | n | p50 ms | p90 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for (kind, which), values in sorted(legs.items()):
        values.sort()
        print(f"| {kind} | {which} | {len(values)} | {percentile(values, 0.5):.1f} | "
              f"{percentile(values, 0.9):.1f} | {values[-1]:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compose/experiments/hop-legs.py DIR")
    main(sys.argv[1])
