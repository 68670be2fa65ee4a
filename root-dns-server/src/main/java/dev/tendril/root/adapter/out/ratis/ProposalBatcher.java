package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.root.application.ControlErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * The leader's group commit: commands handed in by the control endpoint's handler threads are
 * proposed together, several to one Raft log entry. At most {@code inFlight} entries are
 * proposed and not yet answered at a time; while they are, new commands queue up, and the next
 * entry takes all of them (up to {@code maxBatch}). Under a light load an entry holds one
 * command and nothing waits; under a heavy one the Raft and apply work per command shrinks
 * (one entry, one replication round, one fsync of each log, one SQLite transaction per entry).
 * Nothing is acknowledged before its entry is committed on a majority and applied here.
 *
 * <p>When an entry's commit leaves nothing queued and nothing else in flight, a commit notice
 * follows it (an entry of no commands, {@link CommandCodec}): Ratis tells a follower the new
 * commit index with the next append, and with no next entry that is the next heartbeat (half
 * the minimum election timeout, 150 ms by default), so under a light load the followers applied a
 * change, and their DNS answered it, that much later than the leader. The notice goes out at once
 * and carries the commit index. Under load the next entry carries it anyway and no notice is
 * sent, so it costs nothing there. (Ratis's own commit-index entries, {@code log-metadata}, do
 * this after every commit: 25-30 % fewer writes/s in {@code RootClusterBench}.)
 */
final class ProposalBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProposalBatcher.class);

    /** Proposes one entry of these commands; completes with one reply per command, in order. */
    @FunctionalInterface
    interface Proposer {
        CompletableFuture<List<RootMessage>> propose(List<RootMessage> commands);
    }

    private record Waiting(RootMessage command, CompletableFuture<RootMessage> reply) {
    }

    /** Queued when an entry's commit left the batcher idle: the run thread proposes a commit notice for it. */
    private static final Waiting NOTICE = new Waiting(null, null);

    private final String rootId;
    private final int maxBatch;
    private final Semaphore slots;
    private final Proposer proposer;
    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final LongAdder entries = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private final LongAdder notices = new LongAdder();
    private final int inFlight;
    private volatile boolean closed;

    ProposalBatcher(String rootId, int maxBatch, int inFlight, Proposer proposer) {
        if (maxBatch < 1 || inFlight < 1) {
            throw new IllegalArgumentException("maxBatch and inFlight must be >= 1, got " + maxBatch + ", " + inFlight);
        }
        this.rootId = rootId;
        this.maxBatch = maxBatch;
        this.slots = new Semaphore(inFlight);
        this.inFlight = inFlight;
        this.proposer = proposer;
        this.thread = new Thread(this::run, "raft-proposer-" + rootId);
        this.thread.setDaemon(true);
    }

    ProposalBatcher start() {
        thread.start();
        return this;
    }

    /** Queues a command; the future completes with its reply once its entry is committed and applied (or refused). */
    CompletableFuture<RootMessage> offer(RootMessage command) {
        CompletableFuture<RootMessage> reply = new CompletableFuture<>();
        if (closed) {
            reply.complete(shuttingDown());
            return reply;
        }
        queue.add(new Waiting(command, reply));
        return reply;
    }

    /** Log entries proposed so far. */
    long entries() {
        return entries.sum();
    }

    /** Commands proposed so far (in {@link #entries()} entries). */
    long commands() {
        return commands.sum();
    }

    /** Commit notices proposed so far (not counted in {@link #entries()}). */
    long notices() {
        return notices.sum();
    }

    private void run() {
        List<Waiting> batch = new ArrayList<>();
        while (!closed) {
            try {
                Waiting first = queue.take();
                if (first == NOTICE && (!queue.isEmpty() || slots.availablePermits() != inFlight)) {
                    continue; // a command came, or an entry is in flight: it carries the commit index
                }
                slots.acquire();
                if (first == NOTICE) {
                    notice();
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                batch.removeIf(w -> w == NOTICE);
            } catch (InterruptedException e) {
                break; // closing
            }
            propose(List.copyOf(batch));
        }
        Waiting late;
        while ((late = queue.poll()) != null) {
            if (late != NOTICE) {
                late.reply().complete(shuttingDown());
            }
        }
    }

    private void propose(List<Waiting> batch) {
        List<RootMessage> requests = batch.stream().map(Waiting::command).toList();
        entries.increment();
        commands.add(batch.size());
        CompletableFuture<List<RootMessage>> sent;
        try {
            sent = proposer.propose(requests);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((replies, error) -> {
            slots.release();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).reply().complete(error == null && replies != null && replies.size() == batch.size()
                        ? replies.get(i) : failed(error, replies, batch.size()));
            }
            if (error == null) {
                noticeIfIdle();
            }
        });
    }

    /** After an entry's commit: a commit notice when nothing is queued or in flight (else the next entry carries the commit index). */
    private void noticeIfIdle() {
        if (!closed && queue.isEmpty() && slots.availablePermits() == inFlight) {
            queue.add(NOTICE); // the run thread checks again and proposes it, in order with the commands
        }
    }

    /** Proposes an entry of no commands, holding the slot the run thread took. */
    private void notice() {
        notices.increment();
        CompletableFuture<List<RootMessage>> sent;
        try {
            sent = proposer.propose(List.of());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((replies, error) -> {
            slots.release();
            if (error != null) {
                log.debug("{}: a commit notice failed: {}", rootId, error.toString()); // the next heartbeat carries it
            }
        });
    }

    private ErrorReply failed(Throwable error, List<RootMessage> replies, int expected) {
        if (error != null) {
            log.warn("{}: proposing {} commands failed: {}", rootId, expected, error.toString());
            return new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + ": " + error);
        }
        return new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + ": " + (replies == null ? "no" : replies.size())
                + " replies to an entry of " + expected + " commands");
    }

    private ErrorReply shuttingDown() {
        return new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + " is shutting down");
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
