package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.OverlayLink;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Sends overlay messages to other nodes' tree sockets through the node's
 * {@link PipelinedClient}: one connection per peer, kept open and shared with the
 * self-organization messages, so a heartbeat never waits behind another message's round trip.
 */
public final class ZmqOverlayLink implements OverlayLink {
    private final EnvelopeFactory envelopes;
    private final PipelinedClient requests;
    private final CurveClients curve;
    /** The second path for {@link #probe}: a client (and so connections) of its own; or {@code requests}. */
    private final PipelinedClient probes;

    /**
     * @param requests the node's client (shared; closed by its owner)
     */
    public ZmqOverlayLink(String nodeId, Clock clock, RandomGenerator random, PipelinedClient requests) {
        this(nodeId, clock, random, requests, CurveClients.clear());
    }

    /** As above, with CURVE to peers when {@code curve} has keys. */
    public ZmqOverlayLink(String nodeId, Clock clock, RandomGenerator random, PipelinedClient requests, CurveClients curve) {
        this(nodeId, clock, random, requests, requests, curve);
    }

    /**
     * As above, with {@code probes} (a client of its own, closed by its owner) for {@link #probe}:
     * its connections to the peers are apart from those of {@code requests}.
     */
    public ZmqOverlayLink(String nodeId, Clock clock, RandomGenerator random, PipelinedClient requests,
                          PipelinedClient probes, CurveClients curve) {
        this.envelopes = new EnvelopeFactory(nodeId, clock, random);
        this.requests = requests;
        this.probes = probes;
        this.curve = curve;
    }

    @Override
    public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
        return send(requests, peer, message, timeout, attempts);
    }

    /** One attempt (so the connection is never reset for a timeout) over the probe client's connection. */
    @Override
    public Optional<Message> probe(NodeInfo peer, OverlayMessage message, Duration timeout) {
        return send(probes, peer, message, timeout, 1);
    }

    private Optional<Message> send(PipelinedClient client, NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
        String endpoint = new Endpoint(peer.address(), peer.overlayPort()).zmq();
        Envelope envelope = envelopes.create(message.service(), message);
        RequestResult r = client.request(curve.toPlatform(ClientOptions.of(endpoint).withRetries(timeout, attempts),
                peer.nodeId()), envelope);
        return r instanceof RequestResult.Reply reply ? Optional.of(reply.envelope().body()) : Optional.empty();
    }
}
