#!/usr/bin/env python3
"""Whether a reply travels slower than its request: per request kind and server (root or edge).

For logs of processes run with TENDRIL_HOP_LOG=TRACE (see hop-trace.py; RealTopologyIT keeps
them in clients/target/real-topology-logs):

  compose/experiments/hop-reply-legs.py DIR

For every request whose four marks are logged (the client's `cli.sent`, the server's `srv.recv`
and `srv.replied`, the client's `cli.done`; epoch microseconds, one machine clock), the reply
leg (srv.replied -> cli.done) minus the request leg (cli.sent -> srv.recv) of the same
connection. The link delay is the same both ways and cancels out, so no topology's delay
table is needed: what is left is how much longer the way back took (sender's I/O thread,
relays, receiver's wake-ups). Kinds with fewer than 3 requests are not printed.
"""
import collections
import glob
import os
import re
import statistics
import sys

LINE = re.compile(r' hop (\d+) (cli\.sent|srv\.recv|srv\.replied|cli\.done|cli\.send) (\S+) ?(\S*)')


def main(folder):
    marks = collections.defaultdict(dict)
    for f in glob.glob(os.path.join(folder, '**', '*.log'), recursive=True):
        node = os.path.basename(f)[:-4].split('-')[0]
        for line in open(f, errors='replace'):
            m = LINE.search(line)
            if not m:
                continue
            t, step, rid, kind = int(m.group(1)), m.group(2), m.group(3), m.group(4)
            r = marks[rid]
            r.setdefault(step, (t, node))
            if step in ('cli.send', 'srv.recv') and kind:
                r['kind'] = kind
    by_kind = collections.defaultdict(list)
    for r in marks.values():
        if all(k in r for k in ('cli.sent', 'srv.recv', 'srv.replied', 'cli.done')):
            request_leg = r['srv.recv'][0] - r['cli.sent'][0]
            reply_leg = r['cli.done'][0] - r['srv.replied'][0]
            server = 'root' if r['srv.recv'][1] == 'root' else 'edge'
            by_kind[(server, r.get('kind', '?'))].append((reply_leg - request_leg) / 1000)
    print('%-5s %-22s %5s  reply leg minus request leg, ms: p10 / p50 / p90 / max' % ('at', 'request', 'n'))
    for (server, kind), v in sorted(by_kind.items()):
        if len(v) < 3:
            continue
        v.sort()
        print('%-5s %-22s %5d  %6.1f / %5.1f / %5.1f / %6.1f' % (server, kind, len(v), v[len(v) // 10],
                                                             statistics.median(v), v[int(len(v) * 0.9)], v[-1]))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: hop-reply-legs.py DIR')
    main(sys.argv[1])
