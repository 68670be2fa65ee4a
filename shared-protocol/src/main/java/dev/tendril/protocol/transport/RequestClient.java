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

/**
 * ZeroMQ DEALER that sends requests to one server and waits for their replies.
 *
 * <p>Each attempt waits {@link ClientOptions#attemptTimeout()}; when it passes, the socket
 * is closed and a fresh one connects (so nothing stale is left queued) and the SAME frame,
 * with the same message id, is sent again, up to {@link ClientOptions#attempts()} times.
 * Then {@link RequestResult.TimedOut} is returned. Replies whose id is not the request's
 * (late answers to an earlier request) and undecodable replies are ignored.
 *
 * <p>Threads: thread-safe; requests are serialized (one outstanding at a time, under this
 * client's lock, which also gives the memory barrier ZeroMQ needs to move the socket
 * between threads). For parallel requests use one client per thread.
 */
public final class RequestClient implements Requester, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestClient.class);

    private final ClientOptions options;
    private final FrameCodec codec;
    private final ZContext context = new ZContext(1);
    private ZMQ.Socket socket;
    private boolean closed;
    private long ignoredReplies;

    public RequestClient(ClientOptions options) {
        this(options, FrameCodec.standard());
    }

    public RequestClient(ClientOptions options, FrameCodec codec) {
        this.options = options;
        this.codec = codec;
    }

    /**
     * Sends the request and waits for its reply, retrying with the same id after resetting
     * the socket. Never hangs longer than attempts x attemptTimeout (plus connect time).
     * Throws IllegalStateException when the client is closed or ZeroMQ fails (e.g. the
     * calling thread was interrupted), IllegalArgumentException when the envelope has no codec.
     */
    @Override
    public synchronized RequestResult request(Envelope request) {
        if (closed) {
            throw new IllegalStateException("request client to " + options.endpoint() + " is closed");
        }
        HopTrace.mark("cli.send", request.id(), request.kind() + " " + options.endpoint());
        byte[] frame = codec.encode(request);
        try {
            RequestResult result = exchange(request, frame);
            HopTrace.mark("cli.done", request.id(), request.kind() + " " + result.getClass().getSimpleName());
            return result;
        } catch (ZMQException | zmq.ZError.IOException e) {
            // interrupted, or the context is gone: start afresh next time
            reset();
            throw new IllegalStateException("request " + request.id() + " to " + options.endpoint() + " failed: " + e, e);
        }
    }

    private RequestResult exchange(Envelope request, byte[] frame) {
        long timeoutNanos = options.attemptTimeout().toNanos();
        for (int attempt = 1; attempt <= options.attempts(); attempt++) {
            if (socket == null) {
                socket = connect();
            }
            long deadline = System.nanoTime() + timeoutNanos;
            if (socket.send(frame, 0)) {
                Envelope reply = awaitReply(request, deadline);
                if (reply != null) {
                    return new RequestResult.Reply(reply, attempt);
                }
            }
            log.debug("no reply from {} to {} {} (attempt {} of {})", options.endpoint(), request.kind(),
                    request.id(), attempt, options.attempts());
            reset();
        }
        return new RequestResult.TimedOut(options.attempts());
    }

    /** Replies dropped because they were undecodable or answered another request. */
    public synchronized long ignoredReplies() {
        return ignoredReplies;
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

    private Envelope awaitReply(Envelope request, long deadline) {
        while (true) {
            long leftMillis = (deadline - System.nanoTime() + 999_999) / 1_000_000;
            if (leftMillis <= 0) {
                return null;
            }
            socket.setReceiveTimeOut((int) Math.min(Integer.MAX_VALUE, leftMillis));
            byte[] bytes = socket.recv(0);
            if (bytes == null) {
                return null;
            }
            while (socket.hasReceiveMore()) {
                socket.recv(0); // a well-behaved server sends one frame; drop the rest
            }
            DecodeResult result = codec.decode(bytes);
            if (result instanceof DecodeResult.Decoded decoded && decoded.envelope().id().equals(request.id())) {
                return decoded.envelope();
            }
            ignoredReplies++;
            log.debug("ignored a reply from {} while waiting for {}: {}", options.endpoint(), request.id(), result);
        }
    }

    private ZMQ.Socket connect() {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setMaxMsgSize(options.maxFrameBytes());
        s.setSendTimeOut((int) options.attemptTimeout().toMillis());
        s.setReceiveTimeOut((int) options.attemptTimeout().toMillis());
        // half an attempt: a real handshake slower than that could not make the attempt anyway
        StalledConnect.guard(s, Math.max(1, (int) (options.attemptTimeout().toMillis() / 2)));
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
            context.destroySocket(socket);
            socket = null;
        }
    }
}
