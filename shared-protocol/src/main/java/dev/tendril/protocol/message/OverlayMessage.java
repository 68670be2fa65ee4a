package dev.tendril.protocol.message;

import java.util.Objects;

/**
 * Messages between the edge nodes of one service tree, sent to a node's tree socket.
 * Children heartbeat their parent every interval: the ack tells the child its parent lives,
 * the heartbeat tells the parent its child lives. Replies are named in each comment;
 * refusals are {@link RootMessage.ErrorReply} (NOT_FOUND: this node does not host the service).
 */
public sealed interface OverlayMessage extends Message {
    /** The service whose tree the message concerns. */
    String service();

    /** {@code child} asks to become a child of the receiver in the tree of {@code service}. Reply: {@link AttachAck}. */
    record Attach(String service, NodeInfo child) implements OverlayMessage {
        public Attach {
            Names.requireDnsLabel("service", service);
            Objects.requireNonNull(child, "child");
        }
        public MessageType type() { return MessageType.ATTACH; }
    }

    /** Reply to {@link Attach}: the receiver ({@code parentId}) now holds the child. */
    record AttachAck(String service, String parentId) implements OverlayMessage {
        public AttachAck {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("parent id", parentId);
        }
        public MessageType type() { return MessageType.ATTACH_ACK; }
    }

    /**
     * Child {@code nodeId} is alive and still counts the receiver as its parent. Reply: {@link HeartbeatAck}.
     * Also the confirming probe a node sends to a peer it suspects dead (a parent to its silent
     * child, a child to its silent parent): any reply shows the peer alive.
     */
    record Heartbeat(String service, String nodeId) implements OverlayMessage {
        public Heartbeat {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
        }
        public MessageType type() { return MessageType.HEARTBEAT; }
    }

    /**
     * Reply to {@link Heartbeat}: {@code known} is false when the receiver does not hold the
     * sender as a child (e.g. it restarted, or dropped the child as dead): the child attaches again.
     * To a parent's probe, {@code known} is true when the sender is the receiver's parent (false:
     * the child attached elsewhere, and the parent forgets it without reporting it down).
     */
    record HeartbeatAck(String service, String nodeId, boolean known) implements OverlayMessage {
        public HeartbeatAck {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
        }
        public MessageType type() { return MessageType.HEARTBEAT_ACK; }
    }

    /**
     * {@code nodeId} leaves the tree: sent by a child to its parent (drop me), or by a parent
     * to its children (find a new parent). Reply: {@link RootMessage.Ack}.
     */
    record Detach(String service, String nodeId) implements OverlayMessage {
        public Detach {
            Names.requireDnsLabel("service", service);
            Names.requireDnsLabel("node id", nodeId);
        }
        public MessageType type() { return MessageType.DETACH; }
    }
}
