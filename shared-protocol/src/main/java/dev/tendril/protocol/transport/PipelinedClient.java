package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ZeroMQ DEALERs to any number of servers, all owned by one thread, with any number of
 * requests in flight on each: a request goes out at once, whatever else is still waiting for
 * its reply on the same connection, and replies are matched to requests by message id.
 * ({@link RequestClient} holds one request at a time, so a request queued behind another one
 * to the same server waited for that one's whole round trip.) One connection per server
 * endpoint, kept open.
 *
 * <p>Retries as in {@link RequestClient}: each attempt waits {@link ClientOptions#attemptTimeout()};
 * then the SAME frame (same message id, so the server dedupes) is sent again, on a fresh
 * connection when nothing at all came back on the old one since the request was sent (except a
 * young CURVE connection that never answered: it may still be in its handshake, and a fresh one
 * would start that over; see {@link #curveHandshakeUnderWay}); after
 * {@link ClientOptions#attempts()} attempts the result is {@link RequestResult.TimedOut}.
 * A connection whose handshake stalls (see {@link HandshakeWatch}) is replaced at once and
 * its pending frames sent again, without waiting for the attempt to run out.
 * All requests to one endpoint share its connection and its frame limit (the first request's
 * options make the socket); a request with other CURVE settings (a rotated or newly enrolled
 * server key) replaces the connection, and requests in flight go on over the new one.
 *
 * <p>Threads: all public methods are thread-safe. Futures complete on the client's thread:
 * what is chained onto them must be short (hand work on to another thread). The sockets and the
 * client's state belong to whoever holds {@link #loop}: the client's thread, except while it
 * sleeps in {@link Selector#select}, when a caller may take it and send its request itself on a
 * connection already open (handing it to a sleeping thread cost a wake-up: 0.58 ms at the median
 * on the loaded topology D testbed, per message, docs/evaluation.md 1c). That is why the client
 * waits in its own selector rather than in JeroMQ's poll, which reads the sockets' state before
 * and after it sleeps.
 */
public final class PipelinedClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelinedClient.class);
    private static final long IDLE_POLL_MILLIS = 1_000;

    /** A request to send, or (request null) a connection to open. */
    private record Submission(ClientOptions options, Envelope request, byte[] frame, CompletableFuture<RequestResult> result) {
    }

    private static final class Pending {
        final Submission first;
        final Peer peer;
        final List<CompletableFuture<RequestResult>> waiters = new ArrayList<>(1);
        int attempt;
        long repliesAtSend;
        long deadlineNanos;

        Pending(Submission first, Peer peer) {
            this.first = first;
            this.peer = peer;
            waiters.add(first.result());
        }
    }

    private static final class Peer {
        ClientOptions options;
        ZMQ.Socket socket;
        HandshakeWatch watch;
        /** Sockets replaced for a stalled handshake since the last reply (raises the watch's patience). */
        int stalls;
        long replies;
        /** When the current socket was opened, and {@link #replies} then (so: whether it ever answered). */
        long openedNanos;
        long repliesAtOpen;

        Peer(ClientOptions options) {
            this.options = options;
        }
    }

    private final String name;
    private final FrameCodec codec;
    private final ZContext context = new ZContext(1);
    private final Queue<Submission> submissions = new ConcurrentLinkedQueue<>();
    private final WakeUpPipe wakePipe;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder ignoredReplies = new LongAdder();
    private final LongAdder stalledConnects = new LongAdder();
    private volatile boolean closing;
    private final PollGuard pollGuard;
    private final LongAdder sentByCaller = new LongAdder();

    /** Held by the client's thread except while it sleeps in {@link #selector}; guards everything below. */
    private final ReentrantLock loop = new ReentrantLock();
    /**
     * True while the client's thread sleeps in the selector (so a caller holding {@link #loop} may send);
     * cleared as soon as it wakes, before it waits for the lock, so callers stop taking the lock ahead of it.
     */
    private volatile boolean sleeping;
    /** When the sleeping client's thread wakes on its own (System.nanoTime()). */
    private long wakeAtNanos;
    private final Map<String, Peer> peers = new HashMap<>();
    private final Map<MessageId, Pending> pending = new HashMap<>();
    /**
     * What the client's thread sleeps on: the wake-up pipe, and its DEALERs' and their handshake watches'
     * mailboxes (each key's attachment is its socket, looked at before the thread sleeps).
     */
    private final Selector selector;

    public PipelinedClient(String name) {
        this(name, FrameCodec.standard());
    }

    public PipelinedClient(String name, FrameCodec codec) {
        this.name = name;
        this.codec = codec;
        // JeroMQ's I/O thread reports (and survives) close races of sockets torn down mid-connect,
        // e.g. a connection replaced for a stalled handshake: debug, not a stack trace on stderr
        context.setNotificationExceptionHandler((t, e) -> log.debug("{}: ZeroMQ I/O thread: {}", name, e.toString()));
        this.wakePipe = new WakeUpPipe("client " + name);
        this.pollGuard = new PollGuard("client " + name, log);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            wakePipe.close();
            throw new UncheckedIOException("cannot open the selector of client " + name, e);
        }
        this.thread = new Thread(this::run, "pipelined-client-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Sends the request now (from the client's thread) and completes with its reply, or with
     * {@link RequestResult.TimedOut} after every attempt; completes exceptionally with an
     * IllegalStateException when the client is closed first. Throws IllegalArgumentException
     * when the envelope has no codec.
     */
    public CompletableFuture<RequestResult> submit(ClientOptions options, Envelope request) {
        HopTrace.mark("cli.send", request.id(), request.kind(), options.endpoint());
        byte[] frame = codec.encode(request);
        CompletableFuture<RequestResult> result = new CompletableFuture<>();
        enqueue(new Submission(options, request, frame, result));
        return result;
    }

    /** As {@link #submit}, waiting for the outcome (a blocking {@link Requester} for one server). */
    public RequestResult request(ClientOptions options, Envelope request) {
        try {
            return submit(options, request).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A {@link Requester} for one server through this client. */
    public Requester to(ClientOptions options) {
        return request -> request(options, request);
    }

    /**
     * Opens the connection to {@code options.endpoint()} now (if not open), so that a later
     * request does not wait for the TCP and ZeroMQ handshakes (several round trips).
     */
    public void connect(ClientOptions options) {
        enqueue(new Submission(options, null, null, null));
    }

    /** Replies dropped because they were undecodable or answered no pending request. */
    public long ignoredReplies() {
        return ignoredReplies.sum();
    }

    /** Requests their caller sent itself on an open connection while the client's thread slept (no hand-off). */
    public long sentByCaller() {
        return sentByCaller.sum();
    }

    /**
     * Times the client's thread was found interrupted before a poll and the flag cleared (code run
     * on it, such as a caller's continuation of a request, set it; see {@link PollGuard}).
     */
    public long interruptsCleared() {
        return pollGuard.interrupts();
    }

    /** Connections replaced because their handshake stalled after the TCP connect. */
    public long stalledConnects() {
        return stalledConnects.sum();
    }

    private void enqueue(Submission s) {
        if (closing) {
            fail(s, "closed");
            return;
        }
        if (sendHere(s)) {
            return;
        }
        submissions.add(s);
        wake();
        if (closing) {
            failQueued(); // raced with close(): the thread may be gone already
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        wake();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failQueued();
            context.close();
            wakePipe.close();
        }
    }

    /**
     * Sends {@code s} on the caller's thread when the client's thread sleeps, nothing is queued
     * ahead of it (a caller's requests keep their order) and its connection is open with the same
     * settings; else false (queue it). A socket call may take the command that would have woken
     * the client's thread for a reply that just arrived (a ZeroMQ socket's descriptor signals only
     * new commands), so the caller then looks, and wakes the thread when a reply waits, or when the
     * request's first deadline comes before the thread would wake on its own.
     */
    private boolean sendHere(Submission s) {
        if (s.request() == null || Thread.currentThread().isInterrupted() || !loop.tryLock()) {
            return false; // an interrupted thread must not touch the sockets' channels
        }
        try {
            if (!sleeping || closing || !submissions.isEmpty()) {
                return false;
            }
            Peer peer = peers.get(s.options().endpoint());
            if (peer == null || peer.socket == null || !peer.options.curve().equals(s.options().curve())) {
                return false;
            }
            start(s);
            Pending p = pending.get(s.request().id());
            if (p != null && p.first == s) {
                sentByCaller.increment(); // else the same request was already in flight: s only waits for its reply
            }
            if ((peer.socket.getEvents() & ZMQ.Poller.POLLIN) != 0 || p != null && p.deadlineNanos - wakeAtNanos < 0) {
                wake();
            }
            return true;
        } finally {
            loop.unlock();
        }
    }

    /** Sleeps in the selector up to {@code millis} (0: only looks), with {@link #loop} released meanwhile. */
    private void sleep(long millis) throws IOException {
        wakeAtNanos = System.nanoTime() + millis * 1_000_000;
        loop.unlock();
        sleeping = true; // after the unlock: a caller that sees it can take the lock
        try {
            if (millis == 0) {
                selector.selectNow();
            } else {
                selector.select(millis);
            }
        } finally {
            sleeping = false;
            loop.lock();
        }
    }

    /** True when a watched socket has something to read now (its descriptor would not signal it again). */
    private boolean readable() {
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof ZMQ.Socket s && (s.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    /** For tests: whether the client's thread sleeps now (a request on an open connection then goes out on its caller's thread). */
    boolean sleeping() {
        return sleeping;
    }

    private void register(ZMQ.Socket s) {
        try {
            s.getFD().register(selector, SelectionKey.OP_READ, s);
        } catch (IOException e) {
            throw new UncheckedIOException("client " + name + " cannot watch a socket", e);
        }
    }

    private void unregister(ZMQ.Socket s) {
        SelectionKey key = s.getFD().keyFor(selector);
        if (key != null) {
            key.cancel();
        }
    }

    private void run() {
        loop.lock();
        try {
            SelectionKey wakeKey = wakePipe.source().register(selector, SelectionKey.OP_READ);
            while (!closing) {
                pollGuard.clearInterrupt();
                try {
                    sleep(readable() ? 0 : pollMillis());
                } catch (IOException e) {
                    if (closing) {
                        break;
                    }
                    pollGuard.failed();
                    continue;
                }
                boolean woken = selector.selectedKeys().contains(wakeKey);
                selector.selectedKeys().clear();
                if (woken) {
                    wakePipe.drain();
                }
                Submission s;
                while ((s = submissions.poll()) != null) {
                    start(s);
                }
                // read every peer (DONTWAIT, cheap): a missed edge must not strand a reply
                for (Peer p : peers.values()) {
                    readReplies(p);
                }
                long now = System.nanoTime();
                replaceStalled(now);
                expire(now);
            }
        } catch (RuntimeException | IOException e) {
            if (!closing && !(e instanceof ClosedSelectorException)) {
                log.error("{}: client stopped by an unexpected error", name, e);
            }
        } finally {
            for (Pending p : pending.values()) {
                p.waiters.forEach(f -> f.completeExceptionally(new IllegalStateException("client " + name + " is closed")));
            }
            pending.clear();
            for (Peer p : peers.values()) {
                if (p.watch != null) {
                    p.watch.close(); // before the context closes the sockets: see HandshakeWatch.close
                }
            }
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("{}: closing the selector failed", name, e);
            }
            loop.unlock();
        }
    }

    private long pollMillis() {
        if (!submissions.isEmpty()) {
            return 0;
        }
        long now = System.nanoTime();
        long wait = IDLE_POLL_MILLIS;
        for (Pending p : pending.values()) {
            wait = Math.min(wait, Math.max(0, (p.deadlineNanos - now + 999_999) / 1_000_000));
        }
        for (Peer p : peers.values()) {
            if (p.watch != null) {
                wait = Math.min(wait, (Math.min(p.watch.nanosUntilVerdict(now), Long.MAX_VALUE - 999_999) + 999_999) / 1_000_000);
            }
        }
        return wait;
    }

    private void start(Submission s) {
        Peer peer = peers.computeIfAbsent(s.options().endpoint(), e -> new Peer(s.options()));
        if (!peer.options.curve().equals(s.options().curve())) {
            // the server's key changed (rotation, or a peer enrolled since): a connection with the new settings
            log.debug("{}: CURVE settings for {} changed: reconnecting", name, peer.options.endpoint());
            if (peer.socket != null) {
                reset(peer);
            }
            peer.options = s.options();
            peer.stalls = 0;
        }
        if (peer.socket == null) {
            peer.socket = open(peer);
        }
        if (s.request() == null) {
            return; // connect only
        }
        MessageId id = s.request().id();
        Pending same = pending.get(id);
        if (same != null) {
            same.waiters.add(s.result()); // the same request twice: one exchange, both told
            return;
        }
        Pending p = new Pending(s, peer);
        pending.put(id, p);
        send(p, System.nanoTime());
    }

    private void send(Pending p, long now) {
        p.attempt++;
        p.repliesAtSend = p.peer.replies;
        p.deadlineNanos = now + p.first.options().attemptTimeout().toNanos();
        if (p.peer.socket == null) {
            p.peer.socket = open(p.peer);
        }
        boolean sent = p.peer.socket.send(p.first.frame(), ZMQ.DONTWAIT);
        HopTrace.mark("cli.sent", p.first.request().id(), sent ? p.attempt : p.attempt + " (queue full)");
    }

    /** Replaces each connection whose handshake stalled and sends its pending frames again (same attempt). */
    private void replaceStalled(long now) {
        for (Peer peer : peers.values()) {
            if (peer.watch == null || !peer.watch.stalled(now)) {
                continue;
            }
            stalledConnects.increment();
            peer.stalls++;
            log.debug("{}: handshake with {} stalled after the TCP connect: reconnecting", name, peer.options.endpoint());
            reset(peer);
            peer.socket = open(peer);
            for (Pending p : pending.values()) {
                if (p.peer == peer) {
                    boolean sent = peer.socket.send(p.first.frame(), ZMQ.DONTWAIT);
                    HopTrace.mark("cli.stalled", p.first.request().id(), p.attempt, sent ? "resent" : "(queue full)");
                }
            }
        }
    }

    private void readReplies(Peer peer) {
        if (peer.socket == null) {
            return;
        }
        byte[] bytes;
        while ((bytes = peer.socket.recv(ZMQ.DONTWAIT)) != null) {
            while (peer.socket.hasReceiveMore()) {
                peer.socket.recv(0); // a well-behaved server sends one frame; drop the rest
            }
            peer.replies++;
            peer.stalls = 0;
            DecodeResult result = codec.decode(bytes);
            Pending p = result instanceof DecodeResult.Decoded d ? pending.get(d.envelope().id()) : null;
            if (p == null) {
                ignoredReplies.increment();
                log.debug("{}: ignored a reply from {}: {}", name, peer.options.endpoint(), result);
                continue;
            }
            pending.remove(p.first.request().id());
            HopTrace.mark("cli.done", p.first.request().id(), p.first.request().kind(), "Reply");
            RequestResult reply = new RequestResult.Reply(((DecodeResult.Decoded) result).envelope(), p.attempt);
            tell(p, reply);
        }
    }

    /**
     * Completes the request's waiters with {@code result}: their continuations run here, on the
     * client's thread; an interrupt one of them leaves would fail the next JeroMQ call (EINTR), so it
     * is cleared at once ({@link PollGuard}).
     */
    private void tell(Pending p, RequestResult result) {
        for (CompletableFuture<RequestResult> f : p.waiters) {
            f.complete(result);
        }
        pollGuard.clearInterrupt();
    }

    private void expire(long now) {
        List<Pending> retry = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.deadlineNanos < 0) {
                continue;
            }
            ClientOptions o = p.first.options();
            log.debug("{}: no reply from {} to {} {} (attempt {} of {})", name, o.endpoint(), p.first.request().kind(),
                    p.first.request().id(), p.attempt, o.attempts());
            if (p.attempt < o.attempts()) {
                retry.add(p);
            } else {
                it.remove();
                HopTrace.mark("cli.done", p.first.request().id(), p.first.request().kind(), "TimedOut");
                RequestResult timedOut = new RequestResult.TimedOut(p.attempt);
                tell(p, timedOut);
            }
        }
        java.util.Set<Peer> reopened = new java.util.HashSet<>();
        for (Pending p : retry) {
            if (p.peer.replies == p.repliesAtSend && p.peer.socket != null && !curveHandshakeUnderWay(p.peer, now)
                    && reopened.add(p.peer)) {
                // nothing came back on this connection since the request went out: start afresh
                reset(p.peer);
            }
            send(p, now);
        }
    }

    /**
     * A CURVE connection that never answered and is younger than {@link StalledConnect#WATCHED_HANDSHAKE_ALLOWANCE}
     * may still be in its handshake (greeting, HELLO/WELCOME, INITIATE/READY: about three round trips
     * after the TCP connect, which JeroMQ 0.6.0 reports no event for). A retry then goes out on the
     * same connection: a fresh one would start the handshake over, and on a path whose handshake
     * takes longer than an attempt (a 100 ms round trip and a 500 ms attach attempt, or a loaded
     * host) no attempt ever got through (docs/evaluation.md, section 1c). A stalled connect is still
     * replaced at once ({@link HandshakeWatch}); past the allowance the usual rule applies.
     */
    private static boolean curveHandshakeUnderWay(Peer peer, long now) {
        return peer.options.curve().isPresent() && peer.replies == peer.repliesAtOpen
                && now - peer.openedNanos < StalledConnect.WATCHED_HANDSHAKE_ALLOWANCE.toNanos();
    }

    private ZMQ.Socket open(Peer peer) {
        ClientOptions options = peer.options;
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setMaxMsgSize(options.maxFrameBytes());
        // the connection outlives the attempt that opened it: its handshake may take longer than one
        StalledConnect.guardWatched(s, options.attemptTimeout());
        peer.watch = HandshakeWatch.attach(context, s, peer.stalls);
        register(peer.watch.events()); // wakes the loop to judge the handshake
        options.curve().ifPresent(curve -> {
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(curve.clientKeys().publicKey()));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.clientKeys().secretKey()));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(curve.serverPublicKey()));
        });
        s.connect(options.endpoint());
        HopTrace.mark("cli.open", options.endpoint(), peer.stalls); // how old a connection was at a request: traces tell
        register(s);
        peer.openedNanos = System.nanoTime();
        peer.repliesAtOpen = peer.replies;
        return s;
    }

    private void reset(Peer peer) {
        unregister(peer.watch.events());
        peer.watch.close(); // first: see HandshakeWatch.close
        peer.watch = null;
        unregister(peer.socket);
        context.destroySocket(peer.socket);
        peer.socket = null;
    }

    private void failQueued() {
        Submission s;
        while ((s = submissions.poll()) != null) {
            fail(s, "closed");
        }
    }

    private void fail(Submission s, String why) {
        if (s.result() != null) {
            s.result().completeExceptionally(new IllegalStateException("client " + name + " is " + why));
        }
    }

    private void wake() {
        wakePipe.wake();
    }
}
