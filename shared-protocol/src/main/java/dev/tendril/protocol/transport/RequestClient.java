package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import java.util.function.UnaryOperator;

/**
 * ZeroMQ DEALER that sends requests to one server and waits for their replies.
 *
 * <p>Each attempt waits {@link ClientOptions#attemptTimeout()}; when it passes, the socket
 * is closed and a fresh one connects (so nothing stale is left queued) and the SAME frame,
 * with the same message id, is sent again, up to {@link ClientOptions#attempts()} times.
 * Then {@link RequestResult.TimedOut} is returned. Replies whose id is not the request's
 * (late answers to an earlier request) and undecodable replies are ignored.
 *
 * <p>A fresh connection whose handshake stalls (see {@link HandshakeWatch}) is replaced at
 * once, within the same attempt, and the frame sent again on the new one.
 *
 * <p>A request that a server must never see twice with one id (an admin request: the node
 * refuses a repeated id as a replay, although the first copy may have run on a handshake that
 * was only slow) is sent with {@link #request(Envelope, UnaryOperator)}: every copy after the
 * first is the envelope its function makes, e.g. one signed again with a fresh id that names
 * the first.
 *
 * <p>Threads: thread-safe; requests are serialized (one outstanding at a time, under this
 * client's lock, which also gives the memory barrier ZeroMQ needs to move the socket
 * between threads). For parallel requests use one client per thread.
 */
public final class RequestClient implements Requester, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestClient.class);
    /** How often a receive wakes to judge a handshake that is not seen yet. */
    private static final long WATCH_SLICE_MILLIS = 10;

    private final ClientOptions options;
    private final FrameCodec codec;
    private final ZContext context = new ZContext(1);
    private ZMQ.Socket socket;
    private HandshakeWatch watch;
    /** Sockets replaced for a stalled handshake within the current attempt (raises the watch's patience). */
    private int stallsThisAttempt;
    private boolean closed;
    private long ignoredReplies;
    private long stalledConnects;

    public RequestClient(ClientOptions options) {
        this(options, FrameCodec.standard());
    }

    public RequestClient(ClientOptions options, FrameCodec codec) {
        this.options = options;
        this.codec = codec;
        // as in PipelinedClient: close races reported by JeroMQ's I/O thread are harmless
        context.setNotificationExceptionHandler((t, e) -> log.debug("{}: ZeroMQ I/O thread: {}", options.endpoint(), e.toString()));
    }

    /**
     * Sends the request and waits for its reply, retrying with the same id after resetting
     * the socket. Never hangs longer than attempts x attemptTimeout (plus connect time).
     * Throws IllegalStateException when the client is closed or ZeroMQ fails (e.g. the
     * calling thread was interrupted), IllegalArgumentException when the envelope has no codec.
     */
    @Override
    public RequestResult request(Envelope request) {
        return send(request, null);
    }

    /**
     * As {@link #request(Envelope)}, but each copy sent after the first (a new attempt, or a
     * connection replaced for a stalled handshake) is {@code again} applied to the first
     * envelope; the reply must carry the id of the copy last sent.
     */
    public RequestResult request(Envelope request, UnaryOperator<Envelope> again) {
        return send(request, java.util.Objects.requireNonNull(again, "again"));
    }

    /** {@code again} null: every copy is the first frame. */
    private synchronized RequestResult send(Envelope request, UnaryOperator<Envelope> again) {
        if (closed) {
            throw new IllegalStateException("request client to " + options.endpoint() + " is closed");
        }
        HopTrace.mark("cli.send", request.id(), request.kind(), options.endpoint());
        try {
            RequestResult result = exchange(new Copies(request, again));
            HopTrace.mark("cli.done", request.id(), request.kind(), result.getClass().getSimpleName());
            return result;
        } catch (ZMQException | zmq.ZError.IOException e) {
            // interrupted, or the context is gone: start afresh next time
            reset();
            throw new IllegalStateException("request " + request.id() + " to " + options.endpoint() + " failed: " + e, e);
        }
    }

    /** The copies of one request: the first as given, every later one made by {@code again} (or the first again when null). */
    private final class Copies {
        private final Envelope first;
        private final UnaryOperator<Envelope> again;
        private Envelope current;
        private byte[] frame;

        Copies(Envelope first, UnaryOperator<Envelope> again) {
            this.first = first;
            this.again = again;
        }

        /** The frame of the next copy to send. */
        byte[] next() {
            if (current == null) {
                current = first;
                frame = codec.encode(first);
            } else if (again != null) {
                current = again.apply(first);
                frame = codec.encode(current);
            }
            return frame;
        }

        Envelope current() {
            return current;
        }
    }

    private RequestResult exchange(Copies copies) {
        long timeoutNanos = options.attemptTimeout().toNanos();
        for (int attempt = 1; attempt <= options.attempts(); attempt++) {
            stallsThisAttempt = 0;
            if (socket == null) {
                socket = connect();
            }
            long deadline = System.nanoTime() + timeoutNanos;
            if (socket.send(copies.next(), 0)) {
                Envelope reply = awaitReply(copies, deadline);
                if (reply != null) {
                    return new RequestResult.Reply(reply, attempt);
                }
            }
            log.debug("no reply from {} to {} {} (attempt {} of {})", options.endpoint(), copies.current().kind(),
                    copies.current().id(), attempt, options.attempts());
            reset();
        }
        return new RequestResult.TimedOut(options.attempts());
    }

    /** Replies dropped because they were undecodable or answered another request. */
    public synchronized long ignoredReplies() {
        return ignoredReplies;
    }

    /** Connections replaced because their handshake stalled after the TCP connect. */
    public synchronized long stalledConnects() {
        return stalledConnects;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        reset();
        context.close();
    }

    private Envelope awaitReply(Copies copies, long deadline) {
        while (true) {
            long now = System.nanoTime();
            long leftMillis = (deadline - now + 999_999) / 1_000_000;
            if (leftMillis <= 0) {
                return null;
            }
            if (watch.stalled(now)) {
                stalledConnects++;
                stallsThisAttempt++;
                log.debug("handshake with {} stalled after the TCP connect: reconnecting", options.endpoint());
                HopTrace.mark("cli.stalled", copies.current().id(), options.endpoint());
                reset();
                socket = connect();
                if (!socket.send(copies.next(), 0)) {
                    return null;
                }
                continue;
            }
            // until the handshake is seen, wake often enough to judge it (a blocked recv would not)
            long waitMillis = watch.undecided(now) ? Math.min(leftMillis, WATCH_SLICE_MILLIS) : leftMillis;
            socket.setReceiveTimeOut((int) Math.min(Integer.MAX_VALUE, waitMillis));
            byte[] bytes = socket.recv(0);
            if (bytes == null) {
                continue; // the slice or the attempt ran out: the top of the loop tells which
            }
            while (socket.hasReceiveMore()) {
                socket.recv(0); // a well-behaved server sends one frame; drop the rest
            }
            DecodeResult result = codec.decode(bytes);
            if (result instanceof DecodeResult.Decoded decoded && decoded.envelope().id().equals(copies.current().id())) {
                return decoded.envelope();
            }
            ignoredReplies++;
            log.debug("ignored a reply from {} while waiting for {}: {}", options.endpoint(), copies.current().id(), result);
        }
    }

    private ZMQ.Socket connect() {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setMaxMsgSize(options.maxFrameBytes());
        s.setSendTimeOut((int) options.attemptTimeout().toMillis());
        s.setReceiveTimeOut((int) options.attemptTimeout().toMillis());
        // the watch ends a stall; the timer must not end a slow handshake that can still make the attempt
        StalledConnect.guardWatched(s, options.attemptTimeout());
        watch = HandshakeWatch.attach(context, s, stallsThisAttempt);
        options.curve().ifPresent(curve -> {
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(curve.clientKeys().publicKey()));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(curve.clientKeys().secretKey()));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(curve.serverPublicKey()));
        });
        s.connect(options.endpoint());
        return s;
    }

    private void reset() {
        if (socket != null) {
            watch.close(); // first: see HandshakeWatch.close
            watch = null;
            context.destroySocket(socket);
            socket = null;
        }
    }
}
