package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.OverlayLink;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/** Sends overlay messages to other nodes' tree sockets (one client per peer and timing, kept open). */
public final class ZmqOverlayLink implements OverlayLink, AutoCloseable {
    private final String nodeId;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<String, RequestClient> clients = new ConcurrentHashMap<>();

    public ZmqOverlayLink(String nodeId, Clock clock, RandomGenerator random) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
        String endpoint = new Endpoint(peer.address(), peer.overlayPort()).zmq();
        RequestClient client = clients.computeIfAbsent(endpoint + "|" + timeout.toMillis() + "|" + attempts,
                k -> new RequestClient(ClientOptions.of(endpoint).withRetries(timeout, attempts)));
        Envelope envelope = new Envelope(MessageId.random(random), message.service(), nodeId, clock.millis(), message);
        RequestResult r = client.request(envelope);
        return r instanceof RequestResult.Reply reply ? Optional.of(reply.envelope().body()) : Optional.empty();
    }

    @Override
    public void close() {
        clients.values().forEach(RequestClient::close);
        clients.clear();
    }
}
