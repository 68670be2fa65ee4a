package dev.tendril.edge.adapter.in.overlay;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.codec.MessageCodec;
import dev.tendril.protocol.codec.OverlayCodecs;
import dev.tendril.protocol.codec.RootCodecs;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.edge.application.security.TreePolicy;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.LaterHandler;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The node's tree socket: other edge nodes' overlay messages. Its codec knows the overlay
 * messages and the generic Ack/Error replies only, so admin (local-only) requests sent
 * here are not even decoded: they are dropped and counted as unknown types.
 */
public final class TreeSocket implements AutoCloseable {
    private final RequestServer server;

    private TreeSocket(RequestServer server) {
        this.server = server;
    }

    public static FrameCodec codec() {
        List<MessageCodec<?>> codecs = new ArrayList<>(OverlayCodecs.all());
        codecs.addAll(dev.tendril.protocol.codec.SelfOrgCodecs.all());
        EnumSet<MessageType> replies = EnumSet.of(MessageType.ACK, MessageType.ERROR);
        RootCodecs.all().stream().filter(c -> replies.contains(c.type())).forEach(codecs::add);
        return new FrameCodec(codecs);
    }

    /**
     * Binds the tree socket. Overlay messages go to {@code overlay} on a handler thread;
     * self-organization messages go to {@code selfOrg} from the socket's own thread, so it must
     * only hand them on ({@code SelfOrgLoop#receiveLater}): a Replicate's reply is sent when the
     * stage completes, with no handler thread waiting in between (two thread wake-ups less on the
     * replication's path; see docs/self-organization.md). With {@code curve} the socket speaks
     * CURVE, admits only the platforms its {@link ServerOptions.Curve#clients()} know, and refuses
     * ({@code FORBIDDEN}) a message in which a node speaks for another ({@link TreePolicy}).
     * {@code platformConnected} is told the id of every other enrolled platform whose connection
     * the socket admits (on the socket's thread: it must only hand on). The node opens its own
     * connection back to it (the origin of a coming Replicate is then reached without a first
     * contact by the replica's Attach and ReplicaReady). Nothing is told without CURVE (no
     * connection is authenticated there).
     */
    public static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay,
                                   Function<Envelope, CompletionStage<Message>> selfOrg,
                                   Optional<ServerOptions.Curve> curve, Consumer<String> platformConnected, Clock clock) {
        ServerOptions options = ServerOptions.of(bind.zmq(), nodeId).withHandlerThreads(2)
                .withInline(request -> request.body() instanceof SelfOrgMessage);
        if (curve.isPresent()) {
            options = options.withCurve(curve.get().onAdmitted(caller -> {
                if (caller.role() == Caller.Role.PLATFORM && !caller.name().equals(nodeId)) {
                    platformConnected.accept(caller.name());
                }
            }));
        }
        return new TreeSocket(RequestServer.start(options, (LaterHandler) (request, caller) -> {
            Optional<String> refusal = TreePolicy.refusal(caller, request);
            if (refusal.isPresent()) {
                return CompletableFuture.completedFuture(new RootMessage.ErrorReply(RequestServer.FORBIDDEN, refusal.get()));
            }
            return request.body() instanceof SelfOrgMessage
                    ? selfOrg.apply(request) : CompletableFuture.completedFuture(overlay.handle(request.body()));
        }, clock, codec()));
    }

    public int port() {
        return server.port();
    }

    public ServerStats stats() {
        return server.stats();
    }

    @Override
    public void close() {
        server.close();
    }
}
