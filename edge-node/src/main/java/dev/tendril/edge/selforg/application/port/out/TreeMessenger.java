package dev.tendril.edge.selforg.application.port.out;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;

/**
 * Port: sends self-organization messages to other edge nodes' tree sockets, without
 * waiting (the adapter retries with the same message id). A reply that is itself a
 * {@link SelfOrgMessage} (e.g. a ReplicateReply) is handed back to this node's agent like
 * any received message; acks are dropped.
 */
public interface TreeMessenger {
    /** To a node of the tree (parent, child, sibling, origin of a search). */
    void send(NodeInfo to, SelfOrgMessage message);

    /** To the edge node of a platform of the infrastructure DB (a replication candidate). */
    void sendToPlatform(String platformId, SelfOrgMessage message);

    /**
     * A hint that a message to {@code to} will follow (e.g. the ReplicaReady to the origin of a
     * Replicate, after the container start): the adapter may open the connection now, so that
     * the message does not wait for the connection's handshakes. Default: nothing.
     */
    default void prepare(NodeInfo to) {
    }

    /** As {@link #prepare}, to the edge node of a platform of the infrastructure DB. Default: nothing. */
    default void prepareToPlatform(String platformId) {
    }
}
