package dev.tendril.edge.selforg.adapter.out.root;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.selforg.application.port.out.RootDirectory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** {@link RootDirectory} over the root control endpoint (the overlay's {@link RootControl} port). */
public final class RootControlDirectory implements RootDirectory {
    private static final Logger log = LoggerFactory.getLogger(RootControlDirectory.class);
    private final RootControl root;
    private final Consumer<Runnable> post;

    /** Without registration watches (nothing to run their answers). */
    public RootControlDirectory(RootControl root) {
        this(root, null);
    }

    /**
     * @param post runs a watch's answer on the self-organization thread (null: no watches)
     */
    public RootControlDirectory(RootControl root, Consumer<Runnable> post) {
        this.root = root;
        this.post = post;
    }

    /** How much longer than the watch's hold the call waits for the root's answer. */
    static final Duration WATCH_MARGIN = Duration.ofSeconds(2);

    /**
     * Sends the watch and returns at once; no thread waits for the root's answer (a held call
     * may last the whole hold). The answer is handed from the client's thread straight to the
     * self-organization thread: one thread wake-up fewer than a worker blocked in the call.
     */
    @Override
    public void watchRegistration(String service, String nodeId, Duration hold, Consumer<Optional<NodeInfo>> seen) {
        if (post == null) {
            return;
        }
        long holdMillis = Math.max(1, Math.min(hold.toMillis(), RootMessage.RegistrationWatch.MAX_HOLD_MILLIS));
        RootMessage.RegistrationWatch watch = new RootMessage.RegistrationWatch(service, nodeId, holdMillis);
        CompletableFuture<Optional<Message>> reply;
        try {
            reply = root.callHeldLater(service, watch, Duration.ofMillis(holdMillis).plus(WATCH_MARGIN));
        } catch (RuntimeException e) { // the ReplicaReady still tells; nothing is lost but the time
            log.debug("registration watch of {} in {} not sent", nodeId, service, e);
            return;
        }
        reply.whenComplete((m, e) -> {
            if (e != null) {
                log.debug("registration watch of {} in {} failed", nodeId, service, e);
            }
            Optional<NodeInfo> node = m == null ? Optional.empty() : m
                    .filter(RootMessage.RegistrationSeen.class::isInstance)
                    .flatMap(r -> ((RootMessage.RegistrationSeen) r).node());
            HopTrace.mark("watch.answer", service, nodeId);
            try {
                post.accept(() -> {
                    HopTrace.mark("watch.seen", service, nodeId);
                    seen.accept(node);
                });
            } catch (RejectedExecutionException closing) {
                // the loop has stopped: nobody is left to tell
            }
        });
    }

    /**
     * Runs one registration watch through this class's answer path, answered at once by a stub
     * root and posted on the calling thread, and returns the node it saw (empty when that path is
     * broken). For a node's warm-up: the path's first run in a JVM links its lambdas and method
     * references and resolves its calls, which took 0.5-7 ms of an origin's first replication on
     * topology D against 0.1-0.2 ms at repeats (docs/evaluation.md, 1c). Sends nothing.
     */
    public static Optional<NodeInfo> rehearse(NodeInfo node) {
        RootControl stub = new RootControl() {
            @Override
            public Optional<Message> call(String service, RootMessage request) {
                return Optional.empty();
            }

            @Override
            public CompletableFuture<Optional<Message>> callHeldLater(String service, RootMessage request, Duration wait) {
                return CompletableFuture.completedFuture(Optional.of(
                        new RootMessage.RegistrationSeen(service, node.nodeId(), Optional.of(node), "")));
            }
        };
        AtomicReference<Optional<NodeInfo>> seen = new AtomicReference<>(Optional.empty());
        new RootControlDirectory(stub, Runnable::run).watchRegistration("warm-up", node.nodeId(), Duration.ofMillis(1), seen::set);
        return seen.get();
    }

    /** Subnets per request: the roots' default {@code control.limits.maxSubnetsPerRequest}. */
    static final int SUBNETS_PER_REQUEST = 64;

    /** Sends the clients in requests of at most {@value #SUBNETS_PER_REQUEST}; true once all are recorded. */
    @Override
    public boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime) {
        for (int from = 0; from < clients.size(); from += SUBNETS_PER_REQUEST) {
            List<String> part = clients.subList(from, Math.min(clients.size(), from + SUBNETS_PER_REQUEST));
            Optional<Message> reply = root.call(service,
                    new RootMessage.RecordMigration(service, part, targetNodeId, Math.max(1, lifetime.toMillis())));
            if (reply.isEmpty() || !(reply.get() instanceof RootMessage.Ack)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<Set<String>> hostedSet(String service) {
        return root.call(service, new RootMessage.HostedSetQuery(service))
                .filter(RootMessage.HostedSet.class::isInstance)
                .map(m -> Set.copyOf(((RootMessage.HostedSet) m).nodeIds()));
    }

    @Override
    public Optional<List<Redirect>> redirects(String service) {
        return root.call(service, new RootMessage.MigrationsQuery(service))
                .filter(RootMessage.MigrationListing.class::isInstance)
                .map(m -> ((RootMessage.MigrationListing) m).migrations().stream()
                        .filter(v -> v.service().equals(service))
                        .map(v -> new Redirect(v.client(), v.targetNodeId(), Instant.ofEpochMilli(v.createdAtMillis())))
                        .toList());
    }

    /** Every node of the tree of {@code service} as the root lists it (empty when no root answered). */
    public List<RootMessage.TreeNodeView> tree(String service) {
        return root.call(service, new RootMessage.TreeQuery(service))
                .filter(RootMessage.TreeListing.class::isInstance)
                .map(m -> ((RootMessage.TreeListing) m).nodes()).orElse(List.of());
    }
}
