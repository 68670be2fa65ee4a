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
Traces that log `cli.open` (a connection opened, since 2026-12-02) split first messages further:
"first, opened ahead" (the connection was opened before the message; the age column says how
long before, p50) and "first, cold" (opened for it).
"""
import collections
import glob
import math
import re
import sys

KINDS = ("MIGRATION_SEARCH", "MIGRATION_OFFER", "REPLICATE", "REPLICA_READY", "ATTACH")
LINE = re.compile(r"hop (\d+) (cli\.send|srv\.recv) ([0-9a-f]{32}) (\S+)(?: (\S+))?")
OPEN = re.compile(r"hop (\d+) cli\.open (\S+)")


def percentile(sorted_values, p):
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def main(folder):
    sent = {}      # message id -> (epoch us, kind, "first"/"first, opened ahead"/"first, cold"/"later", age ms)
    received = {}  # message id -> epoch us of the first srv.recv
    for path in sorted(glob.glob(folder + "/**/*.log", recursive=True)):
        endpoints = set()
        opened = {}    # endpoint -> epoch us of its latest cli.open in this process
        traces_open = False
        with open(path, errors="replace") as log:
            for line in log:
                o = OPEN.search(line)
                if o:
                    traces_open = True
                    opened[o.group(2)] = int(o.group(1))
                    continue
                m = LINE.search(line)
                if not m:
                    continue
                at, step, mid, kind, detail = int(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
                if step == "cli.send":
                    which, age = "later", None
                    if detail not in endpoints:
                        which = "first"
                        if traces_open:
                            # the connection opens on the client's thread after cli.send: an open logged
                            # before the send was made ahead (a later one is this message's own)
                            ahead = detail in opened and opened[detail] < at
                            which = "first, opened ahead" if ahead else "first, cold"
                            age = (at - opened[detail]) / 1000 if ahead else None
                    endpoints.add(detail)
                    sent.setdefault(mid, (at, kind, which, age))
                else:
                    received.setdefault(mid, at)
    legs = collections.defaultdict(list)
    ages = collections.defaultdict(list)
    for mid, (at, kind, which, age) in sent.items():
        if kind in KINDS and mid in received:
            legs[(kind, which)].append((received[mid] - at) / 1000)
            if age is not None:
                ages[(kind, which)].append(age)
    if not legs:
        sys.exit("no cli.send/srv.recv pairs of " + ", ".join(KINDS) + " under " + folder
                 + " (were the processes run with TENDRIL_HOP_LOG=TRACE?)")
    print("| kind | sender's message to that endpoint | n | p50 ms | p90 ms | max ms | connection age at send p50 ms |")
    print("|---|---|---|---|---|---|---|")
    for (kind, which), values in sorted(legs.items()):
        values.sort()
        age = sorted(ages.get((kind, which), []))
        age_text = f"{percentile(age, 0.5):.0f}" if age else "-"
        print(f"| {kind} | {which} | {len(values)} | {percentile(values, 0.5):.1f} | "
              f"{percentile(values, 0.9):.1f} | {values[-1]:.1f} | {age_text} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compose/experiments/hop-legs.py DIR")
    main(sys.argv[1])
