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
import java.util.concurrent.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * for (up to {@code replyWait}; {@code BUSY} after that, counted and logged as a refusal; the
 * sender retries with the same id).
 *
 * <p>The queue is bounded: with {@code capacity} messages waiting for the thread, more are
 * refused with {@code BUSY} (counted, logged at most once a minute per sender), and the
 * sender's client retries them.
 *
 * <p>A handler that throws is counted and logged by {@link LoopFailures} (at most once a minute
 * per sender and message type, the first line with its stack trace); the loop goes on.
 */
public final class SelfOrgInbox {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SelfOrgInbox.class);

    private final String nodeId;
    private final Executor loop;
    private final BiFunction<String, SelfOrgMessage, Message> handler;
    private final int capacity;
    private final Duration replyWait;
    private final LoopFailures failures;
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder unsupported = new LongAdder();
    private final RefusalLog refusalLog; // once per minute per sender and reason

    /**
     * @param loop    runs a task on the self-organization thread
     * @param handler the agent's dispatch (sender's node id, message) -> reply; run on that thread only
     */
    public SelfOrgInbox(String nodeId, Executor loop, BiFunction<String, SelfOrgMessage, Message> handler, int capacity,
                        Duration replyWait) {
        this(nodeId, loop, handler, capacity, replyWait, new LoopFailures(nodeId, log, Clock.systemUTC()), log,
                Clock.systemUTC());
    }

    /**
     * @param failures counts and logs handler failures (shared with the rest of the loop)
     * @param log      where BUSY refusals are logged
     */
    public SelfOrgInbox(String nodeId, Executor loop, BiFunction<String, SelfOrgMessage, Message> handler, int capacity,
                        Duration replyWait, LoopFailures failures, org.slf4j.Logger log, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.nodeId = nodeId;
        this.loop = loop;
        this.handler = handler;
        this.capacity = capacity;
        this.replyWait = replyWait;
        this.failures = failures;
        this.refusalLog = RefusalLog.of(log, clock);
    }

    /** The reply to a request from the tree socket, waited for (see {@link #receiveLater}). */
    public Message receive(Envelope request) {
        return receiveLater(request).toCompletableFuture().join();
    }

    /**
     * The reply to a request from the tree socket, without waiting: on the socket's own thread the
     * message is queued for the self-organization thread, and a Replicate's reply completes there
     * (or {@code BUSY} after {@code replyWait}), so no handler thread waits in between.
     */
    public CompletionStage<Message> receiveLater(Envelope request) {
        if (!(request.body() instanceof SelfOrgMessage m)) {
            // the tree socket routes only self-organization messages here; anything else is a
            // sender's mistake or a probe, refused like any other (counted, logged once a minute)
            String why = request.kind() + " is not a self-organization message";
            unsupported.increment();
            refusalLog.refused(nodeId, request.from(), "unsupported", why);
            return CompletableFuture.completedFuture(new RootMessage.ErrorReply("UNSUPPORTED", why));
        }
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            refused.increment();
            refusalLog.refused(nodeId, request.from(), "busy", m.type() + ": " + capacity + " messages queued");
            return CompletableFuture.completedFuture(
                    new RootMessage.ErrorReply("BUSY", "self-organization is busy (" + capacity + " messages queued); retry"));
        }
        CompletableFuture<Message> reply = new CompletableFuture<>();
        Callable<Message> task = handled(request, m);
        try {
            loop.execute(() -> {
                try {
                    reply.complete(task.call());
                } catch (Exception | Error e) { // a RuntimeException is counted and logged by the task; the loop goes on
                    reply.complete(RootMessage.ErrorReply.internal(e, m.type().toString(), nodeId));
                }
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            return CompletableFuture.completedFuture(new RootMessage.ErrorReply("UNAVAILABLE", "self-organization has stopped"));
        }
        if (!(m instanceof SelfOrgMessage.Replicate)) {
            return CompletableFuture.completedFuture(new RootMessage.Ack());
        }
        RootMessage.ErrorReply late = new RootMessage.ErrorReply("BUSY", "self-organization is busy; retry");
        return reply.completeOnTimeout(late, replyWait.toMillis(), TimeUnit.MILLISECONDS).thenApply(r -> {
            if (r == late) {
                timedOut.increment();
                refusalLog.refused(nodeId, request.from(), "busy-reply",
                        m.type() + ": no reply from the self-organization thread within " + replyWait.toMillis() + " ms");
            }
            return r;
        });
    }

    private Callable<Message> handled(Envelope request, SelfOrgMessage m) {
        return () -> {
            queued.decrementAndGet();
            HopTrace.mark("loop.run", request.id(), m.type());
            Message r;
            try {
                r = handler.apply(request.from(), m);
            } catch (RuntimeException e) {
                failures.message(request.from(), m.type(), e); // answered already (Ack): counted and logged here
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

    /** Messages refused (BUSY) because {@code capacity} were waiting. */
    public long refused() {
        return refused.sum();
    }

    /** Replicates answered BUSY because the thread did not reply within {@code replyWait}. */
    public long timedOut() {
        return timedOut.sum();
    }

    /** Messages refused UNSUPPORTED: not self-organization messages. */
    public long unsupported() {
        return unsupported.sum();
    }

    /** Handler failures (of the whole loop: {@link LoopFailures} is shared). */
    public LoopFailures failures() {
        return failures;
    }
}
