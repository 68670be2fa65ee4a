#!/usr/bin/env python3
"""Where a message spends its time between Tendril processes (docs/evaluation.md, section 1b).

Run the processes with TENDRIL_HOP_LOG=TRACE (every edge node and the root then log one
`hop <epoch us> <step> <id> <detail>` line per step, see HopTrace), collect their logs in one
folder (RealTopologyIT keeps them in clients/target/real-topology-logs), then:

  compose/experiments/hop-trace.py DIR                 # per request kind: one-way time beyond
                                                       # the link delay (topology A names p1..p7, root)
  compose/experiments/hop-trace.py DIR FROM_US TO_US   # every step of every process in that
                                                       # window, merged by time

Steps: cli.send (a node hands a request to its client), cli.sent (the client's thread put it
on the socket), srv.recv (the receiver's socket thread read it), srv.handle (a handler thread
took it), loop.run / loop.ran (the self-organization thread ran it), srv.handled / srv.replied,
cli.done (the reply reached the sender), root.queued / root.batch / root.written / root.synced / root.committed (the root's
writer), event (a self-organization event), deploy.* / replica.outcome (a replica's deployment),
loop.tick (a self-organization round that took >= 1 ms, in us), decide.start / decide.hosted /
decide.ranked / decide.texts (an origin's replication decision: the tree's members known, the
candidates ranked, the event's text written), replica.queued / replica.work (a replica's deployment handed from
the self-organization thread to a worker, then taken by it), replica.checked (a replica's membership check done: its
container start counts from here), watch.answer / watch.seen (a registration watch's answer on the client's thread, then on
the self-organization thread).
"""
import collections
import glob
import os
import re
import sys

LINE = re.compile(r' hop (\d+) (\S+) (\S+) (.*)$')


def read(folder):
    rows = []
    for f in glob.glob(os.path.join(folder, '**', '*.log'), recursive=True):
        name = os.path.basename(f)[:-4].split('-')[0]
        for line in open(f, errors='replace'):
            m = LINE.search(line)
            if m:
                rows.append((int(m.group(1)), name, m.group(2), m.group(3), m.group(4)))
    rows.sort()
    return rows


def window(rows, lo, hi):
    prev = None
    for t, n, step, i, det in rows:
        if lo <= t <= hi:
            dt = '' if prev is None else '+%.2f' % ((t - prev) / 1000)
            print('%d %-8s %8s %-15s %-34s %s' % (t, n, dt, step, i[-34:], det))
            prev = t


def depth(i):
    d = 0
    while i > 1:
        i //= 2
        d += 1
    return d


def tree_distance(i, j):
    d = 0
    while i != j:
        if i > j:
            i //= 2
        else:
            j //= 2
        d += 1
    return d


def path_ms(a, b):
    """One-way delay in topology A: 5 ms per link, platform pN on switch N, the root on switch 1."""
    if 'root' in (a, b):
        p = b if a == 'root' else a
        return (depth(int(p[1:])) + 2) * 5
    return (tree_distance(int(a[1:]), int(b[1:])) + 2) * 5


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def excess(rows):
    steps = collections.defaultdict(dict)
    for t, n, step, i, det in rows:
        if step in ('cli.send', 'cli.sent', 'cli.done', 'srv.recv', 'srv.replied'):
            s = steps[i]
            s.setdefault(step, t)
            if step == 'cli.send':
                s['kind'] = det.split()[0]
                s['from'] = n
            if step == 'srv.recv':
                s['to'] = n
    by_kind = collections.defaultdict(lambda: ([], [], []))
    for s in steps.values():
        if not all(k in s for k in ('cli.send', 'srv.recv', 'srv.replied', 'cli.done', 'from', 'to')):
            continue
        try:
            pd = path_ms(s['from'], s['to'])
        except ValueError:
            continue
        send = s.get('cli.sent', s['cli.send'])
        hand_off, fwd, back = by_kind[s['kind']]
        hand_off.append((send - s['cli.send']) / 1000)
        fwd.append((s['srv.recv'] - send) / 1000 - pd)
        back.append((s['cli.done'] - s['srv.replied']) / 1000 - pd)
    print('%-18s %5s %22s %22s %22s' % ('request', 'n', 'to client thread p50/p90',
                                        'out beyond link p50/p90', 'back beyond link p50/p90'))
    for kind, (h, f, b) in sorted(by_kind.items()):
        print('%-18s %5d %12.1f /%6.1f ms %12.1f /%6.1f ms %12.1f /%6.1f ms'
              % (kind, len(f), pct(h, .5), pct(h, .9), pct(f, .5), pct(f, .9), pct(b, .5), pct(b, .9)))


if __name__ == '__main__':
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    rows = read(sys.argv[1])
    if len(sys.argv) == 4:
        window(rows, int(sys.argv[2]), int(sys.argv[3]))
    else:
        excess(rows)
