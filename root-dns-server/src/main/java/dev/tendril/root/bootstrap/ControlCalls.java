package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A small client of the root control endpoint for tools, the demo and tests: one request
 * at a time, retried with the same id (the root answers a retry from its dedupe cache).
 */
public final class ControlCalls implements AutoCloseable {
    private final RequestClient client;
    private final EnvelopeFactory envelopes;
    private final String endpoint;

    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts) {
        this(endpoint, from, attemptTimeout, attempts, java.util.Optional.empty());
    }

    /** As above, with CURVE when {@code curve} is present. */
    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts,
                        java.util.Optional<ClientOptions.Curve> curve) {
        this.endpoint = endpoint;
        ClientOptions options = ClientOptions.of(endpoint).withRetries(attemptTimeout, attempts);
        this.client = new RequestClient(curve.map(options::withCurve).orElse(options));
        this.envelopes = new EnvelopeFactory(from, Clock.systemUTC(), new SplittableRandom());
    }

    public ControlCalls(String endpoint, String from) {
        this(endpoint, from, Duration.ofSeconds(2), 3);
    }

    /** The reply body; throws IllegalStateException when every attempt timed out. */
    public RootMessage call(RootMessage request) {
        return call(envelopes.create("", request));
    }

    /** Sends a prepared envelope (a test may send the same id twice). */
    public RootMessage call(Envelope request) {
        RequestResult result = client.request(request);
        if (result instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage body) {
            return body;
        }
        throw new IllegalStateException("no reply from the root at " + endpoint + " to " + request.kind() + ": " + result);
    }

    public Envelope envelope(RootMessage body) {
        return envelopes.create("", body);
    }

    @Override
    public void close() {
        client.close();
    }
}
