package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * The root control endpoint(s) over ZeroMQ. Each request is tried on the roots in order;
 * on each, the transport retries with the same message id (the root dedupes). With
 * replicated roots, a root that is not the leader answers NOT_LEADER naming the leader and
 * the request follows it there ({@link LeaderFollower}); the leader is then asked first. Requests of
 * several threads (membership rounds, self-organization, admin) are in flight together on
 * one connection per root: none waits for another's round trip.
 */
public final class ZmqRootControl implements RootControl {
    private static final Duration LEADER_WAIT_MIN = Duration.ofSeconds(3);

    private final EnvelopeFactory envelopes;
    private final LeaderFollower roots;

    /**
     * @param requests the node's client (shared; closed by its owner)
     */
    public ZmqRootControl(List<Endpoint> roots, String nodeId, Clock clock, RandomGenerator random,
                          Duration attemptTimeout, int attempts, PipelinedClient requests) {
        this(roots, nodeId, clock, random, attemptTimeout, attempts, requests, CurveClients.clear());
    }

    /** As above, with CURVE to the roots when {@code curve} has keys. */
    public ZmqRootControl(List<Endpoint> roots, String nodeId, Clock clock, RandomGenerator random,
                          Duration attemptTimeout, int attempts, PipelinedClient requests, CurveClients curve) {
        this.envelopes = new EnvelopeFactory(nodeId, clock, random);
        List<ClientOptions> options = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            options.addAll(curve.toRootListings(ClientOptions.of(roots.get(i).zmq()).withRetries(attemptTimeout, attempts), i));
        }
        // while roots answer NOT_LEADER (an election: about a second), keep looking for a while
        Duration leaderWait = attemptTimeout.multipliedBy(2L * Math.max(1, attempts));
        this.roots = new LeaderFollower(requests, options, leaderWait.compareTo(LEADER_WAIT_MIN) < 0 ? LEADER_WAIT_MIN : leaderWait)
                .connectAll();
    }

    @Override
    public Optional<Message> call(String service, RootMessage request) {
        return body(roots.request(() -> envelopes.create(service, request)));
    }

    @Override
    public Optional<Message> callHeld(String service, RootMessage request, Duration wait) {
        return body(roots.requestOnce(envelopes.create(service, request), wait));
    }

    /** Completes on the client's thread; a closed client completes it empty (nothing else waits on it). */
    @Override
    public CompletableFuture<Optional<Message>> callHeldLater(String service, RootMessage request, Duration wait) {
        return roots.requestOnceLater(envelopes.create(service, request), wait)
                .handle((r, e) -> e != null ? Optional.<Message>empty() : body(r));
    }

    private static Optional<Message> body(RequestResult r) {
        return r instanceof RequestResult.Reply reply ? Optional.of(reply.envelope().body()) : Optional.empty();
    }
}
