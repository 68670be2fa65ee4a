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
    RESOLVE_ANSWER(17);

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
