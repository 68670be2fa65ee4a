package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small client of the root control endpoint for tools, the demo and tests: one request
 * at a time, retried with the same id (the root answers a retry from its dedupe cache).
 * {@link #followingLeader} makes one over a group of replicated roots: it follows NOT_LEADER
 * answers to the leader they name, waits out an election, and moves on to the next root
 * listed when one does not answer (a root killed with the leader it was): the same
 * {@link LeaderFollower} as the edge node's and tendrilctl's. By default the answer of the
 * one root is returned as it is.
 */
public final class ControlCalls implements AutoCloseable {
    /** How long a leader-following call keeps looking for a leader (an election takes well under a second). */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(10);

    private final String endpoints;
    private final EnvelopeFactory envelopes;
    private final RequestClient client;          // one root: its answer as it is
    private final PipelinedClient pipelined;     // a group of roots, with the follower below
    private final LeaderFollower follower;

    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts) {
        this(endpoint, from, attemptTimeout, attempts, java.util.Optional.empty());
    }

    /** As above, with CURVE when {@code curve} is present. */
    public ControlCalls(String endpoint, String from, Duration attemptTimeout, int attempts,
                        java.util.Optional<ClientOptions.Curve> curve) {
        ClientOptions options = ClientOptions.of(endpoint).withRetries(attemptTimeout, attempts);
        this.endpoints = endpoint;
        this.client = new RequestClient(curve.map(options::withCurve).orElse(options));
        this.pipelined = null;
        this.follower = null;
        this.envelopes = envelopes(from);
    }

    private ControlCalls(List<String> roots, String from, java.util.Optional<ClientOptions.Curve> curve) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one root control endpoint is needed");
        }
        // one root: as long as it may take (an election, a slow commit); several: a dead one is passed over sooner
        Duration attempt = roots.size() == 1 ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
        int attempts = roots.size() == 1 ? 3 : 2;
        List<ClientOptions> options = roots.stream()
                .map(e -> ClientOptions.of(e).withRetries(attempt, attempts))
                .map(o -> curve.map(o::withCurve).orElse(o)) // the roots of a group share one server key
                .toList();
        this.endpoints = String.join(",", roots);
        this.client = null;
        this.pipelined = new PipelinedClient("control-calls");
        this.follower = new LeaderFollower(pipelined, options, LEADER_WAIT);
        this.envelopes = envelopes(from);
    }

    private static EnvelopeFactory envelopes(String from) {
        return new EnvelopeFactory(from, Clock.systemUTC(), new SplittableRandom());
    }

    /** A client that sends changes on to the leader a replicated root names, waiting up to ~10 s for an election. */
    public static ControlCalls followingLeader(String endpoint, String from) {
        return followingLeader(endpoint, from, java.util.Optional.empty());
    }

    /** As above, with CURVE (every root of the group has the same server key, see docs/security.md). */
    public static ControlCalls followingLeader(String endpoint, String from, java.util.Optional<ClientOptions.Curve> curve) {
        return followingLeader(List.of(endpoint), from, curve);
    }

    /**
     * As above over several roots of one group, asked in this order: a root that does not answer
     * (two attempts of 1 s; a single root gets three of 2 s) is passed over for the next, so a
     * call still reaches the group when the first root listed is down.
     */
    public static ControlCalls followingLeader(List<String> endpoints, String from, java.util.Optional<ClientOptions.Curve> curve) {
        return new ControlCalls(endpoints, from, curve);
    }

    public ControlCalls(String endpoint, String from) {
        this(endpoint, from, Duration.ofSeconds(2), 3);
    }

    /** The reply body; throws IllegalStateException when every attempt timed out. */
    public RootMessage call(RootMessage request) {
        return call(envelopes.create("", request));
    }

    /** Sends a prepared envelope (a test may send the same id twice); a root asked again gets a fresh id. */
    public RootMessage call(Envelope request) {
        boolean[] first = {true};
        RequestResult result = follower == null ? client.request(request) : follower.request(() -> {
            if (first[0]) {
                first[0] = false;
                return request;
            }
            return envelopes.create(request.service(), request.body()); // a root caches its refusal under the old id
        });
        if (!(result instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage body)) {
            throw new IllegalStateException("no reply from the root" + (follower == null ? " at " : "s at ") + endpoints
                    + " to " + request.kind() + ": " + result);
        }
        return body;
    }

    public Envelope envelope(RootMessage body) {
        return envelopes.create("", body);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        } else {
            pipelined.close();
        }
    }
}
