package dev.tendril.edge.selforg.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * Sends self-organization messages to other nodes' tree sockets over ZeroMQ, without
 * blocking the caller: each goes out at once through the node's {@link PipelinedClient}
 * (one connection per peer, shared with the overlay's messages; any number of messages in
 * flight on it, so a search never waits for a grid's acknowledgement). The client retries
 * with the same message id, so receivers dedupe. A reply that is a self-organization
 * message is handed to {@code replies} with the replier's node id (on the client's thread:
 * {@code replies} must only hand it on).
 *
 * <p>A platform of the infrastructure DB is reached at {@link Platform#treeEndpoint}: its
 * address and its configured tree port, else this node's own tree port (the default 7400 on
 * every node).
 */
public final class ZmqTreeMessenger implements TreeMessenger {
    private static final Logger log = LoggerFactory.getLogger(ZmqTreeMessenger.class);

    private final String nodeId;
    private final EnvelopeFactory envelopes;
    private final InfrastructureDb infra;
    private final int defaultTreePort;
    private final Duration attemptTimeout;
    private final int attempts;
    private final BiConsumer<String, SelfOrgMessage> replies;
    private final PipelinedClient requests;
    private final LongAdder unanswered = new LongAdder();
    private final dev.tendril.edge.adapter.out.zmq.CurveClients curve;

    /**
     * @param ids      a thread-safe generator for message ids (e.g. SecureRandom)
     * @param requests the node's client (shared; closed by its owner)
     */
    public ZmqTreeMessenger(String nodeId, Clock clock, RandomGenerator ids, InfrastructureDb infra, int defaultTreePort,
                            Duration attemptTimeout, int attempts, BiConsumer<String, SelfOrgMessage> replies,
                            PipelinedClient requests) {
        this(nodeId, clock, ids, infra, defaultTreePort, attemptTimeout, attempts, replies, requests,
                dev.tendril.edge.adapter.out.zmq.CurveClients.clear());
    }

    /** As above, with CURVE to peers when {@code curve} has keys. */
    public ZmqTreeMessenger(String nodeId, Clock clock, RandomGenerator ids, InfrastructureDb infra, int defaultTreePort,
                            Duration attemptTimeout, int attempts, BiConsumer<String, SelfOrgMessage> replies,
                            PipelinedClient requests, dev.tendril.edge.adapter.out.zmq.CurveClients curve) {
        this.curve = curve;
        this.nodeId = nodeId;
        this.envelopes = new EnvelopeFactory(nodeId, clock, ids);
        this.infra = infra;
        this.defaultTreePort = defaultTreePort;
        this.attemptTimeout = attemptTimeout;
        this.attempts = attempts;
        this.replies = replies;
        this.requests = requests;
    }

    @Override
    public void send(NodeInfo to, SelfOrgMessage message) {
        submit(endpoint(to), to.nodeId(), message);
    }

    @Override
    public void sendToPlatform(String platformId, SelfOrgMessage message) {
        Optional<Endpoint> e = platformEndpoint(platformId);
        if (e.isEmpty()) {
            log.warn("{}: no platform '{}' in the infrastructure DB; {} not sent", nodeId, platformId, message.type());
            return;
        }
        submit(e.get(), platformId, message);
    }

    @Override
    public void prepare(NodeInfo to) {
        requests.connect(options(endpoint(to), to.nodeId()));
    }

    @Override
    public void prepareToPlatform(String platformId) {
        platformEndpoint(platformId).ifPresent(e -> requests.connect(options(e, platformId)));
    }

    private static Endpoint endpoint(NodeInfo node) {
        return new Endpoint(node.address(), node.overlayPort());
    }

    private Optional<Endpoint> platformEndpoint(String platformId) {
        return infra.byId(platformId).map(p -> p.treeEndpoint(defaultTreePort));
    }

    /** Messages that got no reply after every retry. */
    public long unanswered() {
        return unanswered.sum();
    }

    private ClientOptions options(Endpoint endpoint, String platformId) {
        return curve.toPlatform(ClientOptions.of(endpoint.zmq()).withRetries(attemptTimeout, attempts), platformId);
    }

    private void submit(Endpoint endpoint, String platformId, SelfOrgMessage message) {
        Envelope envelope = envelopes.create(message.service(), message);
        requests.submit(options(endpoint, platformId), envelope).whenComplete((r, failure) -> {
            if (r instanceof RequestResult.Reply reply) {
                if (reply.envelope().body() instanceof SelfOrgMessage m) {
                    replies.accept(reply.envelope().from(), m);
                }
            } else if (failure != null) {
                log.debug("{}: closing, {} to {} not sent", nodeId, message.type(), endpoint);
            } else {
                unanswered.increment();
                log.debug("{}: {} to {} got no answer", nodeId, message.type(), endpoint);
            }
        });
    }
}
