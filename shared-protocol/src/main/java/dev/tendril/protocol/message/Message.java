package dev.tendril.protocol.message;

/**
 * Body of an {@link Envelope}. Every message is an immutable record that validates itself
 * in its compact constructor, so a decoded message is always a valid one.
 * Families: {@link RootMessage} (edge/admin to root control endpoint), {@link OverlayMessage}
 * (edge to edge, tree socket), {@link AdminMessage} (tendrilctl to a node, admin socket),
 * {@link SelfOrgMessage} (edge to edge, tree socket: capacity grids, migration, replication).
 */
public sealed interface Message permits RootMessage, OverlayMessage, AdminMessage, SelfOrgMessage {
    MessageType type();
}
