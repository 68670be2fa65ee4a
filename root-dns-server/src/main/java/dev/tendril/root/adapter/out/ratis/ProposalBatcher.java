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

    private final String rootId;
    private final int maxBatch;
    private final Semaphore slots;
    private final Proposer proposer;
    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final LongAdder entries = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private volatile boolean closed;

    ProposalBatcher(String rootId, int maxBatch, int inFlight, Proposer proposer) {
        if (maxBatch < 1 || inFlight < 1) {
            throw new IllegalArgumentException("maxBatch and inFlight must be >= 1, got " + maxBatch + ", " + inFlight);
        }
        this.rootId = rootId;
        this.maxBatch = maxBatch;
        this.slots = new Semaphore(inFlight);
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

    private void run() {
        List<Waiting> batch = new ArrayList<>();
        while (!closed) {
            try {
                Waiting first = queue.take();
                slots.acquire();
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
            } catch (InterruptedException e) {
                break; // closing
            }
            propose(List.copyOf(batch));
        }
        Waiting late;
        while ((late = queue.poll()) != null) {
            late.reply().complete(shuttingDown());
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
