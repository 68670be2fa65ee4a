package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The root control endpoint(s) over ZeroMQ. Each request is tried on the roots in order;
 * on each, the transport retries with the same message id (the root dedupes).
 */
public final class ZmqRootControl implements RootControl, AutoCloseable {
    private final String nodeId;
    private final Clock clock;
    private final RandomGenerator random;
    private final List<RequestClient> clients = new ArrayList<>();

    public ZmqRootControl(List<Endpoint> roots, String nodeId, Clock clock, RandomGenerator random,
                          Duration attemptTimeout, int attempts) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.random = random;
        for (Endpoint e : roots) {
            clients.add(new RequestClient(ClientOptions.of(e.zmq()).withRetries(attemptTimeout, attempts)));
        }
    }

    @Override
    public Optional<Message> call(String service, RootMessage request) {
        Envelope envelope = new Envelope(MessageId.random(random), service, nodeId, clock.millis(), request);
        for (RequestClient c : clients) {
            RequestResult r = c.request(envelope);
            if (r instanceof RequestResult.Reply reply) {
                return Optional.of(reply.envelope().body());
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        clients.forEach(RequestClient::close);
    }
}
