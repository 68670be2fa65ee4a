package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;

import java.util.Optional;

/**
 * Port: the root control endpoint. Sends one request (retried with the same id by the
 * adapter) and returns the reply body, or empty when no root answered.
 */
public interface RootControl {
    Optional<Message> call(String service, RootMessage request);
}
