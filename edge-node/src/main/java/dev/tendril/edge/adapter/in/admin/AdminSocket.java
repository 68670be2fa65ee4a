package dev.tendril.edge.adapter.in.admin;

import dev.tendril.edge.application.DescribeNode;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.codec.AdminCodecs;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.codec.MessageCodec;
import dev.tendril.protocol.codec.RootCodecs;
import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's local admin socket: authenticated admin requests from {@code tendrilctl}.
 * Every request must carry a valid HMAC of the configured key ({@link AdminAuth}); others
 * are answered UNAUTHORIZED and counted. Its codec knows admin messages and the replies
 * it sends only; overlay messages sent here are dropped as unknown types.
 */
public final class AdminSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminSocket.class);
    private final RequestServer server;
    private final LongAdder refused;

    private AdminSocket(RequestServer server, LongAdder refused) {
        this.server = server;
        this.refused = refused;
    }

    public static FrameCodec codec() {
        List<MessageCodec<?>> codecs = new ArrayList<>(AdminCodecs.all());
        codecs.addAll(dev.tendril.protocol.codec.EventCodecs.all());
        EnumSet<MessageType> replies = EnumSet.of(MessageType.ACK, MessageType.ERROR, MessageType.TREE_LISTING);
        RootCodecs.all().stream().filter(c -> replies.contains(c.type())).forEach(codecs::add);
        return new FrameCodec(codecs);
    }

    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, Clock clock) {
        return start(bind, nodeId, key, hosted, describe, root,
                q -> new RootMessage.ErrorReply("UNSUPPORTED", "self-organization is not running on this node"), clock);
    }

    /** As above; {@code events} answers {@code tendrilctl events}. */
    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    Clock clock) {
        return start(bind, nodeId, key, hosted, describe, root, events, java.util.Optional.empty(), clock);
    }

    /** As above; with {@code curve} the socket speaks CURVE and admits only the operators' keys. */
    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    java.util.Optional<ServerOptions.Curve> curve, Clock clock) {
        LongAdder refused = new LongAdder();
        ServerOptions options = ServerOptions.of(bind.zmq(), nodeId).withHandlerThreads(1);
        if (curve.isPresent()) {
            options = options.withCurve(curve.get());
        }
        RequestServer server = RequestServer.start(options,
                request -> request.body() instanceof AdminMessage.EventsQuery q && AdminAuth.verify(key, request, clock.millis())
                        ? events.apply(q) : handle(request, nodeId, key, hosted, describe, root, clock, refused), clock, codec());
        return new AdminSocket(server, refused);
    }

    static Message handle(Envelope request, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                          RootControl root, Clock clock, LongAdder refused) {
        if (!AdminAuth.verify(key, request, clock.millis())) {
            refused.increment();
            log.warn("{}: refused an admin {} from '{}': bad key or stale request", nodeId, request.kind(), request.from());
            return new RootMessage.ErrorReply("UNAUTHORIZED",
                    "admin key does not match (or the request is more than 5 minutes old)");
        }
        Message body = request.body();
        if (body instanceof AdminMessage.Deploy d) {
            return hosted.deploy(d.specYaml());
        }
        if (body instanceof AdminMessage.Remove r) {
            return hosted.remove(r.service());
        }
        if (body instanceof AdminMessage.StatsQuery) {
            return describe.stats();
        }
        if (body instanceof AdminMessage.NodesQuery) {
            return describe.nodes();
        }
        if (body instanceof AdminMessage.TreeRequest t) {
            return root.call(t.service(), new RootMessage.TreeQuery(t.service()))
                    .orElse(new RootMessage.ErrorReply("UNAVAILABLE", "no root control endpoint answered"));
        }
        return new RootMessage.ErrorReply("UNSUPPORTED", body.type() + " is not an admin request");
    }

    public int port() {
        return server.port();
    }

    public ServerStats stats() {
        return server.stats();
    }

    public long refused() {
        return refused.sum();
    }

    @Override
    public void close() {
        server.close();
    }
}
