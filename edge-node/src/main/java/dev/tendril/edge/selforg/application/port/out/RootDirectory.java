package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Port: what self-organization asks of the root control endpoint. Empty/false when no root answered. */
public interface RootDirectory {
    /** A live redirect at the root: {@code client} (an address or CIDR) is answered with the target since {@code createdAt}. */
    record Redirect(String client, String targetNodeId, Instant createdAt) {
    }

    /** Answer {@code clients} (addresses or CIDRs) with {@code targetNodeId} for {@code lifetime}; true once recorded. */
    boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime);

    /** The platforms hosting {@code service} (one round trip). */
    Optional<Set<String>> hostedSet(String service);

    /** The live redirects of {@code service} (one round trip). */
    Optional<List<Redirect>> redirects(String service);

    /**
     * Asks the root to tell when {@code nodeId} registers in the tree of {@code service} (a
     * request the root holds, up to {@code hold}), without waiting: {@code seen} runs later on
     * the self-organization thread, with the node as it registered, or empty when the hold ended,
     * no root held the watch or none answered. This default asks nothing and never calls back:
     * the replication then learns of its replica from the replica's ReplicaReady alone.
     */
    default void watchRegistration(String service, String nodeId, Duration hold, Consumer<Optional<NodeInfo>> seen) {
    }
}
