package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;

/**
 * Port: sends one request and waits for its reply, or gives up after the configured
 * attempts. {@link RequestClient} is the ZeroMQ adapter; {@link InMemoryRequester} calls a
 * handler in-process (through the codec) for tests.
 */
@FunctionalInterface
public interface Requester {
    RequestResult request(Envelope request);
}
