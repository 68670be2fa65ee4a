package dev.tendril.protocol.message;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Messages of the root control endpoint. Requests are answered with the reply named in
 * each record's comment, or with {@link ErrorReply}. Every request is idempotent on the
 * root: a retried request (same {@link MessageId}) gets the first reply again.
 */
public sealed interface RootMessage extends Message {

    /** Ask a root for its counters (DNS, control endpoint, writer). Reply: {@link RootStats}. */
    record RootStatsQuery() implements RootMessage {
        public MessageType type() { return MessageType.ROOT_STATS_QUERY; }
    }

    /** Reply to {@link RootStatsQuery}: counters by name (e.g. {@code dns.udpQueries}), in a stable order. */
    record RootStats(String rootId, List<AdminMessage.Figure> counters) implements RootMessage {
        public RootStats {
            Objects.requireNonNull(rootId, "rootId");
            counters = List.copyOf(counters);
        }
        public MessageType type() { return MessageType.ROOT_STATS; }
    }

    /**
     * Ask a root to re-read its GeoIP databases, as SIGHUP does. Reply: {@link Ack} once the new
     * databases answer, or {@link ErrorReply} (the databases in use stay) when a file cannot be opened.
     */
    record RootReload() implements RootMessage {
        public MessageType type() { return MessageType.ROOT_RELOAD; }
    }

    /** Reply: the request was carried out (and is durable). */
    record Ack() implements RootMessage {
        public MessageType type() { return MessageType.ACK; }
    }

    /**
     * Reply: the request was refused. Codes: INVALID (bad arguments), NOT_FOUND (no such
     * service/node), CONFLICT (e.g. tree exists), UNSUPPORTED (unknown message), INTERNAL.
     */
    record ErrorReply(String code, String message) implements RootMessage {
        public ErrorReply {
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
        }
        public MessageType type() { return MessageType.ERROR; }
    }

    /** Create a new service tree whose top node is {@code node}. Reply: {@link Registered} with no parent. */
    record CreateTree(String service, NodeInfo node) implements RootMessage {
        public CreateTree {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(node, "node");
        }
        public MessageType type() { return MessageType.CREATE_TREE; }
    }

    /**
     * Join {@code node} to the existing tree of {@code service} (or re-join as a leaf after
     * a restart). Reply: {@link Registered} with the parent the root assigned.
     */
    record RegisterNode(String service, NodeInfo node) implements RootMessage {
        public RegisterNode {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(node, "node");
        }
        public MessageType type() { return MessageType.REGISTER_NODE; }
    }

    /** Reply to create/register/orphan: the node is in the tree; {@code parent} is empty for the top node. */
    record Registered(String service, String nodeId, Optional<NodeInfo> parent) implements RootMessage {
        public Registered {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            Objects.requireNonNull(parent, "parent");
        }
        public MessageType type() { return MessageType.REGISTERED; }
    }

    /** The node leaves the tree of {@code service} (its deployment was removed). Reply: {@link Ack}. */
    record SignOff(String service, String nodeId) implements RootMessage {
        public SignOff {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
        }
        public MessageType type() { return MessageType.SIGN_OFF; }
    }

    /**
     * The node leaves the tree of {@code service} only if at least {@code minInstances} live
     * instances remain without it (an idle instance terminating, never below the spec's
     * minimum). The root checks and applies it in one step of its single writer, durably like
     * {@link SignOff}, so instances asking at the same moment can never undercut the minimum.
     * Reply: {@link SignOffDecision}.
     */
    record ConditionalSignOff(String service, String nodeId, int minInstances) implements RootMessage {
        public ConditionalSignOff {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            if (minInstances < 0) {
                throw new IllegalArgumentException("minInstances must be >= 0, got " + minInstances);
            }
        }
        public MessageType type() { return MessageType.CONDITIONAL_SIGN_OFF; }
    }

    /**
     * Reply to {@link ConditionalSignOff}: {@code granted} (the node is signed off, as by
     * {@link SignOff}) or refused (nothing changed). {@code liveInstances}: the tree's live
     * instances after the decision (granted: without the node; refused: as they are).
     */
    record SignOffDecision(String service, String nodeId, boolean granted, int liveInstances, int minInstances)
            implements RootMessage {
        public SignOffDecision {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            if (liveInstances < 0 || minInstances < 0) {
                throw new IllegalArgumentException("liveInstances and minInstances must be >= 0, got "
                        + liveInstances + ", " + minInstances);
            }
        }
        public MessageType type() { return MessageType.SIGN_OFF_DECISION; }
    }

    /**
     * The node's parent stopped answering. The root drops the dead parent (DNS stops
     * answering it) and assigns a new one. Reply: {@link Registered}.
     */
    record OrphanReport(String service, String nodeId, String deadParentId) implements RootMessage {
        public OrphanReport {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            Names.requireDnsLabel("dead parent id", deadParentId);
        }
        public MessageType type() { return MessageType.ORPHAN_REPORT; }
    }

    /** A node is down (a parent saw its child die) or up again. Reply: {@link Ack}. */
    record NodeState(String service, String nodeId, boolean live) implements RootMessage {
        public NodeState {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
        }
        public MessageType type() { return MessageType.NODE_STATE; }
    }

    /**
     * From now on, answer the clients (addresses or CIDR subnets, IPv4 or IPv6, e.g.
     * "198.51.100.7" or "198.51.100.0/24") with {@code targetNodeId}, for {@code lifetimeMillis}.
     * Reply: {@link Ack} once the record is durable.
     */
    record RecordMigration(String service, List<String> clients, String targetNodeId, long lifetimeMillis)
            implements RootMessage {
        public RecordMigration {
            Names.requireDnsLabel("service", service);
            clients = List.copyOf(clients);
            if (clients.isEmpty()) {
                throw new IllegalArgumentException("clients must not be empty");
            }
            Names.requireDnsLabel("target node id", targetNodeId);
            if (lifetimeMillis <= 0) {
                throw new IllegalArgumentException("lifetimeMillis must be > 0, got " + lifetimeMillis);
            }
        }
        public MessageType type() { return MessageType.RECORD_MIGRATION; }
    }

    /** Which platforms already host {@code service}? Reply: {@link HostedSet}. */
    record HostedSetQuery(String service) implements RootMessage {
        public HostedSetQuery {
            Names.requireDnsLabel("service", service);
        }
        public MessageType type() { return MessageType.HOSTED_SET_QUERY; }
    }

    /** Reply: the node ids hosting {@code service} (live or down, but not signed off). */
    record HostedSet(String service, List<String> nodeIds) implements RootMessage {
        public HostedSet {
            Names.requireDnsLabel("service", service);
            nodeIds = List.copyOf(nodeIds);
        }
        public MessageType type() { return MessageType.HOSTED_SET; }
    }

    /** List the nodes of one tree, or of all trees when {@code service} is "". Reply: {@link TreeListing}. */
    record TreeQuery(String service) implements RootMessage {
        public TreeQuery {
            service = service == null ? "" : service;
            if (!service.isEmpty()) {
                Names.requireDnsLabel("service", service);
            }
        }
        public MessageType type() { return MessageType.TREE_QUERY; }
    }

    /** One node of a tree as listed by the root; {@code parentId} is "" for the top node. */
    record TreeNodeView(String service, NodeInfo node, String parentId, boolean live, long registeredAtMillis) {
        public TreeNodeView {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(node, "node");
            parentId = parentId == null ? "" : parentId;
        }
    }

    /** Reply to {@link TreeQuery}. */
    record TreeListing(List<TreeNodeView> nodes) implements RootMessage {
        public TreeListing {
            nodes = List.copyOf(nodes);
        }
        public MessageType type() { return MessageType.TREE_LISTING; }
    }

    /** List live migration records of one service, or all when "". Reply: {@link MigrationListing}. */
    record MigrationsQuery(String service) implements RootMessage {
        public MigrationsQuery {
            service = service == null ? "" : service;
            if (!service.isEmpty()) {
                Names.requireDnsLabel("service", service);
            }
        }
        public MessageType type() { return MessageType.MIGRATIONS_QUERY; }
    }

    /** One migration record: clients in {@code client} (address or CIDR) are answered with the target. */
    record MigrationView(String service, String client, String targetNodeId, long createdAtMillis, long expiresAtMillis) {
        public MigrationView {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(client, "client");
            Names.requireDnsLabel("target node id", targetNodeId);
        }
    }

    /** Reply to {@link MigrationsQuery}. */
    record MigrationListing(List<MigrationView> migrations) implements RootMessage {
        public MigrationListing {
            migrations = List.copyOf(migrations);
        }
        public MessageType type() { return MessageType.MIGRATION_LISTING; }
    }

    /** Which instance(s) would DNS answer to {@code client} for {@code service}? Reply: {@link ResolveAnswer}. */
    record ResolveQuery(String service, String client) implements RootMessage {
        public ResolveQuery {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(client, "client");
        }
        public MessageType type() { return MessageType.RESOLVE_QUERY; }
    }

    /**
     * Reply to {@link ResolveQuery}: the chosen instances and why
     * ({@code basis}: "migration", "nearest", "default-position", "last-known" or "none").
     */
    record ResolveAnswer(String service, String client, List<NodeInfo> instances, String basis) implements RootMessage {
        public ResolveAnswer {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(client, "client");
            instances = List.copyOf(instances);
            Objects.requireNonNull(basis, "basis");
        }
        public MessageType type() { return MessageType.RESOLVE_ANSWER; }
    }
}
