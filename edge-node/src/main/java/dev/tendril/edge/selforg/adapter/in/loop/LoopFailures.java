package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.transport.RefusalLog;
import org.slf4j.Logger;

import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures on the self-organization thread: a message handler, a task handed to the thread,
 * or a round that threw. Each is counted; each is logged at WARN at most once a minute per
 * sender and message type (per kind of work for tasks and rounds), the first line with its
 * stack trace ({@link RefusalLog#failed}), so a handler that fails on every Heartbeat of a
 * peer writes one line a minute, not one a message. Thread-safe.
 */
public final class LoopFailures {
    private final String nodeId;
    private final RefusalLog log;
    private final LongAdder messages = new LongAdder();
    private final LongAdder tasks = new LongAdder();
    private final LongAdder rounds = new LongAdder();

    public LoopFailures(String nodeId, Logger log, Clock clock) {
        this.nodeId = nodeId;
        this.log = RefusalLog.of(log, clock);
    }

    /** A message's handler threw (the message was answered already, or its reply says INTERNAL). */
    void message(String from, MessageType type, Throwable error) {
        messages.increment();
        log.failed(nodeId, from, type.name(), error);
    }

    /** A task handed to the thread (a replica's next step) threw. */
    void task(Throwable error) {
        tasks.increment();
        log.failed(nodeId, nodeId, "self-organization task", error);
    }

    /** A round (reconcile, then the agent's tick) threw. */
    void round(Throwable error) {
        rounds.increment();
        log.failed(nodeId, nodeId, "self-organization round", error);
    }

    /** Messages whose handler threw. */
    public long messages() {
        return messages.sum();
    }

    /** Tasks that threw. */
    public long tasks() {
        return tasks.sum();
    }

    /** Rounds that threw. */
    public long rounds() {
        return rounds.sum();
    }
}
