package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;

import java.time.Duration;
import java.util.Optional;

/** Port: sends an overlay message to another node's tree socket; the reply body, or empty on timeout. */
public interface OverlayLink {
    Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts);

    /**
     * One try of {@code message} over a second path to {@code peer}, apart from {@link #send}'s:
     * a connection of its own, so a lost segment being retransmitted or a handshake being redone on
     * {@code send}'s connection does not hold it up. Used for the second try of a heartbeat and to
     * confirm a suspicion before a peer is declared dead. Never resets a connection itself (a
     * lost segment is left to the transport's own retransmission). The default shares
     * {@code send}'s path (in-memory networks have no connections).
     */
    default Optional<Message> probe(NodeInfo peer, OverlayMessage message, Duration timeout) {
        return send(peer, message, timeout, 1);
    }
}
