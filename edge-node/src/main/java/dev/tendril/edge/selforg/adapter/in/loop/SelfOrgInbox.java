package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.trace.HopTrace;
import dev.tendril.protocol.transport.RefusalLog;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * How a self-organization message from the tree socket reaches the self-organization thread.
 * Every message but a {@link SelfOrgMessage.Replicate} is answered with an {@code Ack} at once
 * and queued for that thread: its handler returns nothing but an Ack anyway, so the tree
 * socket's handler thread does not wait while the self-organization thread finishes a round
 * (which may hold a root round trip). Waiting there held up the socket's two handler threads,
 * and every Attach and Heartbeat for this node behind them (docs/evaluation.md, section 1c).
 * A Replicate's reply says whether the platform accepted, so it is handed over and waited
 * for (up to {@code replyWait}; {@code BUSY} after that, the sender retries with the same id).
 *
 * <p>The queue is bounded: with {@code capacity} messages waiting for the thread, more are
 * refused with {@code BUSY} (counted, logged at most once a minute per sender), and the
 * sender's client retries them.
 */
public final class SelfOrgInbox {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SelfOrgInbox.class);

    private final String nodeId;
    private final Executor loop;
    private final BiFunction<String, SelfOrgMessage, Message> handler;
    private final int capacity;
    private final Duration replyWait;
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final RefusalLog refusalLog = RefusalLog.of(log, Clock.systemUTC()); // once per minute per sender

    /**
     * @param loop    runs a task on the self-organization thread
     * @param handler the agent's dispatch (sender's node id, message) -> reply; run on that thread only
     */
    public SelfOrgInbox(String nodeId, Executor loop, BiFunction<String, SelfOrgMessage, Message> handler, int capacity,
                        Duration replyWait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.nodeId = nodeId;
        this.loop = loop;
        this.handler = handler;
        this.capacity = capacity;
        this.replyWait = replyWait;
    }

    /** The reply to a request from the tree socket (on one of its handler threads). */
    public Message receive(Envelope request) {
        if (!(request.body() instanceof SelfOrgMessage m)) {
            return new RootMessage.ErrorReply("UNSUPPORTED", request.kind() + " is not a self-organization message");
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            refused.increment();
            refusalLog.refused(nodeId, request.from(), "busy", m.type() + ": " + capacity + " messages queued");
            return new RootMessage.ErrorReply("BUSY", "self-organization is busy (" + capacity + " messages queued); retry");
        }
        FutureTask<Message> task = new FutureTask<>(handled(request, m));
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            return new RootMessage.ErrorReply("UNAVAILABLE", "self-organization has stopped");
        }
        if (!(m instanceof SelfOrgMessage.Replicate)) {
            return new RootMessage.Ack();
        }
        try {
            return task.get(replyWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new RootMessage.ErrorReply("BUSY", "self-organization is busy; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RootMessage.ErrorReply("INTERNAL", "interrupted");
        } catch (ExecutionException e) {
            return new RootMessage.ErrorReply("INTERNAL", String.valueOf(e.getCause()));
        }
    }

    private Callable<Message> handled(Envelope request, SelfOrgMessage m) {
        return () -> {
            queued.decrementAndGet();
            HopTrace.mark("loop.run", request.id(), m.type());
            Message r;
            try {
                r = handler.apply(request.from(), m);
            } catch (RuntimeException e) {
                log.warn("{}: {} from {} failed", nodeId, m.type(), request.from(), e); // answered already (Ack): logged here
                throw e;
            }
            HopTrace.mark("loop.ran", request.id(), m.type());
            return r;
        };
    }

    /** Messages waiting for the self-organization thread now. */
    public int queued() {
        return queued.get();
    }

    /** Messages refused because {@code capacity} were waiting. */
    public long refused() {
        return refused.sum();
    }
}
