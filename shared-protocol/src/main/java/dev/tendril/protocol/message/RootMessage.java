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
     * service/node), CONFLICT (e.g. tree exists), UNSUPPORTED (unknown message), LIMIT (over a
     * configured limit or quota), INTERNAL.
     */
    record ErrorReply(String code, String message) implements RootMessage {
        public ErrorReply {
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
        }
        public MessageType type() { return MessageType.ERROR; }

        /**
         * INTERNAL for a handler that threw while handling {@code what}: the caller learns the kind
         * of failure and whose log has the details, never the exception's text (it can hold paths,
         * keys or other peers' data).
         */
        public static ErrorReply internal(Throwable failure, String what, String nodeId) {
            return new ErrorReply("INTERNAL", failure.getClass().getSimpleName() + " while handling " + what
                    + "; the details are in the log of " + nodeId);
        }
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

    /**
     * Is {@code nodeId} a node of the tree of {@code service}, and which of the tree's nodes would
     * the root assign as parent to a node joining at {@code near}? The constant-size alternative to
     * {@link HostedSetQuery} for a replica's check of the node that offered it and for its likely
     * parents: the answer names one node's membership and at most {@code nearest}
     * ({@value #MAX_NEAREST} at most) other nodes, however large the tree. Reply: {@link Membership}.
     *
     * @param near    where the asking node is (its likely parents are the nearest to it); empty: none wanted
     * @param nearest how many likely parents to name, 0 to {@value #MAX_NEAREST}
     */
    record MembershipQuery(String service, String nodeId, Optional<dev.tendril.protocol.geo.GeoPoint> near, int nearest)
            implements RootMessage {
        /** The most likely parents one query may ask for (the answer stays a few hundred bytes). */
        public static final int MAX_NEAREST = 16;

        public MembershipQuery {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            Objects.requireNonNull(near, "near");
            requireNearest(nearest);
        }
        public MessageType type() { return MessageType.MEMBERSHIP_QUERY; }
    }

    /**
     * Reply to {@link MembershipQuery}. {@code member}: {@code nodeId} is a node of the tree (live
     * or down, not signed off: what {@link HostedSet} would list); {@code live}: and the root has
     * it live (false for a non-member). {@code nearest}: up to the asked number of the tree's live
     * nodes with room for a child nearest to the asked position, nearest first (the root's parent
     * choice for a node joining there, then the runners-up); empty for an unknown service or when
     * no position was given.
     */
    record Membership(String service, String nodeId, boolean member, boolean live, List<String> nearest)
            implements RootMessage {
        public Membership {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            if (live && !member) {
                throw new IllegalArgumentException("a node that is not a member cannot be live");
            }
            nearest = List.copyOf(nearest);
            requireNearest(nearest.size());
        }
        public MessageType type() { return MessageType.MEMBERSHIP; }
    }

    /**
     * Tell me when {@code nodeId} registers in the tree of {@code service}: the root holds this
     * request (a long poll) until it applies a {@link RegisterNode} of that node in that tree, made
     * after this request arrived, or until {@code holdMillis} (at most {@value #MAX_HOLD_MILLIS})
     * have passed. A replication's origin asks it when its Replicate goes out, so that it learns of
     * the replica's registration from the root, one one-way trip after the commit, instead of from
     * the replica's ReplicaReady, which leaves only once the replica has the root's acknowledgement.
     * Reply: {@link RegistrationSeen}.
     */
    record RegistrationWatch(String service, String nodeId, long holdMillis) implements RootMessage {
        /** The longest a root holds a watch. */
        public static final long MAX_HOLD_MILLIS = 60_000;

        public RegistrationWatch {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            if (holdMillis < 1 || holdMillis > MAX_HOLD_MILLIS) {
                throw new IllegalArgumentException("holdMillis must be 1 to " + MAX_HOLD_MILLIS + ", got " + holdMillis);
            }
        }
        public MessageType type() { return MessageType.REGISTRATION_WATCH; }
    }

    /**
     * Reply to {@link RegistrationWatch}: {@code node} as it registered (the root had the
     * registration durable when this left), or empty when the hold ended first, or when the root
     * could not hold the watch (too many held: {@code detail} says which).
     */
    record RegistrationSeen(String service, String nodeId, Optional<NodeInfo> node, String detail) implements RootMessage {
        public RegistrationSeen {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
            Objects.requireNonNull(node, "node");
            detail = detail == null ? "" : detail;
            if (node.isPresent() && !node.get().nodeId().equals(nodeId)) {
                throw new IllegalArgumentException("registration of " + node.get().nodeId() + " answers a watch of " + nodeId);
            }
        }
        /** What {@link #detail} starts with when the root did not hold the watch. */
        public static final String NOT_HELD = "not held: ";

        /** The answer to a watch the root did not hold ({@code why}: which bound, or none held here). */
        public static RegistrationSeen notHeld(String service, String nodeId, String why) {
            return new RegistrationSeen(service, nodeId, Optional.empty(), NOT_HELD + why);
        }

        /** True when the root did not hold the watch (a bound was reached, or it holds none). */
        public boolean isNotHeld() {
            return node.isEmpty() && detail.startsWith(NOT_HELD);
        }

        public MessageType type() { return MessageType.REGISTRATION_SEEN; }
    }

    private static void requireNearest(int nearest) {
        if (nearest < 0 || nearest > MembershipQuery.MAX_NEAREST) {
            throw new IllegalArgumentException("nearest must be 0 to " + MembershipQuery.MAX_NEAREST + ", got " + nearest);
        }
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

    /** What an enrolled key is: an edge platform (its id is the node id) or an operator. */
    enum KeyRole {
        PLATFORM, OPERATOR;

        /** "platform" or "operator" (as the wire and the CLI spell it). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static KeyRole fromLabel(String label) {
            for (KeyRole r : values()) {
                if (r.label().equals(label)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("key role must be platform or operator, got '" + label + "'");
        }
    }

    /** Where does the asked root stand in its replicated group? Answered by any root from its own view. Reply: {@link RootsStatus}. */
    record RootsQuery() implements RootMessage {
        public MessageType type() { return MessageType.ROOTS_QUERY; }
    }

    /**
     * One root of a replicated group, as the answering root knows it.
     *
     * @param raft       host:port of its Raft transport
     * @param control    host:port of its control endpoint ("" when unknown)
     * @param matchIndex on the leader: the last log index the root is known to hold (-1: unknown)
     */
    record RootMember(String id, String raft, String control, long matchIndex) {
        public RootMember {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(raft, "raft");
            control = control == null ? "" : control;
        }
    }

    /**
     * Enrol a CURVE public key of a platform or an operator; only an operator may ask. A name
     * may hold several keys at once (rotation: enrol the new key, switch, revoke the old one).
     * Reply: {@link Ack} once durable, CONFLICT when the key belongs to another name.
     */
    record EnrolKey(KeyRole role, String name, String publicKey) implements RootMessage {
        public EnrolKey {
            Objects.requireNonNull(role, "role");
            Names.requireDnsLabel(role.label() + " name", name);
            requireZ85("public key", publicKey);
        }
        public MessageType type() { return MessageType.ENROL_KEY; }
    }

    /**
     * Revoke one key of a platform or an operator ({@code publicKey}), or all its keys
     * ({@code publicKey} ""); only an operator may ask. Reply: {@link Ack}, or NOT_FOUND.
     */
    record RevokeKey(KeyRole role, String name, String publicKey) implements RootMessage {
        public RevokeKey {
            Objects.requireNonNull(role, "role");
            Names.requireDnsLabel(role.label() + " name", name);
            publicKey = publicKey == null ? "" : publicKey;
            if (!publicKey.isEmpty()) {
                requireZ85("public key", publicKey);
            }
        }
        public MessageType type() { return MessageType.REVOKE_KEY; }
    }

    /**
     * List the enrolled keys (edges keep their allowlist with it). Reply: {@link KeyListing},
     * or {@link KeysUnchanged} when {@code knownDigest} is the digest of the listing the root
     * would send (the asker already holds it).
     *
     * @param knownDigest the {@link KeyListing#digest()} of the listing the asker holds; "" for
     *                    none (always answered with the whole listing; an older peer sends no field)
     * @param holdMillis  how long the root may hold the answer while the keys stay as the asker
     *                    holds them (a long poll: answered at once with the new listing when a key
     *                    is enrolled or revoked, {@link KeysUnchanged} when the time is up); 0
     *                    answers at once (an older peer sends no field)
     */
    record KeysQuery(String knownDigest, long holdMillis) implements RootMessage {
        public KeysQuery {
            knownDigest = knownDigest == null ? "" : knownDigest;
            holdMillis = Math.max(0, holdMillis);
        }

        /** Answered at once. */
        public KeysQuery(String knownDigest) {
            this(knownDigest, 0);
        }

        /** Asks for the whole listing. */
        public KeysQuery() {
            this("");
        }

        public MessageType type() { return MessageType.KEYS_QUERY; }
    }

    /** One enrolled key. */
    record EnrolledKey(KeyRole role, String name, String publicKey, long enrolledAtMillis) {
        public EnrolledKey {
            Objects.requireNonNull(role, "role");
            Names.requireDnsLabel(role.label() + " name", name);
            requireZ85("public key", publicKey);
        }
    }

    /**
     * Reply to {@link KeysQuery}: every enrolled key, and the digest of the listing
     * ({@link #digestOf}; "" from an older root, which sends no digest).
     */
    record KeyListing(List<EnrolledKey> keys, String digest) implements RootMessage {
        public KeyListing {
            keys = List.copyOf(keys);
            digest = digest == null ? "" : digest;
        }

        /** A listing without a digest (as an older root sends it). */
        public KeyListing(List<EnrolledKey> keys) {
            this(keys, "");
        }

        /** The listing of {@code keys} with its digest. */
        public static KeyListing withDigest(List<EnrolledKey> keys) {
            return new KeyListing(keys, digestOf(keys));
        }

        /**
         * SHA-256 (hex) over the keys in a canonical order, one line each ("role name key
         * enrolledAtMillis"; names are DNS labels and Z85 holds no space or newline): the same
         * keys give the same digest in any order and on every root.
         */
        public static String digestOf(List<EnrolledKey> keys) {
            List<String> lines = new java.util.ArrayList<>(keys.size());
            for (EnrolledKey k : keys) {
                lines.add(k.role().label() + ' ' + k.name() + ' ' + k.publicKey() + ' ' + k.enrolledAtMillis() + '\n');
            }
            java.util.Collections.sort(lines);
            java.security.MessageDigest sha;
            try {
                sha = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
            for (String line : lines) {
                sha.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        }

        public MessageType type() { return MessageType.KEY_LISTING; }
    }

    /**
     * Reply to {@link KeysQuery} when the asker's {@code knownDigest} is the digest of the
     * current listing: keep the listing held (a few dozen bytes instead of every key).
     */
    record KeysUnchanged(String digest) implements RootMessage {
        public KeysUnchanged {
            if (digest == null || digest.isEmpty()) {
                throw new IllegalArgumentException("digest must not be empty");
            }
        }
        public MessageType type() { return MessageType.KEYS_UNCHANGED; }
    }

    /** A CURVE public key: 40 characters of the Z85 alphabet. */
    private static void requireZ85(String what, String key) {
        if (key == null || key.length() != 40 || !key.chars().allMatch(c -> Z85_ALPHABET.indexOf(c) >= 0)) {
            throw new IllegalArgumentException(what + " must be 40 characters of Z85, got '" + key + "'");
        }
    }

    /** The characters of Z85 (ZeroMQ RFC 32). */
    String Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    /**
     * Reply to {@link RootsQuery}: the answering root's view of its group.
     *
     * @param role         LEADER, FOLLOWER, CANDIDATE, LISTENER; SINGLE for a root without a group
     * @param leaderId     the leader's id, "" when none is known
     * @param commitIndex  the last log index known committed (-1 for a single root)
     * @param appliedIndex the last log index applied to this root's store (-1 for a single root)
     * @param members      the group's current members (a single root: itself)
     */
    record RootsStatus(String rootId, String role, String leaderId, long term, long commitIndex, long appliedIndex,
                       List<RootMember> members) implements RootMessage {
        public RootsStatus {
            Objects.requireNonNull(rootId, "rootId");
            Objects.requireNonNull(role, "role");
            leaderId = leaderId == null ? "" : leaderId;
            members = List.copyOf(members);
        }
        public MessageType type() { return MessageType.ROOTS_STATUS; }
    }

    /**
     * Make {@code members} the group's members (Raft reconfiguration: add a root that is
     * already running with the new member list in its config, or remove one). Only the
     * leader carries it out; others answer NOT_LEADER. Reply: {@link Ack} once the new
     * configuration is committed.
     */
    record ChangeRoots(List<RootMember> members) implements RootMessage {
        public ChangeRoots {
            members = List.copyOf(members);
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a group needs at least one root");
            }
        }
        public MessageType type() { return MessageType.CHANGE_ROOTS; }
    }
}
