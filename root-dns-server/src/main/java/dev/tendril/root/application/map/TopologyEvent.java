package dev.tendril.root.application.map;

import java.util.Objects;

/**
 * One change of the service trees as the root saw it: a control request that changed the
 * topology and was answered without error.
 *
 * @param timeMillis when the root answered it (epoch milliseconds, the root's clock)
 * @param kind       what happened
 * @param service    the service tree
 * @param nodeId     the node the change is about (the migration's target for {@link Kind#MIGRATION_RECORDED})
 * @param detail     one human line (parent assigned, dead parent, clients redirected, ...)
 */
public record TopologyEvent(long timeMillis, Kind kind, String service, String nodeId, String detail) {
    public TopologyEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(nodeId, "nodeId");
        detail = detail == null ? "" : detail;
    }

    /** What happened; {@link #label()} is the name scripts see. */
    public enum Kind {
        /** A node created a new tree (its top node). */
        TREE_CREATED("tree-created"),
        /** A node registered into a tree (a new instance, a replica, or a restarted node as a leaf). */
        JOINED("joined"),
        /** A node left its tree (its deployment was removed). */
        SIGNED_OFF("signed-off"),
        /** An idle instance terminated (a granted conditional sign-off). */
        TERMINATED("terminated"),
        /** A parent reported its child dead: DNS stops answering it. */
        NODE_DOWN("node-down"),
        /** A node reported up again. */
        NODE_UP("node-up"),
        /** A child of a dead parent got a new parent. */
        ORPHAN_REPARENTED("orphan-reparented"),
        /** Clients are answered with another instance from now on. */
        MIGRATION_RECORDED("migration-recorded");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
