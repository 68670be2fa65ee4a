package dev.tendril.edge.overlay;

import java.util.Collection;

/**
 * Port: opens connections to other edge nodes ahead of need, so the first message to them
 * (a replica's Attach to the parent the root assigns it, a migration target's offer to a
 * search's origin) does not wait for the TCP, ZeroMQ and CURVE handshakes (about four round
 * trips of the path). Opening is idempotent and never blocks; a connection stays open.
 */
public interface PeerConnections {
    /** Opens nothing. */
    PeerConnections NONE = (nodeIds, limit) -> {
    };

    /**
     * Opens connections to at most {@code limit} of {@code nodeIds} (node ids = platform ids),
     * the nearest to this node first; never to this node, and not to ids it cannot place.
     */
    void openNearest(Collection<String> nodeIds, int limit);

    /**
     * Opens a connection to {@code nodeId} (a platform id), e.g. back to a peer platform that
     * just connected to this node's tree socket: a node that opens a connection here is about
     * to ask something (a Replicate, a search) whose answer this node sends as a request of
     * its own (the replica's Attach to it as parent and its ReplicaReady, a target's offer).
     * Nothing for this node itself or an id it cannot place. Default: nothing.
     */
    default void openTo(String nodeId) {
    }
}
