#!/usr/bin/env python3
"""The stages of every replication and migration in a hop trace, and the root writer's span.

Run a topology with TENDRIL_HOP_LOG=TRACE (RealTopologyIT keeps the processes' logs in
clients/target/real-topology-logs; hop-trace.py says what each step means), then:

  compose/experiments/hop-stages.py DIR

Prints, in ms:
- per replication (an origin's REPLICATION_DECIDED to its REPLICA_REGISTERED): the origin's
  decision to the Replicate's send; the Replicate's trip (wire, link delay included); the
  replica's handling up to its deployment's start; the deployment (the container's start
  included); the deployed replica's RegisterNode sent; its trip; the root's arrival to reply;
  the root's answer to the origin's registration watch, its trip, and the origin's last step
  (to watch.seen, the time its REPLICA_REGISTERED is recorded at);
- per migration (MIGRATION_DECIDED to MIGRATION_RECORDED at the origin): the origin's search
  sent, each hop's arrival to its next send, the offer's arrival at the origin to its
  RecordMigration, the root's arrival to reply, the reply to the event;
- the root writer's span per request (a replica's registration, a migration's record, the
  periodic registrations that change nothing): arrival -> the writer takes it -> statements
  ran (root.written) -> committed and synced (root.synced) -> directory and watches done ->
  handed back -> sent; p50 / p90 over the trace.
A trip counts from the sender's hand-off (cli.send: the request given to the node's client;
srv.handled: the reply done by its handler) to the receiver's read (srv.recv, cli.done), so it
is the link delay plus the hand-off to the sending thread, the sockets, the relays and the
wake-ups. Not from the send's own stamp (cli.sent, srv.replied): that one is taken after the
socket call returns, and a thread held up in between (by the scheduler, or a log write) stamps
late, so a trip from it read up to 4 ms below its link's delay on topology D. The least trip
seen between the same two processes in the trace (the "floor") is printed beside each trip, so
the difference is the part above the path's best case.
TRACE logging itself costs each step some tens of microseconds: compare traces with traces,
not with untraced sets.
"""
import bisect
import collections
import glob
import os
import re
import sys

LINE = re.compile(r'\[([^\]]+)\] tendril\.hop - hop (\d+) (\S+) (\S+) ?(.*)$')
Step = collections.namedtuple('Step', 'us node thread step id detail')


class Trace:
    def __init__(self, folder):
        self.steps = collections.defaultdict(list)   # node -> steps by time
        for f in glob.glob(os.path.join(folder, '*.log')):
            node = os.path.basename(f)[:-4]
            for line in open(f, errors='replace'):
                m = LINE.search(line)
                if m:
                    self.steps[node].append(Step(int(m[2]), node, m[1], m[3], m[4], m[5]))
        for rows in self.steps.values():
            rows.sort(key=lambda s: s.us)
        self.times = {n: [s.us for s in rows] for n, rows in self.steps.items()}
        self.received = {}   # message id -> the first srv.recv of it, on any node
        self.answered = {}   # message id -> the first cli.done of it (the reply reached its sender)
        self.by_id = collections.defaultdict(dict)   # (node, id) -> step name -> first Step
        for rows in self.steps.values():
            for s in rows:
                self.by_id[(s.node, s.id)].setdefault(s.step, s)
                if s.step == 'srv.recv':
                    self.received.setdefault(s.id, s)
                elif s.step == 'cli.done':
                    self.answered.setdefault(s.id, s)
        self.floor = {}   # (sender, receiver) -> least trip: cli.send -> srv.recv, and replies srv.handled -> cli.done
        for rows in self.steps.values():
            for s in rows:
                if s.step == 'cli.send' and s.id in self.received:
                    self._least((s.node, self.received[s.id].node), self.received[s.id].us - s.us)
                elif s.step == 'srv.handled' and s.id in self.answered and self.answered[s.id].node != s.node:
                    self._least((s.node, self.answered[s.id].node), self.answered[s.id].us - s.us)

    def _least(self, pair, us):
        if us > 0 and (pair not in self.floor or us < self.floor[pair]):
            self.floor[pair] = us

    def after(self, node, us, pred, limit_us=None):
        """The first step of node at or after us (and before us + limit_us) that pred accepts."""
        rows = self.steps.get(node, [])
        for s in rows[bisect.bisect_left(self.times[node], us):]:
            if limit_us is not None and s.us > us + limit_us:
                return None
            if pred(s):
                return s
        return None

    def step(self, node, msg_id, name):
        return self.by_id.get((node, msg_id), {}).get(name)


def ms(a, b):
    return '   -' if a is None or b is None else '%5.2f' % ((b.us - a.us) / 1000)


def trip(trace, sent, recv):
    """A message's trip, with the least one seen between the same two processes."""
    if sent is None or recv is None:
        return '    -'
    floor = trace.floor.get((sent.node, recv.node))
    return '%5.2f (floor %s)' % ((recv.us - sent.us) / 1000, '-' if floor is None else '%.2f' % (floor / 1000))


def writer(trace, recv):
    """The root writer's steps for the request whose arrival at the root is recv, or None."""
    if recv is None:
        return None
    handle = trace.step('root', recv.id, 'srv.handle')
    if handle is None:
        return None
    queued = trace.after('root', handle.us, lambda s: s.thread == handle.thread and s.step == 'root.queued', 5_000)
    if queued is None:
        return None
    batch = trace.after('root', queued.us, lambda s: s.step == 'root.batch' and s.id == queued.id, 1_000_000)
    if batch is None:
        return None
    on_writer = lambda name: trace.after('root', batch.us, lambda s: s.thread == batch.thread and s.step == name, 1_000_000)
    return {'recv': recv, 'queued': queued, 'batch': batch, 'written': on_writer('root.written'),
            'synced': on_writer('root.synced'), 'committed': on_writer('root.committed'),
            'handled': trace.step('root', recv.id, 'srv.handled'), 'replied': trace.step('root', recv.id, 'srv.replied')}


WRITER_STAGES = [('arrival -> writer', 'recv', 'batch'), ('statements', 'batch', 'written'),
                 ('commit + sync', 'written', 'synced'), ('directory, watches', 'synced', 'handled'),
                 ('handed back -> sent', 'handled', 'replied'), ('arrival -> reply', 'recv', 'replied')]


def decisions(trace, kind):
    """Every (origin, event) of that kind, by node, in time order."""
    for origin, rows in sorted(trace.steps.items()):
        for d in rows:
            if d.step == 'event' and d.detail.startswith(kind):
                yield origin, d


def replications(trace, registrations):
    print('replications (ms; trips include the link delay)')
    for origin, d in decisions(trace, 'REPLICATION_DECIDED'):
        sent = trace.after(origin, d.us, lambda s: s.step == 'cli.send' and s.detail.startswith('REPLICATE '), 1_000_000)
        if sent is None:
            continue
        got = trace.received.get(sent.id)
        if got is None:
            continue
        replica = got.node
        start = trace.after(replica, got.us, lambda s: s.step == 'deploy.start', 5_000_000)
        started = trace.after(replica, got.us, lambda s: s.step == 'deploy.started', 60_000_000)
        reg = started and trace.after(replica, started.us,
                                      lambda s: s.step == 'cli.send' and s.detail.startswith('REGISTER_NODE'), 5_000_000)
        reg_recv = reg and trace.received.get(reg.id)
        if reg_recv is not None:
            registrations.add(reg.id)
        watch = trace.after(origin, d.us, lambda s: s.step == 'cli.send' and s.detail.startswith('REGISTRATION_WATCH'), 1_000_000)
        answered = watch and trace.step('root', watch.id, 'srv.handled')
        told = watch and trace.step(origin, watch.id, 'cli.done')
        # the REPLICA_REGISTERED is recorded at the time the origin saw the root's answer (watch.seen),
        # though its line is written once the replica's ReplicaReady reports the container's start
        done = told and trace.after(origin, told.us, lambda s: s.step == 'watch.seen', 1_000_000)
        if done is None:   # no watch answer: the replica's ReplicaReady told the origin
            done = trace.after(origin, d.us, lambda s: s.step == 'event' and s.id == d.id
                               and s.detail.startswith('REPLICA_REGISTERED'), 60_000_000)
        total = '%.1f' % ((done.us - d.us) / 1000) if done else '-'
        print('  %s %s -> %s: decided -> sent %s | Replicate trip %s | replica: to deploy %s, deploy %s, '
              'to RegisterNode %s | RegisterNode trip %s | root %s | watch answer trip %s | origin %s | total %s'
              % (d.id, origin, replica, ms(d, sent), trip(trace, sent, got), ms(got, start), ms(start, started),
                 ms(started, reg), trip(trace, reg, reg_recv), ms(reg_recv, trace.step('root', reg_recv.id, 'srv.handled') if reg_recv else None),
                 trip(trace, answered, told), ms(told, done), total))


def migrations(trace, records):
    print('migrations (ms; hops: node arrival -> next send)')
    for origin, d in decisions(trace, 'MIGRATION_DECIDED'):
        done = trace.after(origin, d.us, lambda s: s.step == 'event' and s.id == d.id
                           and s.detail.startswith('MIGRATION_RECORDED'), 60_000_000)
        if done is None:
            continue
        search = trace.after(origin, d.us, lambda s: s.step == 'cli.send' and s.detail.startswith('MIGRATION_SEARCH'), 1_000_000)
        hops, sent = [], search
        while sent is not None and len(hops) < 64:
            got = trace.received.get(sent.id)
            if got is None or got.node == origin:
                break
            nxt = trace.after(got.node, got.us, lambda s: s.step == 'cli.send' and (
                s.detail.startswith('MIGRATION_SEARCH') or s.detail.startswith('MIGRATION_OFFER')), 1_000_000)
            hops.append('%s %s' % (got.node, ms(got, nxt).strip()))
            if nxt is None or nxt.detail.startswith('MIGRATION_OFFER'):
                sent = nxt
                break
            sent = nxt
        offer = sent and trace.received.get(sent.id)
        record = offer and trace.after(origin, offer.us,
                                       lambda s: s.step == 'cli.send' and s.detail.startswith('RECORD_MIGRATION'), 1_000_000)
        at_root = record and trace.received.get(record.id)
        if at_root is not None:
            records.add(record.id)
        reply = record and trace.step(origin, record.id, 'cli.done')
        print('  %s %s: decided -> search sent %s | hops %s | offer -> RecordMigration %s | root %s | reply -> event %s | total %.1f'
              % (d.id, origin, ms(d, search), ', '.join(hops) or '-', ms(offer, record),
                 ms(at_root, trace.step('root', at_root.id, 'srv.replied') if at_root else None), ms(reply, done),
                 (done.us - d.us) / 1000))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def writer_table(trace, registrations, records):
    spans = collections.defaultdict(list)
    for s in trace.steps.get('root', []):
        if s.step != 'srv.recv':
            continue
        kind = ('a replica\'s RegisterNode' if s.id in registrations else 'RecordMigration' if s.id in records
                else 'other RegisterNode' if s.detail.startswith('REGISTER_NODE') else None)
        if kind:
            w = writer(trace, s)
            if w:
                spans[kind].append(w)
    print('the root writer, p50 / p90 ms (n; "-": no such step in this trace)')
    print('  %-26s %s' % ('request (n)', ' | '.join(name for name, _, _ in WRITER_STAGES)))
    for kind, ws in spans.items():
        cells = []
        for _, a, b in WRITER_STAGES:
            xs = [(w[b].us - w[a].us) / 1000 for w in ws if w[a] and w[b]]
            cells.append('%.2f / %.2f' % (pct(xs, 50), pct(xs, 90)) if xs else '-')
        print('  %-26s %s' % ('%s (%d)' % (kind, len(ws)), ' | '.join(cells)))


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit('usage: hop-stages.py DIR   (the logs of a run with TENDRIL_HOP_LOG=TRACE)')
    trace = Trace(sys.argv[1])
    if not trace.steps:
        sys.exit('hop-stages.py: no hop lines in %s (was TENDRIL_HOP_LOG=TRACE set?)' % sys.argv[1])
    registrations, records = set(), set()
    replications(trace, registrations)
    migrations(trace, records)
    writer_table(trace, registrations, records)


if __name__ == '__main__':
    main()
