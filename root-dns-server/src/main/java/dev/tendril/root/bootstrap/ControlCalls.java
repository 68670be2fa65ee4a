package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.LeaderHint;
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
 * {@link #followingLeader} makes one that follows NOT_LEADER answers of replicated roots
 * to the leader they name (and waits out an election); by default the answer is returned.
 */
public final class ControlCalls implements AutoCloseable {
    private static final int MAX_REDIRECTS = 50;

    private RequestClient client;
    private final EnvelopeFactory envelopes;
    private String endpoint;
    private final Duration attemptTimeout;
    private final int attempts;
    private boolean followLeader;
    private final java.util.Optional<ClientOptions.Curve> curve;

    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts) {
        this(endpoint, from, attemptTimeout, attempts, java.util.Optional.empty());
    }

    /** As above, with CURVE when {@code curve} is present. */
    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts,
                        java.util.Optional<ClientOptions.Curve> curve) {
        this.endpoint = endpoint;
        this.attemptTimeout = attemptTimeout;
        this.attempts = attempts;
        ClientOptions options = ClientOptions.of(endpoint).withRetries(attemptTimeout, attempts);
        this.curve = curve;
        this.client = new RequestClient(curve.map(options::withCurve).orElse(options));
        this.envelopes = new EnvelopeFactory(from, Clock.systemUTC(), new SplittableRandom());
    }

    /** A client that sends changes on to the leader a replicated root names, waiting up to ~10 s for an election. */
    public static ControlCalls followingLeader(String endpoint, String from) {
        return followingLeader(endpoint, from, java.util.Optional.empty());
    }

    /** As above, with CURVE (every root of the group has the same server key, see docs/security.md). */
    public static ControlCalls followingLeader(String endpoint, String from, java.util.Optional<ClientOptions.Curve> curve) {
        ControlCalls c = new ControlCalls(endpoint, from, Duration.ofSeconds(2), 3, curve);
        c.followLeader = true;
        return c;
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
        Envelope sent = request;
        for (int redirects = 0; ; redirects++) {
            RequestResult result = client.request(sent);
            if (!(result instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage body)) {
                throw new IllegalStateException("no reply from the root at " + endpoint + " to " + request.kind() + ": " + result);
            }
            if (!followLeader || !LeaderHint.isNotLeader(body) || redirects >= MAX_REDIRECTS) {
                return body;
            }
            java.util.Optional<String> leader = LeaderHint.leaderOf(body);
            if (leader.isPresent() && !leader.get().equals(endpoint)) {
                client.close();
                endpoint = leader.get();
                ClientOptions next = ClientOptions.of(endpoint).withRetries(attemptTimeout, attempts);
                client = new RequestClient(curve.map(next::withCurve).orElse(next)); // the roots share one server key
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // an election is under way
            }
            sent = envelopes.create(request.service(), request.body()); // the refusal is cached under the old id
        }
    }

    public Envelope envelope(RootMessage body) {
        return envelopes.create("", body);
    }

    @Override
    public void close() {
        client.close();
    }
}
