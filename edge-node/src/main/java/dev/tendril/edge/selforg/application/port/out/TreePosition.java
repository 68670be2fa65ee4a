package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;

import java.util.List;
import java.util.Optional;

/** Port: this node's place in a service tree (kept by the overlay membership). */
public interface TreePosition {
    /** This node as the tree knows it, or empty while it is not registered. */
    Optional<NodeInfo> self(String service);

    Optional<NodeInfo> parent(String service);

    List<NodeInfo> children(String service);
}
