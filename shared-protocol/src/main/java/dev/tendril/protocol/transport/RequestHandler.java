package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;

/**
 * Port: answers one decoded request with the body of its reply. Runs on the server's
 * handler thread(s), never twice for the same message id while that id is remembered
 * (see {@link ServerOptions#dedupeTtl()}). An exception is answered with
 * {@code ErrorReply("INTERNAL", ...)} and counted.
 */
@FunctionalInterface
public interface RequestHandler {
    Message handle(Envelope request);
}
