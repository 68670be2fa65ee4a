package dev.tendril.edge.adapter.in.overlay;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.codec.MessageCodec;
import dev.tendril.protocol.codec.OverlayCodecs;
import dev.tendril.protocol.codec.RootCodecs;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.edge.application.security.TreePolicy;
import dev.tendril.protocol.transport.CallerHandler;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

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

    public static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay, Clock clock) {
        return start(bind, nodeId, overlay, request -> new dev.tendril.protocol.message.RootMessage.ErrorReply("UNSUPPORTED",
                "self-organization is not running on this node"), clock);
    }

    /** As above; self-organization messages go to {@code selfOrg} (see docs/self-organization.md). */
    public static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay,
                                   java.util.function.Function<dev.tendril.protocol.message.Envelope,
                                           dev.tendril.protocol.message.Message> selfOrg, Clock clock) {
        return start(bind, nodeId, overlay, selfOrg, java.util.Optional.empty(), clock);
    }

    /**
     * As above; with {@code curve} the socket speaks CURVE, admits only the platforms its
     * {@link ServerOptions.Curve#clients()} know, and refuses ({@code FORBIDDEN}) a message
     * in which a node speaks for another ({@link TreePolicy}).
     */
    public static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay,
                                   java.util.function.Function<dev.tendril.protocol.message.Envelope,
                                           dev.tendril.protocol.message.Message> selfOrg,
                                   java.util.Optional<ServerOptions.Curve> curve, Clock clock) {
        return start(bind, nodeId, overlay, selfOrg, curve, platform -> {
        }, clock);
    }

    /**
     * As above; {@code platformConnected} is told the id of every other enrolled platform whose
     * connection the socket admits (on the socket's thread: it must only hand on). The node opens
     * its own connection back to it (the origin of a coming Replicate is then reached without a
     * first contact by the replica's Attach and ReplicaReady; see docs/self-organization.md).
     * Nothing is told without CURVE (no connection is authenticated there).
     */
    public static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay,
                                   java.util.function.Function<dev.tendril.protocol.message.Envelope,
                                           dev.tendril.protocol.message.Message> selfOrg,
                                   java.util.Optional<ServerOptions.Curve> curve,
                                   java.util.function.Consumer<String> platformConnected, Clock clock) {
        // selfOrg may wait for a Replicate's reply: that one takes a handler thread
        return start(bind, nodeId, overlay, request -> java.util.concurrent.CompletableFuture.completedFuture(selfOrg.apply(request)),
                false, curve, platformConnected, clock);
    }

    /**
     * As above, with {@code selfOrg} answering without waiting ({@code SelfOrgLoop#receiveLater}):
     * every self-organization message, a Replicate too, is handed on from the socket's thread, and
     * a Replicate's reply is sent when the self-organization thread completes it. A handler thread
     * that waited in between cost two thread wake-ups on the replication's path.
     */
    public static TreeSocket startLater(Endpoint bind, String nodeId, Overlay overlay,
                                        java.util.function.Function<dev.tendril.protocol.message.Envelope,
                                                java.util.concurrent.CompletionStage<dev.tendril.protocol.message.Message>> selfOrg,
                                        java.util.Optional<ServerOptions.Curve> curve,
                                        java.util.function.Consumer<String> platformConnected, Clock clock) {
        return start(bind, nodeId, overlay, selfOrg, true, curve, platformConnected, clock);
    }

    private static TreeSocket start(Endpoint bind, String nodeId, Overlay overlay,
                                    java.util.function.Function<dev.tendril.protocol.message.Envelope,
                                            java.util.concurrent.CompletionStage<dev.tendril.protocol.message.Message>> selfOrg,
                                    boolean replicateInline, java.util.Optional<ServerOptions.Curve> curve,
                                    java.util.function.Consumer<String> platformConnected, Clock clock) {
        // a self-organization message is only queued for its thread (SelfOrgInbox): handled on the
        // socket's thread, one hand-off less; a Replicate too when its reply comes later, else it
        // waits for its reply on a handler thread
        ServerOptions options = ServerOptions.of(bind.zmq(), nodeId).withHandlerThreads(2)
                .withInline(request -> request.body() instanceof dev.tendril.protocol.message.SelfOrgMessage
                        && (replicateInline || !(request.body() instanceof dev.tendril.protocol.message.SelfOrgMessage.Replicate)));
        if (curve.isPresent()) {
            options = options.withCurve(curve.get().onAdmitted(caller -> {
                if (caller.role() == dev.tendril.protocol.transport.Caller.Role.PLATFORM && !caller.name().equals(nodeId)) {
                    platformConnected.accept(caller.name());
                }
            }));
        }
        return new TreeSocket(RequestServer.start(options, (dev.tendril.protocol.transport.LaterHandler) (request, caller) -> {
            java.util.Optional<String> refusal = TreePolicy.refusal(caller, request);
            if (refusal.isPresent()) {
                return java.util.concurrent.CompletableFuture.completedFuture(
                        new dev.tendril.protocol.message.RootMessage.ErrorReply(RequestServer.FORBIDDEN, refusal.get()));
            }
            return request.body() instanceof dev.tendril.protocol.message.SelfOrgMessage
                    ? selfOrg.apply(request) : java.util.concurrent.CompletableFuture.completedFuture(overlay.handle(request.body()));
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
