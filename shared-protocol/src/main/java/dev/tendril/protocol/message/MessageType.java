package dev.tendril.protocol.message;

/**
 * Wire ids of message types. APPEND-ONLY: never renumber or reuse an id, old peers and
 * golden files depend on them. Ids 1-63: root control; 64-127: overlay (edge to edge);
 * 128-191: admin (tendrilctl to a node).
 */
public enum MessageType {
    ACK(1),
    ERROR(2),
    CREATE_TREE(3),
    REGISTER_NODE(4),
    REGISTERED(5),
    SIGN_OFF(6),
    ORPHAN_REPORT(7),
    NODE_STATE(8),
    RECORD_MIGRATION(9),
    HOSTED_SET_QUERY(10),
    HOSTED_SET(11),
    TREE_QUERY(12),
    TREE_LISTING(13),
    MIGRATIONS_QUERY(14),
    MIGRATION_LISTING(15),
    RESOLVE_QUERY(16),
    RESOLVE_ANSWER(17),
    CONDITIONAL_SIGN_OFF(18),
    SIGN_OFF_DECISION(19),
    MEMBERSHIP_QUERY(20),
    MEMBERSHIP(21),
    REGISTRATION_WATCH(22),
    REGISTRATION_SEEN(23),
    // key enrolment (operator to root): ids 40-47
    ENROL_KEY(40),
    REVOKE_KEY(41),
    KEYS_QUERY(42),
    KEY_LISTING(43),
    KEYS_UNCHANGED(44),
    // root operations (tendrilctl root ...): ids 48-55
    ROOT_STATS_QUERY(48),
    ROOT_STATS(49),
    ROOT_RELOAD(50),
    // the roots' own Raft group: ids 56-63
    ROOTS_QUERY(56),
    ROOTS_STATUS(57),
    CHANGE_ROOTS(58),

    // overlay (edge to edge, tree socket)
    ATTACH(64),
    ATTACH_ACK(65),
    HEARTBEAT(66),
    HEARTBEAT_ACK(67),
    DETACH(68),

    // self-organization (edge to edge, tree socket): ids 80-95
    SUBTREE_GRID(80),
    NEIGHBOUR_GRIDS(81),
    MIGRATION_SEARCH(82),
    MIGRATION_OFFER(83),
    MIGRATION_NOT_FOUND(84),
    REPLICATE(85),
    REPLICATE_REPLY(86),
    REPLICA_READY(87),
    REPLICATE_SOON(88),

    // admin (tendrilctl to a node, admin socket)
    ADMIN_DEPLOY(128),
    ADMIN_DEPLOY_REPLY(129),
    ADMIN_REMOVE(130),
    ADMIN_REMOVE_REPLY(131),
    ADMIN_STATS_QUERY(132),
    ADMIN_STATS_REPLY(133),
    ADMIN_NODES_QUERY(134),
    ADMIN_NODES_REPLY(135),
    ADMIN_TREE_REQUEST(136),

    // admin of self-organization: ids 160-167
    ADMIN_EVENTS_QUERY(160),
    ADMIN_EVENTS_REPLY(161);

    private static final MessageType[] BY_ID = new MessageType[256];

    static {
        for (MessageType t : values()) {
            if (BY_ID[t.id] != null) {
                throw new ExceptionInInitializerError("duplicate wire id " + t.id);
            }
            BY_ID[t.id] = t;
        }
    }

    private final int id;

    MessageType(int id) {
        this.id = id;
    }

    /** The one-byte wire id. */
    public int id() {
        return id;
    }

    /** The type for a wire id, or null when this build does not know it (a newer peer). */
    public static MessageType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
