package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.port.in.RootControl;

import java.time.Clock;
import java.util.function.Supplier;

/**
 * The root control endpoint: a ZeroMQ {@link RequestServer} (MessagePack frames, replies
 * with the request's id, retries answered from the dedupe cache) whose handler passes root
 * control requests to the {@link RootControl} port. Frames that do not decode are dropped
 * and counted by the server ({@link #stats()}); a message of another family (overlay,
 * admin) is answered UNSUPPORTED.
 *
 * <p>Several handler threads wait on the writer at once, so requests that arrive together
 * are committed together (group commit, see {@code GroupCommitter}).
 */
public final class RootControlEndpoint implements AutoCloseable {
    static final int DEDUPE_REPLIES = 100_000;
    static final java.time.Duration DEDUPE_TTL = java.time.Duration.ofMinutes(5);

    private final RequestServer server;

    private RootControlEndpoint(RequestServer server) {
        this.server = server;
    }

    /**
     * Binds {@code tcp://<bindAddress>:<port>} (port 0: a free one).
     *
     * @param handlerThreads requests handled (waiting for their commit) at once
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Clock clock) {
        return start(rootId, bindAddress, port, handlerThreads, control,
                () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root keeps no counters"),
                () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root does not reload"), clock);
    }

    /**
     * As above; {@code stats} answers {@link RootMessage.RootStatsQuery} and {@code reload}
     * {@link RootMessage.RootReload} here, without the writer: the counters live in the adapters
     * (DNS, this endpoint, the writer) and a reload touches no topology.
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload,
                                            Clock clock) {
        String host = bindAddress.indexOf(':') >= 0 ? "[" + bindAddress + "]" : bindAddress;
        // replies kept for retries: at 2,000 requests/s the transport's default 10,000 would last 5 s
        ServerOptions options = ServerOptions.of("tcp://" + host + ":" + port, rootId).withHandlerThreads(handlerThreads)
                .withDedupe(DEDUPE_REPLIES, DEDUPE_TTL);
        return new RootControlEndpoint(RequestServer.start(options, request -> handle(control, stats, reload, request), clock));
    }

    static Message handle(RootControl control, Envelope request) {
        return handle(control, () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root keeps no counters"),
                () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root does not reload"), request);
    }

    static Message handle(RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload, Envelope request) {
        if (request.body() instanceof RootMessage.RootStatsQuery) {
            return stats.get();
        }
        if (request.body() instanceof RootMessage.RootReload) {
            return reload.get();
        }
        if (request.body() instanceof RootMessage body) {
            return control.handle(body);
        }
        return new ErrorReply(ControlErrors.UNSUPPORTED, request.kind() + " is not a root control request");
    }

    /** The endpoint bound, e.g. {@code tcp://127.0.0.1:40123}. */
    public String endpoint() {
        return server.endpoint();
    }

    public int port() {
        return server.port();
    }

    /** Frames received, handled, dropped (by reason), duplicates. */
    public ServerStats stats() {
        return server.stats();
    }

    @Override
    public void close() {
        server.close();
    }
}
