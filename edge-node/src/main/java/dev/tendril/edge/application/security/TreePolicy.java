package dev.tendril.edge.application.security;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.transport.Caller;

import java.util.Optional;

/**
 * What a peer may send to this node's tree socket: only enrolled platforms, and a node speaks
 * only for itself (the envelope's sender and the node the body names are the caller's own
 * platform). Without CURVE (local preset on loopback) nothing is refused.
 */
public final class TreePolicy {
    private TreePolicy() {
    }

    /** Empty when allowed; otherwise why it is refused. */
    public static Optional<String> refusal(Caller caller, Envelope request) {
        if (caller.isClear()) {
            return Optional.empty();
        }
        if (caller.role() != Caller.Role.PLATFORM) {
            return Optional.of("only enrolled platforms may use the tree socket");
        }
        if (!caller.name().equals(request.from())) {
            return Optional.of("platform " + caller.name() + " may not send as '" + request.from() + "'");
        }
        return named(request.body()).filter(id -> !id.equals(caller.name()))
                .map(id -> "platform " + caller.name() + " may not speak for node " + id + " in " + request.kind());
    }

    /** The node a message speaks for, when it names one. */
    static Optional<String> named(Message body) {
        if (body instanceof OverlayMessage.Attach m) {
            return Optional.of(m.child().nodeId());
        } else if (body instanceof OverlayMessage.Heartbeat m) {
            return Optional.of(m.nodeId());
        } else if (body instanceof OverlayMessage.Detach m) {
            return Optional.of(m.nodeId());
        } else if (body instanceof SelfOrgMessage.SubtreeGrid m) {
            return Optional.of(m.nodeId());
        } else if (body instanceof SelfOrgMessage.NeighbourGrids m) {
            return Optional.of(m.parentId());
        } else if (body instanceof SelfOrgMessage.Replicate m) {
            return Optional.of(m.requester().nodeId());
        } else if (body instanceof SelfOrgMessage.ReplicateSoon m) {
            return Optional.of(m.requesterId());
        } else if (body instanceof SelfOrgMessage.ReplicaReady m) {
            return Optional.of(m.instance().nodeId());
        }
        return Optional.empty();
    }
}
