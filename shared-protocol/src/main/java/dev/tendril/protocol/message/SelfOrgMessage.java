package dev.tendril.protocol.message;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Self-organization messages between the edge nodes of one service tree (wire ids 80-95 of
 * the overlay range), sent to a node's tree socket like {@link OverlayMessage}s. All are
 * one-way notifications answered with {@link RootMessage.Ack}, except {@link Replicate}
 * (answered with {@link ReplicateReply}); results travel back as new messages, so no hop
 * ever waits for the rest of a search. Request ids ({@code requestId}) tie the messages of
 * one search or replication together; receivers are idempotent per request id.
 */
public sealed interface SelfOrgMessage extends Message {
    /** The service whose tree the message concerns. */
    String service();

    /** Child {@code nodeId} reports the merged grid of its subtree (itself and its children's grids). */
    record SubtreeGrid(String service, String nodeId, CapacityGrid grid) implements SelfOrgMessage {
        public SubtreeGrid {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            Objects.requireNonNull(grid, "grid");
        }
        public MessageType type() { return MessageType.SUBTREE_GRID; }
    }

    /** A sibling of the receiver: the node (so the receiver can reach it) and its subtree's grid. */
    record SiblingGrid(NodeInfo node, CapacityGrid grid) {
        public SiblingGrid {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(grid, "grid");
        }
    }

    /**
     * Parent {@code parentId} tells a child about its neighbourhood: the parent's own point
     * and the grids of the child's siblings. Not forwarded any further.
     */
    record NeighbourGrids(String service, String parentId, GridPoint parentPoint, List<SiblingGrid> siblings)
            implements SelfOrgMessage {
        public NeighbourGrids {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("parent id", parentId);
            Objects.requireNonNull(parentPoint, "parentPoint");
            siblings = List.copyOf(siblings);
        }
        public MessageType type() { return MessageType.NEIGHBOUR_GRIDS; }
    }

    /**
     * One hop of a migration search: find an instance (other than the origin) within
     * {@code reachKm} of the cluster's {@code centroid} (the distance at which the expected
     * round trip reaches the spec's maximum latency), nearest first, with {@code need} free. {@code upward} is true while the search climbs (the receiver may
     * check its siblings and forward to its parent) and false once it descends;
     * {@code cameFrom} is the node it came from (its subtree was already checked).
     */
    record MigrationSearch(String service, String requestId, NodeInfo origin, GeoPoint centroid, int users,
                           Capacity need, double reachKm, int hops, int hopLimit, long deadlineMillis,
                           String cameFrom, boolean upward) implements SelfOrgMessage {
        public MigrationSearch {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(centroid, "centroid");
            Objects.requireNonNull(need, "need");
            Names.requireDnsLabel("came from", cameFrom);
            if (users < 0 || hops < 0 || hopLimit < 1 || !(reachKm >= 0)) {
                throw new IllegalArgumentException("migration search needs users >= 0, hops >= 0, hopLimit >= 1, distance >= 0");
            }
        }
        public MessageType type() { return MessageType.MIGRATION_SEARCH; }

        /** The request as forwarded by {@code via} to the next hop. */
        public MigrationSearch forwarded(String via, boolean goingUp) {
            return new MigrationSearch(service, requestId, origin, centroid, users, need, reachKm, hops + 1,
                    hopLimit, deadlineMillis, via, goingUp);
        }
    }

    /** The receiver of a search offers itself as the target of the migration. */
    record MigrationOffer(String service, String requestId, NodeInfo target, double distanceKm, int hops)
            implements SelfOrgMessage {
        public MigrationOffer {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Objects.requireNonNull(target, "target");
        }
        public MessageType type() { return MessageType.MIGRATION_OFFER; }
    }

    /** The search ended at {@code atNodeId} without a target (nothing better, hop limit or deadline). */
    record MigrationNotFound(String service, String requestId, String atNodeId, String reason, int hops)
            implements SelfOrgMessage {
        public MigrationNotFound {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Names.requireDnsLabel("node id", atNodeId);
            reason = reason == null ? "" : reason;
        }
        public MessageType type() { return MessageType.MIGRATION_NOT_FOUND; }
    }

    /**
     * Deploy a replica of {@code service} from {@code specYaml} on the receiver's platform
     * and join the tree; the outcome follows as {@link ReplicaReady} to {@code requester}.
     * Idempotent per request id and per service. Reply: {@link ReplicateReply}.
     */
    record Replicate(String service, String requestId, NodeInfo requester, String specYaml) implements SelfOrgMessage {
        public Replicate {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Objects.requireNonNull(requester, "requester");
            Objects.requireNonNull(specYaml, "specYaml");
        }
        public MessageType type() { return MessageType.REPLICATE; }
    }

    /**
     * Reply to {@link Replicate}. {@code status}: "accepted" (deploying; {@link ReplicaReady}
     * follows), "hosting" (the platform already hosts the service: {@code instance} is it)
     * or "refused" ({@code detail} says why).
     */
    record ReplicateReply(String service, String requestId, String status, String detail, Optional<NodeInfo> instance)
            implements SelfOrgMessage {
        public static final String ACCEPTED = "accepted";
        public static final String HOSTING = "hosting";
        public static final String REFUSED = "refused";

        public ReplicateReply {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Objects.requireNonNull(status, "status");
            detail = detail == null ? "" : detail;
            Objects.requireNonNull(instance, "instance");
        }
        public MessageType type() { return MessageType.REPLICATE_REPLY; }
    }

    /**
     * The replica of request {@code requestId} is registered with the root and attached
     * ({@code ok}), or its deployment failed ({@code detail} says why). {@code containerStartMillis}
     * is how long the container took to start, reported apart from the rest.
     */
    record ReplicaReady(String service, String requestId, NodeInfo instance, boolean ok, long containerStartMillis,
                        long registeredAtMillis, String detail) implements SelfOrgMessage {
        public ReplicaReady {
            Names.requireDnsLabel("service", service);
            requireId(requestId);
            Objects.requireNonNull(instance, "instance");
            detail = detail == null ? "" : detail;
        }
        public MessageType type() { return MessageType.REPLICA_READY; }
    }

    /**
     * A hint from {@code requesterId}, a member of the tree of {@code service}: a {@link Replicate}
     * of that service may follow within seconds (its load went above the thresholds, and the
     * receiver is among its likeliest replication candidates). The receiver may check the
     * requester's membership with the root now, so that the Replicate does not wait for that
     * round trip. {@code specYaml} is the spec the Replicate would carry ("" for none, as older
     * nodes sent it): the receiver may check its operator signature now, once the requester is
     * known to be a member, so that the Replicate does not wait for that check either. Asks for
     * nothing else; a receiver may ignore it.
     */
    record ReplicateSoon(String service, String requesterId, String specYaml) implements SelfOrgMessage {
        public ReplicateSoon {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("requester id", requesterId);
            Objects.requireNonNull(specYaml, "specYaml");
        }

        /** Without the spec (as nodes sent it before the spec was appended). */
        public ReplicateSoon(String service, String requesterId) {
            this(service, requesterId, "");
        }

        public MessageType type() { return MessageType.REPLICATE_SOON; }
    }

    private static void requireId(String requestId) {
        if (requestId == null || requestId.isEmpty() || requestId.length() > 128) {
            throw new IllegalArgumentException("request id must have 1-128 characters, got '" + requestId + "'");
        }
    }
}
