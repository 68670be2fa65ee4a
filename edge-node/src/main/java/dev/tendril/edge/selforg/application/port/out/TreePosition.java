package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Port: this node's place in a service tree (kept by the overlay membership). */
public interface TreePosition {
    /** The platforms hosting a service as the root listed them to this node, and when. */
    record Members(Set<String> nodeIds, Instant listedAt) {
        public Members {
            nodeIds = Set.copyOf(nodeIds);
        }
    }

    /** This node as the tree knows it, or empty while it is not registered. */
    Optional<NodeInfo> self(String service);

    Optional<NodeInfo> parent(String service);

    List<NodeInfo> children(String service);

    /**
     * The tree's members as the root listed them lately to this node's membership (which asks
     * every few heartbeats), or empty when it holds no recent answer: then only a round trip to
     * the root ({@link RootDirectory#hostedSet}) tells.
     */
    Optional<Members> recentMembers(String service);
}
