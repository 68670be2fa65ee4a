package dev.tendril.root.application;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.RegistrationSeen;
import dev.tendril.protocol.message.RootMessage.RegistrationWatch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Registration watches held as long polls ({@link RegistrationWatch}): a replication's origin
 * asks the root to tell it when the replica registers, so it learns of the registration one
 * one-way trip after the commit instead of two (the root's acknowledgement to the replica, then
 * the replica's ReplicaReady). A watch is answered with the node as it registered once this
 * root has applied a RegisterNode of that node in that tree ({@link #registered}: the writer
 * calls it after the commit, for its own requests and for the replicated log's entries alike),
 * or empty when its hold ends.
 *
 * <p>Only registrations applied after the watch arrived answer it: a node that re-registers
 * (a restart, a root round) is not taken for a new replica by a watch that came later, and a
 * registration that overtook its watch leaves the watch to run out; the origin then learns of
 * the replica from its ReplicaReady, as without the watch.
 *
 * <p>Bounded: past {@link #CAPACITY} held watches, or {@link #PER_CALLER} of one caller (an
 * origin holds one per replication it runs), a watch is answered at once, empty, with the reason
 * in its detail, counted ({@link #refused}); a hold is at most
 * {@link RegistrationWatch#MAX_HOLD_MILLIS}. Answers are completed on the writer's thread (a
 * registration) or on a thread of this class (the end of a hold), never while a lock is held.
 */
public final class RegistrationWatches implements GroupCommitter.AppliedListener, AutoCloseable {
    /** Watches held at once, all callers together. */
    public static final int CAPACITY = 1_000;
    /** Watches one caller may hold at once. */
    public static final int PER_CALLER = 8;

    private record Held(String caller, String service, String nodeId, CompletableFuture<RootMessage> reply) {
    }

    /** Held watches by "service/node". */
    private final Map<String, List<Held>> byNode = new ConcurrentHashMap<>();
    private final Map<String, Integer> heldBy = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder answered = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final ScheduledThreadPoolExecutor timer;
    private final int capacity;
    private final int perCaller;

    public RegistrationWatches(String rootId) {
        this(rootId, CAPACITY, PER_CALLER);
    }

    RegistrationWatches(String rootId, int capacity, int perCaller) {
        this.capacity = capacity;
        this.perCaller = perCaller;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "registration-watches-" + rootId);
            t.setDaemon(true);
            return t;
        });
        timer.setKeepAliveTime(1, TimeUnit.MINUTES);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Holds {@code watch} from {@code caller} (its authenticated identity: the CURVE key, or the
     * claimed sender in clear); the reply completes at the node's next registration or at the end
     * of the hold. Over a bound, the reply is already complete: empty, with the reason.
     */
    public CompletableFuture<RootMessage> hold(String caller, RegistrationWatch watch) {
        if (heldBy.merge(caller, 1, Integer::sum) > perCaller) {
            release(caller);
            return refuse(watch, "this caller holds " + perCaller + " watches already");
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            release(caller);
            return refuse(watch, "the root holds " + capacity + " watches already");
        }
        Held h = new Held(caller, watch.service(), watch.nodeId(), new CompletableFuture<>());
        // added and removed under the map's lock for the key: a list emptied and dropped meanwhile cannot take it
        byNode.compute(key(watch.service(), watch.nodeId()), (k, list) -> {
            List<Held> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(h);
            return l;
        });
        var expiry = timer.schedule(() -> {
            if (take(h)) {
                expired.increment();
                h.reply().complete(new RegistrationSeen(h.service(), h.nodeId(), Optional.empty(), "the hold ended"));
            }
        }, Math.min(watch.holdMillis(), RegistrationWatch.MAX_HOLD_MILLIS), TimeUnit.MILLISECONDS);
        h.reply().whenComplete((m, e) -> expiry.cancel(false));
        return h.reply();
    }

    /** The writer applied {@code command}: a RegisterNode answered Registered answers the node's watches. */
    @Override
    public void applied(RootMessage command, RootMessage reply) {
        if (command instanceof RootMessage.RegisterNode r && reply instanceof RootMessage.Registered) {
            registered(r.service(), r.node());
        }
    }

    /** A registration of {@code node} in the tree of {@code service} is durable here: its watches are answered. */
    public void registered(String service, NodeInfo node) {
        if (size.get() == 0) {
            return;
        }
        List<Held> waiting = byNode.get(key(service, node.nodeId()));
        if (waiting == null) {
            return;
        }
        for (Held h : waiting) {
            if (take(h)) {
                answered.increment();
                h.reply().complete(new RegistrationSeen(service, node.nodeId(), Optional.of(node), ""));
            }
        }
    }

    /** Watches held now. */
    public int size() {
        return size.get();
    }

    /** Watches answered with a registration so far. */
    public long answered() {
        return answered.sum();
    }

    /** Watches whose hold ended without a registration so far. */
    public long expired() {
        return expired.sum();
    }

    /** Watches answered at once because a bound was reached, so far. */
    public long refused() {
        return refused.sum();
    }

    /** Removes {@code h} if it is still held; true for the one caller that removed it. */
    private boolean take(Held h) {
        boolean[] removed = new boolean[1];
        byNode.computeIfPresent(key(h.service(), h.nodeId()), (k, l) -> {
            removed[0] = l.remove(h);
            return l.isEmpty() ? null : l;
        });
        if (!removed[0]) {
            return false;
        }
        size.decrementAndGet();
        release(h.caller());
        return true;
    }

    private void release(String caller) {
        heldBy.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    }

    private CompletableFuture<RootMessage> refuse(RegistrationWatch watch, String why) {
        refused.increment();
        return CompletableFuture.completedFuture(RegistrationSeen.notHeld(watch.service(), watch.nodeId(), why));
    }

    /** Stops the timer that ends the holds; watches still held are not answered any more. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    private static String key(String service, String nodeId) {
        return service + "/" + nodeId;
    }
}
