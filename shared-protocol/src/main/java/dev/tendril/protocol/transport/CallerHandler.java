package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;

/**
 * Port: as {@link RequestHandler}, and also told who sent the request ({@link Caller}, as
 * the transport authenticated it). Handlers that authorise requests implement this one.
 */
@FunctionalInterface
public interface CallerHandler {
    Message handle(Envelope request, Caller caller);
}
