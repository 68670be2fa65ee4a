package dev.tendril.root.adapter.in.control;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.LaterHandler;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.application.security.ControlPolicy;
import dev.tendril.root.application.security.KeyEnrolment;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.Optional;

/**
 * The root control endpoint: a ZeroMQ {@link RequestServer} (MessagePack frames, replies
 * with the request's id, retries answered from the dedupe cache) whose handler passes root
 * control requests to the {@link RootControl} port. Frames that do not decode are dropped
 * and counted by the server ({@link #stats()}); a message of another family (overlay,
 * admin) is answered UNSUPPORTED.
 *
 * <p>Security (see docs/security.md): with a server key pair the endpoint speaks CURVE and
 * admits only the keys {@link KeyEnrolment} knows (platforms, operators), looked up at each
 * connection and request; each request is then checked by the {@link ControlPolicy} (a
 * node speaks only for itself) and refused with {@code FORBIDDEN} otherwise. Key enrolment
 * requests go to {@link KeyEnrolment}, never to the topology writer.
 *
 * <p>Each request is checked and handed to the {@link RootControl} port's
 * {@link RootControl#handleLater} without waiting, by the socket's own thread when the check
 * reads nothing but the request ({@link #checkedInMemory}) and the port only queues, else by a
 * handler thread: the reply is finished on the thread that
 * commits it (the writer, or the replicated log), so requests that arrive together are
 * committed together (group commit, see {@code GroupCommitter}) and no thread wakes up only to
 * pass a committed reply on.
 */
public final class RootControlEndpoint implements AutoCloseable {
    static final int DEDUPE_REPLIES = 100_000;
    static final java.time.Duration DEDUPE_TTL = java.time.Duration.ofMinutes(5);
    /** Requests in flight besides the held key queries. */
    static final int IN_FLIGHT = 1_024;

    private static final Supplier<RootMessage> NO_STATS =
            () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root keeps no counters");
    private static final Supplier<RootMessage> NO_RELOAD =
            () -> new ErrorReply(ControlErrors.UNSUPPORTED, "this root does not reload");

    private final RequestServer server;

    private RootControlEndpoint(RequestServer server) {
        this.server = server;
    }

    /**
     * Binds {@code tcp://<bindAddress>:<port>} (port 0: a free one).
     *
     * @param handlerThreads threads that check requests and hand them on (none waits for a commit)
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Clock clock) {
        return start(rootId, bindAddress, port, handlerThreads, control, NO_STATS, clock);
    }

    /**
     * As above; {@code stats} answers {@link RootMessage.RootStatsQuery} here, without the writer
     * (the counters live in the adapters: DNS, this endpoint, the writer).
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats, Clock clock) {
        return start(rootId, bindAddress, port, handlerThreads, control, stats, clock, defaultRefusals(clock));
    }

    /**
     * As above without counters; refused requests (LIMIT, INVALID) are logged to {@code refusals}
     * at most once per interval per sender (the use cases count them per reason).
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Clock clock, RefusalLog refusals) {
        return start(rootId, bindAddress, port, handlerThreads, control, NO_STATS, clock, refusals);
    }

    /** With counters ({@code stats}) and the refusal log, in clear. */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats, Clock clock,
                                            RefusalLog refusals) {
        return start(rootId, bindAddress, port, handlerThreads, control, stats, Optional.empty(), null,
                ControlPolicy.NO_NODES, clock, refusals);
    }

    /** In clear, with security's policy. */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Optional<CurveKeyPair> serverKeys, KeyEnrolment keys,
                                            ControlPolicy policy, Clock clock) {
        return start(rootId, bindAddress, port, handlerThreads, control, NO_STATS, serverKeys, keys, policy, clock,
                defaultRefusals(clock));
    }

    /** In clear, with counters ({@code stats}) and GeoIP reload ({@code reload}, {@code tendrilctl root reload}). */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload,
                                            Clock clock) {
        return start(rootId, bindAddress, port, handlerThreads, control, stats, reload, Optional.empty(), null,
                ControlPolicy.NO_NODES, clock, defaultRefusals(clock));
    }

    /** Counters, security and the refusal log, without reload. */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats,
                                            Optional<CurveKeyPair> serverKeys, KeyEnrolment keys,
                                            ControlPolicy policy, Clock clock, RefusalLog refusals) {
        return start(rootId, bindAddress, port, handlerThreads, control, stats, NO_RELOAD, serverKeys, keys, policy,
                clock, refusals);
    }

    /**
     * Everything: counters, reload, security and the refusal log.
     *
     * @param serverKeys this root's CURVE key pair, or empty to run in clear (local preset only)
     * @param keys       the enrolled keys, or null when this root does not enrol keys
     * @param policy     what each caller may ask
     */
    public static RootControlEndpoint start(String rootId, String bindAddress, int port, int handlerThreads,
                                            RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload,
                                            Optional<CurveKeyPair> serverKeys, KeyEnrolment keys,
                                            ControlPolicy policy, Clock clock, RefusalLog refusals) {
        String host = bindAddress.indexOf(':') >= 0 ? "[" + bindAddress + "]" : bindAddress;
        // replies kept for retries: at 2,000 requests/s the transport's default 10,000 would last 5 s
        // requests in flight: the transport's 1,024, plus room for the key queries and registration watches held as long polls
        ServerOptions options = ServerOptions.of("tcp://" + host + ":" + port, rootId).withHandlerThreads(handlerThreads)
                .withDedupe(DEDUPE_REPLIES, DEDUPE_TTL).withMaxInFlight(IN_FLIGHT + KeyEnrolment.MAX_HELD_QUERIES
                        + dev.tendril.root.application.RegistrationWatches.CAPACITY)
                .withInline(control.handsOnWithoutWaiting() ? RootControlEndpoint::checkedInMemory : request -> false);
        if (serverKeys.isPresent()) {
            if (keys == null) {
                throw new IllegalArgumentException("a CURVE root needs the enrolled keys");
            }
            options = options.withCurve(new ServerOptions.Curve(serverKeys.get(), keys));
        }
        LaterHandler handler = (request, caller) -> handleLater(control, stats, reload, keys, policy, request, caller,
                refusals);
        return new RootControlEndpoint(RequestServer.start(options, handler, clock));
    }

    /**
     * Requests handled on the socket's thread, without a handler thread in between: the
     * topology requests, which the {@link RootControl} port only queues (the writer, or the
     * replicated log, completes them; a port that may block keeps every request on handler
     * threads, see {@link RootControl#handsOnWithoutWaiting}), less those whose check may read the
     * store ({@link ControlPolicy#readsStore}). A registration then wakes two threads at the root
     * instead of three (docs/evaluation.md, section 1c). Key enrolment (which writes the store),
     * the counters, reload and the group's membership are not the port's queue's and stay on
     * handler threads too: nothing that waits may hold the socket.
     */
    static boolean checkedInMemory(Envelope request) {
        return request.body() instanceof RootMessage body && TOPOLOGY_REQUESTS.contains(body.type())
                && !ControlPolicy.readsStore(body);
    }

    private static final Set<MessageType> TOPOLOGY_REQUESTS = EnumSet.of(
            MessageType.REGISTER_NODE, MessageType.CREATE_TREE,
            MessageType.SIGN_OFF, MessageType.CONDITIONAL_SIGN_OFF,
            MessageType.ORPHAN_REPORT, MessageType.NODE_STATE,
            MessageType.RECORD_MIGRATION, MessageType.HOSTED_SET_QUERY,
            MessageType.MEMBERSHIP_QUERY, MessageType.REGISTRATION_WATCH, MessageType.TREE_QUERY,
            MessageType.MIGRATIONS_QUERY, MessageType.RESOLVE_QUERY);

    private static RefusalLog defaultRefusals(Clock clock) {
        return RefusalLog.perMinute(org.slf4j.LoggerFactory.getLogger("tendril.refusals"), clock);
    }

    static Message handle(RootControl control, Envelope request) {
        return handle(control, NO_STATS, null, ControlPolicy.NO_NODES, request,
                Caller.clear(), defaultRefusals(Clock.systemUTC()));
    }

    static Message handle(RootControl control, Envelope request, RefusalLog refusals) {
        return handle(control, NO_STATS, null, ControlPolicy.NO_NODES, request,
                Caller.clear(), refusals);
    }

    static Message handle(RootControl control, KeyEnrolment keys, ControlPolicy policy, Envelope request, Caller caller) {
        return handle(control, NO_STATS, keys, policy, request, caller, defaultRefusals(Clock.systemUTC()));
    }

    static Message handle(RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload, Envelope request) {
        return handle(control, stats, reload, null, ControlPolicy.NO_NODES, request,
                Caller.clear(), defaultRefusals(Clock.systemUTC()));
    }

    static Message handle(RootControl control, Supplier<RootMessage> stats, KeyEnrolment keys, ControlPolicy policy,
                          Envelope request, Caller caller, RefusalLog refusals) {
        return handle(control, stats, NO_RELOAD, keys, policy, request, caller, refusals);
    }

    static Message handle(RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload,
                          KeyEnrolment keys, ControlPolicy policy, Envelope request, Caller caller, RefusalLog refusals) {
        return handleLater(control, stats, reload, keys, policy, request, caller, refusals).toCompletableFuture().join();
    }

    /**
     * On a handler thread: key enrolment, the policy's checks, counters and reload are answered
     * here; a topology request completes when the {@link RootControl} port's stage does.
     */
    static CompletionStage<Message> handleLater(RootControl control, Supplier<RootMessage> stats, Supplier<RootMessage> reload,
                                                KeyEnrolment keys, ControlPolicy policy, Envelope request, Caller caller,
                                                RefusalLog refusals) {
        if (!(request.body() instanceof RootMessage body)) {
            return now(new ErrorReply(ControlErrors.UNSUPPORTED, request.kind() + " is not a root control request"));
        }
        if (keys != null) {
            Optional<CompletionStage<RootMessage>> held = keys.holdIfUnchanged(body, caller);
            if (held.isPresent()) { // a key query's long poll: answered when the keys change or its hold ends
                return held.get().thenApply(Message.class::cast);
            }
            Optional<RootMessage> answered = keys.handle(body, caller);
            if (answered.isPresent()) {
                return now(answered.get());
            }
        }
        Optional<String> refusal = policy.refusal(caller, body);
        if (refusal.isPresent()) {
            return now(new ErrorReply(RequestServer.FORBIDDEN, refusal.get()));
        }
        if (body instanceof RootMessage.RootStatsQuery) {
            return now(stats.get());
        }
        if (body instanceof RootMessage.RootReload) {
            return now(reload.get());
        }
        if (body instanceof RootMessage.RegistrationWatch w) {
            // held per identity the transport authenticated (in clear: the claimed sender, local preset only)
            String who = caller.isClear() ? "clear " + request.from() : caller.publicKey();
            return control.watch(who, w).thenApply(reply -> {
                if (reply instanceof RootMessage.RegistrationSeen seen && seen.isNotHeld()) {
                    refusals.refused(caller.isClear() ? request.from() : caller.describe(), "registration-watch-not-held",
                            w.service() + "/" + w.nodeId() + ": " + seen.detail());
                }
                return reply;
            });
        }
        return control.handleLater(body).thenApply(reply -> {
            if (reply instanceof ErrorReply e && (e.code().equals(ControlErrors.LIMIT) || e.code().equals(ControlErrors.INVALID))) {
                // once an interval per CURVE identity: a caller varying the claimed sender must not get a line per request
                refusals.log(caller.isClear() ? request.from() : caller.describe(), body.type() + " " + e.code(), e.message());
            }
            return reply;
        });
    }

    private static CompletionStage<Message> now(Message reply) {
        return CompletableFuture.completedFuture(reply);
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
