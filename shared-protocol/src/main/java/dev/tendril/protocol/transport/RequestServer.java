package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ZeroMQ ROUTER that answers requests: decodes each frame, runs the {@link RequestHandler}
 * on a handler thread and sends the reply (same message id) back to the requester.
 *
 * <p>Dedupe: a request whose id was already answered gets the remembered reply again; one
 * whose id is still being handled is joined to it (it gets the same reply when ready). The
 * handler runs at most once per id while the id is remembered. {@link #UNAUTHORIZED} replies
 * are not remembered. With dedupe off ({@link ServerOptions#withoutDedupe()}) every request,
 * a repeated id too, reaches the handler and gets its own reply: the handler refuses replays.
 *
 * <p>Robustness: malformed frames, unknown versions and types are dropped, counted in
 * {@link #stats()} and logged at debug; nothing a peer sends stops the server.
 *
 * <p>Authentication: with CURVE, a ZAP handler admits only the keys {@link ServerOptions.Curve#clients()}
 * knows, and each request's key (read from the message's ZAP user id) is looked up again,
 * so a key revoked while connected is refused from its next request on
 * ({@code UNAUTHENTICATED}). A connection that closes before its CURVE handshake (a client in
 * clear) is counted as a failed handshake (see {@link FailedHandshakes}). The handler is told
 * the {@link Caller}; without CURVE every
 * caller is {@link Caller#clear()}. Refusals are counted in {@link #stats()} and logged at
 * most once a minute per peer and reason (see {@link RefusalLog}); so are the handler's own
 * {@code FORBIDDEN}/{@code UNAUTHENTICATED} replies, and a handler's failures (counted, logged
 * at most once a minute per caller and message kind, the first line with its stack trace).
 *
 * <p>Threads: one thread owns the ROUTER socket (and the ZAP socket when CURVE is
 * configured); handlers run on {@link ServerOptions#handlerThreads()} other threads and
 * hand their replies back through a queue, except requests {@link ServerOptions#inline()}
 * accepts, which run on the socket's thread (for handlers that only hand a message on). The public methods are thread-safe.
 */
public final class RequestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestServer.class);
    private static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
    private static final int MAX_PARTS = 4;
    private static final int MAX_READS_PER_WAKE = 256;

    private record Peer(byte[] routingId, boolean delimited) {
    }

    /**
     * The error code of a refused authentication ({@code ErrorReply("UNAUTHORIZED", ...)}): such
     * replies are sent but never remembered, so unauthenticated requests cannot fill the reply
     * cache and push out the replies of real ones.
     */
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    /** Reply codes that refuse a caller (counted and logged as refusals; never remembered either). */
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";

    /** A finished request; {@code direct}: the one peer to answer (dedupe off), else those waiting in flight. */
    private record Done(MessageId id, byte[] frame, boolean remember, Peer direct) {
    }

    private final ServerOptions options;
    private final CallerHandler handler;
    private final RefusalLog refusals;
    private final Clock clock;
    private final FrameCodec codec;
    private final ZContext context = new ZContext(1);
    private final ExecutorService workers;
    private final WakeUpPipe wakePipe;
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    private final ServerCounters counters = new ServerCounters();
    private final CompletableFuture<String> bound = new CompletableFuture<>();
    private final Thread socketThread;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closing;

    // confined to the socket thread
    private final ReplyCache replies;
    private final Map<MessageId, List<Peer>> inFlight = new HashMap<>();
    /** Requests handed to the handler with dedupe off (each answered on its own). */
    private int directInFlight;
    private ZMQ.Socket router;

    private RequestServer(ServerOptions options, CallerHandler handler, Clock clock, FrameCodec codec) {
        this.options = options;
        this.handler = handler;
        this.refusals = RefusalLog.of(log, clock);
        this.clock = clock;
        this.codec = codec;
        this.replies = new ReplyCache(options.dedupeCapacity(), options.dedupeMaxBytes(), options.dedupeTtl().toMillis(), clock);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(options.handlerThreads(), r -> {
            Thread t = new Thread(r, "request-handler-" + options.nodeId() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.wakePipe = new WakeUpPipe("server " + options.nodeId());
        this.socketThread = new Thread(this::run, "request-server-" + options.nodeId());
        this.socketThread.setDaemon(true);
    }

    /** Binds and starts serving; throws IllegalStateException when the endpoint cannot be bound. */
    public static RequestServer start(ServerOptions options, RequestHandler handler, Clock clock) {
        return start(options, handler, clock, FrameCodec.standard());
    }

    public static RequestServer start(ServerOptions options, RequestHandler handler, Clock clock, FrameCodec codec) {
        return start(options, (CallerHandler) (request, caller) -> handler.handle(request), clock, codec);
    }

    /** As above; the handler is told who sent each request. */
    public static RequestServer start(ServerOptions options, CallerHandler handler, Clock clock) {
        return start(options, handler, clock, FrameCodec.standard());
    }

    public static RequestServer start(ServerOptions options, CallerHandler handler, Clock clock, FrameCodec codec) {
        RequestServer server = new RequestServer(options, handler, clock, codec);
        server.socketThread.start();
        try {
            server.bound.get(10, TimeUnit.SECONDS);
            return server;
        } catch (ExecutionException | TimeoutException e) {
            server.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot bind request server to " + options.endpoint() + ": " + cause, cause);
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + options.endpoint(), e);
        }
    }

    /** The endpoint actually bound, e.g. {@code tcp://127.0.0.1:40123} when port 0 was asked for. */
    public String endpoint() {
        return bound.join();
    }

    /** The TCP port actually bound. */
    public int port() {
        String ep = endpoint();
        return Integer.parseInt(ep.substring(ep.lastIndexOf(':') + 1));
    }

    public ServerStats stats() {
        return counters.snapshot();
    }

    /** Stops serving: the socket thread exits, running handlers get a short grace period. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        wake();
        try {
            socketThread.join(5_000);
            workers.shutdown();
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            context.close();
            wakePipe.close();
        }
    }

    private void run() {
        ZMQ.Socket zap = null;
        try {
            if (options.curve().isPresent()) {
                zap = context.createSocket(SocketType.REP);
                zap.setLinger(0);
                zap.bind(ZAP_ENDPOINT);
            }
            router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setMaxMsgSize(options.maxFrameBytes());
            if (options.curve().isPresent()) {
                ServerOptions.Curve curve = options.curve().get();
                router.setCurveServer(true);
                router.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.serverKeys().secretKey()));
                router.setZapDomain("tendril");
            }
            router.bind(options.endpoint());
            bound.complete(router.getLastEndpoint());
        } catch (RuntimeException e) {
            bound.completeExceptionally(e);
            return;
        }
        ZapAllowlist allowlist = zap == null ? null : new ZapAllowlist(zap, options.curve().get().clients(), options.nodeId(),
                (address, detail) -> {
                    counters.refusedConnections.increment();
                    refusals.refused(options.nodeId(), address, "connection", detail);
                }, options.curve().get().admitted());
        FailedHandshakes handshakes = zap == null ? null : FailedHandshakes.attach(context, router, address -> {
            counters.failedHandshakes.increment();
            refusals.refused(options.nodeId(), address, "handshake",
                    "the connection closed before its CURVE handshake (a client without keys, or not ZeroMQ)");
        });
        ZMQ.Poller poller = context.createPoller(4);
        try {
            poller.register(router, ZMQ.Poller.POLLIN);
            int wakeIndex = poller.register(wakePipe.source(), ZMQ.Poller.POLLIN);
            int zapIndex = zap == null ? -1 : poller.register(zap, ZMQ.Poller.POLLIN);
            int handshakeIndex = handshakes == null ? -1 : poller.register(handshakes.events(), ZMQ.Poller.POLLIN);
            PollGuard guard = new PollGuard("request server " + options.nodeId(), log);
            while (!closing) {
                guard.clearInterrupt();
                if (poller.poll(1_000) < 0) {
                    if (closing) {
                        break;
                    }
                    guard.failed();
                    continue;
                }
                if (poller.pollin(wakeIndex)) {
                    wakePipe.drain();
                }
                if (zapIndex >= 0 && poller.pollin(zapIndex)) {
                    allowlist.answerPending();
                }
                if (handshakeIndex >= 0 && poller.pollin(handshakeIndex)) {
                    handshakes.drain();
                }
                // read even without a POLLIN report (DONTWAIT, cheap): a missed edge must not strand a request
                readRequests();
                sendFinished();
            }
        } catch (RuntimeException e) {
            if (!closing) {
                log.error("{}: request server stopped by an unexpected error", options.nodeId(), e);
            }
        } finally {
            // the sockets are closed by close() through the context, after this thread is gone
            poller.close();
            if (handshakes != null) {
                handshakes.close(); // the monitor first: see FailedHandshakes
            }
        }
    }

    private void readRequests() {
        for (int i = 0; i < MAX_READS_PER_WAKE; i++) {
            zmq.Msg first = router.recvMsg(ZMQ.DONTWAIT);
            if (first == null) {
                return;
            }
            List<byte[]> parts = new ArrayList<>(3);
            parts.add(first.data());
            zmq.Msg last = first;
            while (router.hasReceiveMore()) {
                zmq.Msg part = router.recvMsg(0);
                if (part == null) {
                    break;
                }
                last = part;
                if (parts.size() < MAX_PARTS) {
                    parts.add(part.data());
                }
            }
            counters.received.increment();
            onRequest(parts, peerKey(last));
        }
    }

    /** The CURVE key ZAP admitted for the connection this message came on ("" without CURVE). */
    private static String peerKey(zmq.Msg msg) {
        zmq.io.Metadata metadata = msg.getMetadata();
        String key = metadata == null ? null : metadata.get(zmq.io.Metadata.USER_ID);
        return key == null ? "" : key;
    }

    /** Who sent a request: looked up afresh each time, so a revoked key is refused at once. Empty: refused. */
    private java.util.Optional<Caller> caller(String key) {
        if (options.curve().isEmpty()) {
            return java.util.Optional.of(Caller.clear());
        }
        if (key.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return options.curve().get().clients().callerOf(key);
        } catch (RuntimeException e) {
            log.warn("{}: key lookup failed, request refused", options.nodeId(), e);
            return java.util.Optional.empty();
        }
    }

    private void onRequest(List<byte[]> parts, String key) {
        // DEALER peers send [payload], REQ peers [empty, payload]; ROUTER prepends the routing id
        Peer peer;
        byte[] payload;
        if (parts.size() == 2) {
            peer = new Peer(parts.get(0), false);
            payload = parts.get(1);
        } else if (parts.size() == 3 && parts.get(1).length == 0) {
            peer = new Peer(parts.get(0), true);
            payload = parts.get(2);
        } else {
            counters.malformed.increment();
            log.debug("{}: dropped a message of {} frames", options.nodeId(), parts.size());
            return;
        }
        DecodeResult result = codec.decode(payload);
        if (result instanceof DecodeResult.Failure failure) {
            counters.dropped(failure.reason());
            log.debug("{}: dropped a frame of {} bytes: {} {}", options.nodeId(), payload.length,
                    failure.reason(), failure.detail());
            return;
        }
        Envelope request = ((DecodeResult.Decoded) result).envelope();
        MessageId id = request.id();
        HopTrace.mark("srv.recv", id, request.kind(), options.nodeId());
        java.util.Optional<Caller> caller = caller(key);
        if (caller.isEmpty()) {
            // never cached nor handed to the handler: the key was revoked while connected
            counters.refusedKeys.increment();
            refusals.refused(options.nodeId(), "key " + key, UNAUTHENTICATED, request.kind() + ": the key is not enrolled");
            send(peer, codec.encode(request.reply(options.nodeId(), clock.millis(),
                    new RootMessage.ErrorReply(UNAUTHENTICATED, "this key is not enrolled"))));
            return;
        }
        if (!options.dedupe()) {
            handOver(request, caller.get(), peer);
            return;
        }
        byte[] cached = replies.get(id);
        if (cached != null) {
            counters.duplicates.increment();
            send(peer, cached);
            return;
        }
        List<Peer> waiting = inFlight.get(id);
        if (waiting != null) {
            counters.duplicates.increment();
            waiting.add(peer);
            return;
        }
        if (inFlight.size() >= options.maxInFlight()) {
            counters.overloaded.increment();
            log.debug("{}: dropped {} {}: {} requests in flight", options.nodeId(), request.kind(), id, inFlight.size());
            return;
        }
        List<Peer> peers = new ArrayList<>(1);
        peers.add(peer);
        inFlight.put(id, peers);
        Caller who = caller.get();
        if (options.inline().test(request)) {
            counters.inline.increment();
            handle(request, who); // answered by sendFinished() in this same turn of the loop
            return;
        }
        try {
            workers.execute(() -> handle(request, who));
        } catch (RejectedExecutionException e) {
            inFlight.remove(id); // closing
        }
    }

    /** Dedupe off: the request goes to the handler whatever its id; its reply goes to this peer only. */
    private void handOver(Envelope request, Caller caller, Peer peer) {
        if (directInFlight + inFlight.size() >= options.maxInFlight()) {
            counters.overloaded.increment();
            log.debug("{}: dropped {} {}: {} requests in flight", options.nodeId(), request.kind(), request.id(), directInFlight);
            return;
        }
        directInFlight++;
        if (options.inline().test(request)) {
            counters.inline.increment();
            handle(request, caller, peer);
            return;
        }
        try {
            workers.execute(() -> handle(request, caller, peer));
        } catch (RejectedExecutionException e) {
            directInFlight--; // closing
        }
    }

    /** On a handler thread. */
    private void handle(Envelope request, Caller caller) {
        handle(request, caller, null);
    }

    /**
     * On a handler thread (or the socket's, inline); {@code direct}: the peer to answer when dedupe
     * is off. A {@link LaterHandler}'s reply is finished when its stage completes, on the thread
     * that completes it.
     */
    private void handle(Envelope request, Caller caller, Peer direct) {
        HopTrace.mark("srv.handle", request.id(), request.kind());
        if (handler instanceof LaterHandler later) {
            java.util.concurrent.CompletionStage<Message> stage;
            try {
                stage = later.handleLater(request, caller);
            } catch (RuntimeException | Error e) {
                complete(request, caller, direct, null, e);
                return;
            }
            stage.whenComplete((body, e) -> complete(request, caller, direct, body,
                    e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e));
            return;
        }
        Message body;
        try {
            body = handler.handle(request, caller);
        } catch (RuntimeException | Error e) {
            complete(request, caller, direct, null, e);
            return;
        }
        complete(request, caller, direct, body, null);
    }

    /** Counts and answers a handled request: {@code body}, or {@code failure} as an internal error. */
    private void complete(Envelope request, Caller caller, Peer direct, Message body, Throwable failure) {
        if (failure == null && body == null) {
            failure = new NullPointerException("handler returned no reply for " + request.kind());
        }
        if (failure != null) {
            counters.handlerFailures.increment();
            // once a minute per caller and kind, the first with its stack trace: a handler that fails
            // on every message of a kind would write a line per message (keyed by the CURVE identity,
            // by the envelope's sender only in clear, where nothing better is known)
            refusals.failed(options.nodeId(), caller.isClear() ? "clear " + request.from() : caller.describe(),
                    request.kind().name(), failure);
            body = RootMessage.ErrorReply.internal(failure, request.kind() + " " + request.id(), options.nodeId());
            if (failure instanceof VirtualMachineError vmError) {
                // answer (so retries of this id do not wait forever), then let the VM error go on
                finish(request, body, direct);
                throw vmError;
            }
        }
        if (body instanceof RootMessage.ErrorReply error
                && (FORBIDDEN.equals(error.code()) || UNAUTHENTICATED.equals(error.code()))) {
            counters.forbidden.increment();
            refusals.refused(options.nodeId(), caller.describe(), error.code(), request.kind() + ": " + error.message());
        }
        finish(request, body, direct);
    }

    private void finish(Envelope request, Message body, Peer direct) {
        byte[] frame;
        try {
            frame = codec.encode(request.reply(options.nodeId(), clock.millis(), body));
        } catch (RuntimeException e) {
            counters.handlerFailures.increment();
            log.warn("{}: cannot encode the reply {} to {}", options.nodeId(), body.type(), request.id(), e);
            frame = codec.encode(request.reply(options.nodeId(), clock.millis(),
                    new RootMessage.ErrorReply("INTERNAL", "reply not encodable: " + e.getMessage())));
        }
        counters.handled.increment();
        HopTrace.mark("srv.handled", request.id(), body.type());
        boolean remember = !(body instanceof RootMessage.ErrorReply e && (UNAUTHORIZED.equals(e.code())
                || FORBIDDEN.equals(e.code()) || UNAUTHENTICATED.equals(e.code())));
        done.add(new Done(request.id(), frame, remember && direct == null, direct));
        wake();
    }

    private void sendFinished() {
        Done d;
        while ((d = done.poll()) != null) {
            if (d.direct() != null) {
                directInFlight--;
                send(d.direct(), d.frame());
                continue;
            }
            if (d.remember()) {
                replies.put(d.id(), d.frame());
            }
            List<Peer> peers = inFlight.remove(d.id());
            if (peers != null) {
                for (Peer p : peers) {
                    send(p, d.frame());
                }
                HopTrace.mark("srv.replied", d.id(), peers.size());
            }
        }
    }

    private void send(Peer peer, byte[] frame) {
        // ROUTER never blocks: it drops what it cannot route (the requester is gone)
        router.send(peer.routingId(), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        if (peer.delimited()) {
            router.send(new byte[0], ZMQ.SNDMORE | ZMQ.DONTWAIT);
        }
        router.send(frame, ZMQ.DONTWAIT);
        counters.replies.increment();
    }

    private void wake() {
        wakePipe.wake();
    }
}
