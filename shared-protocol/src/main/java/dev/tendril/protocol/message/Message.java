package dev.tendril.protocol.message;

/**
 * Body of an {@link Envelope}. Every message is an immutable record that validates itself
 * in its compact constructor, so a decoded message is always a valid one.
 * Families: {@link RootMessage} (edge/admin to root control endpoint); later families
 * (overlay, admin) are added as further sealed sub-interfaces.
 */
public sealed interface Message permits RootMessage {
    MessageType type();
}
