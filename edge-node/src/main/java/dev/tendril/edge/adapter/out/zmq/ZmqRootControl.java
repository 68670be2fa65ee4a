package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The root control endpoint(s) over ZeroMQ. Each request is tried on the roots in order;
 * on each, the transport retries with the same message id (the root dedupes). Requests of
 * several threads (membership rounds, self-organization, admin) are in flight together on
 * one connection per root: none waits for another's round trip.
 */
public final class ZmqRootControl implements RootControl {
    private final EnvelopeFactory envelopes;
    private final PipelinedClient requests;
    private final List<ClientOptions> roots = new ArrayList<>();

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
        this.requests = requests;
        for (int i = 0; i < roots.size(); i++) {
            Endpoint e = roots.get(i);
            ClientOptions o = curve.toRoot(ClientOptions.of(e.zmq()).withRetries(attemptTimeout, attempts), i);
            this.roots.add(o);
            requests.connect(o);
        }
    }

    @Override
    public Optional<Message> call(String service, RootMessage request) {
        Envelope envelope = envelopes.create(service, request);
        for (ClientOptions o : roots) {
            RequestResult r = requests.request(o, envelope);
            if (r instanceof RequestResult.Reply reply) {
                return Optional.of(reply.envelope().body());
            }
        }
        return Optional.empty();
    }
}
