package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;

import java.time.Duration;
import java.util.Optional;

/** Port: sends an overlay message to another node's tree socket; the reply body, or empty on timeout. */
public interface OverlayLink {
    Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts);
}
