package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import java.util.function.Consumer;
import java.util.function.Predicate;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of a {@link RequestServer}.
 *
 * @param endpoint       where to bind, {@code tcp://host:port}; port 0 picks a free port
 *                       (read it back from {@link RequestServer#endpoint()})
 * @param nodeId         written as {@code from} into replies
 * @param curve          CURVE encryption and authentication, or empty for plain TCP
 * @param handlerThreads threads that run the handler (1: requests handled one at a time, in arrival order)
 * @param maxInFlight    requests being handled or queued at most; more are dropped and counted
 * @param dedupeCapacity replies remembered for retries (least recently used go first); 0 turns
 *                       dedupe off: nothing is remembered, no request joins another in flight
 *                       with the same id, and every request reaches the handler (which must then
 *                       refuse replays itself, as the admin socket does)
 * @param dedupeTtl      how long a reply is remembered for retries
 * @param dedupeMaxBytes bytes of replies remembered at most (oldest go first; a single larger
 *                       reply is not remembered, so a retry of it runs the handler again)
 * @param maxFrameBytes  larger frames are refused by ZeroMQ (the peer is disconnected)
 * @param inline         requests handled on the socket's own thread instead of a handler thread (one
 *                       thread hand-off less each way): only for handlers that never block on them,
 *                       for while one runs, the socket reads and answers nothing else
 */
public record ServerOptions(String endpoint, String nodeId, Optional<Curve> curve, int handlerThreads,
                            int maxInFlight, int dedupeCapacity, Duration dedupeTtl, long dedupeMaxBytes,
                            int maxFrameBytes, Predicate<Envelope> inline) {

    /**
     * CURVE on the server side.
     *
     * @param serverKeys the server's key pair (clients configure its public key)
     * @param clients    who may connect and send requests, asked at every connection and
     *                   request (so a revoked key's open connections are refused too)
     * @param admitted   told who each connection the allowlist admits comes from, when its CURVE
     *                   handshake reaches the server's ZAP check (before its first request); runs on
     *                   the server's socket thread, so it must only hand on (e.g. an edge node opens
     *                   its own connection back to a peer platform that connected, see
     *                   docs/self-organization.md)
     */
    public record Curve(CurveKeyPair serverKeys, PeerKeys clients, Consumer<Caller> admitted) {
        private static final Consumer<Caller> NOBODY_TOLD = caller -> {
        };

        public Curve {
            Objects.requireNonNull(serverKeys, "serverKeys");
            Objects.requireNonNull(clients, "clients");
            Objects.requireNonNull(admitted, "admitted");
        }

        /** Admitted connections are not reported. */
        public Curve(CurveKeyPair serverKeys, PeerKeys clients) {
            this(serverKeys, clients, NOBODY_TOLD);
        }

        /** As this, telling {@code listener} of every admitted connection (see {@link #admitted()}). */
        public Curve onAdmitted(Consumer<Caller> listener) {
            return new Curve(serverKeys, clients, listener);
        }

        /**
         * A fixed allowlist: Z85 public keys of clients that may connect; empty admits every
         * client that knows the server's public key.
         */
        public Curve(CurveKeyPair serverKeys, Set<String> allowedClientKeys) {
            this(serverKeys, allowedClientKeys.isEmpty() ? PeerKeys.anyKey() : PeerKeys.fixed(allowedClientKeys));
        }
    }

    public ServerOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!endpoint.startsWith("tcp://") && !endpoint.startsWith("inproc://") && !endpoint.startsWith("ipc://")) {
            throw new IllegalArgumentException("server endpoint must look like tcp://host:port, got '" + endpoint + "'");
        }
        nodeId = nodeId == null ? "" : nodeId;
        Objects.requireNonNull(curve, "curve");
        requirePositive("handlerThreads", handlerThreads);
        requirePositive("maxInFlight", maxInFlight);
        if (dedupeCapacity < 0) {
            throw new IllegalArgumentException("dedupeCapacity must be >= 0, got " + dedupeCapacity);
        }
        Objects.requireNonNull(dedupeTtl, "dedupeTtl");
        if (dedupeTtl.isNegative() || dedupeTtl.isZero()) {
            throw new IllegalArgumentException("dedupeTtl must be > 0, got " + dedupeTtl);
        }
        requirePositive("dedupeMaxBytes", dedupeMaxBytes);
        requirePositive("maxFrameBytes", maxFrameBytes);
        Objects.requireNonNull(inline, "inline");
    }

    /**
     * Defaults: plain TCP, 1 handler thread, 1024 in flight, up to 10,000 replies and 64 MiB
     * of them kept for 5 minutes, 16 MiB frames.
     */
    public static ServerOptions of(String endpoint, String nodeId) {
        return new ServerOptions(endpoint, nodeId, Optional.empty(), 1, 1024, 10_000, Duration.ofMinutes(5), 64L << 20, 16 << 20, NONE_INLINE);
    }

    public ServerOptions withCurve(Curve curve) {
        return new ServerOptions(endpoint, nodeId, Optional.of(curve), handlerThreads, maxInFlight, dedupeCapacity, dedupeTtl, dedupeMaxBytes, maxFrameBytes, inline);
    }

    public ServerOptions withHandlerThreads(int threads) {
        return new ServerOptions(endpoint, nodeId, curve, threads, maxInFlight, dedupeCapacity, dedupeTtl, dedupeMaxBytes, maxFrameBytes, inline);
    }

    public ServerOptions withDedupe(int capacity, Duration ttl) {
        return new ServerOptions(endpoint, nodeId, curve, handlerThreads, maxInFlight, capacity, ttl, dedupeMaxBytes, maxFrameBytes, inline);
    }

    /** No reply cache and no joining of requests in flight: every request reaches the handler. */
    public ServerOptions withoutDedupe() {
        return withDedupe(0, dedupeTtl);
    }

    /** Whether a retried id gets the remembered reply (see {@link #withoutDedupe()}). */
    public boolean dedupe() {
        return dedupeCapacity > 0;
    }

    public ServerOptions withDedupeMaxBytes(long maxBytes) {
        return new ServerOptions(endpoint, nodeId, curve, handlerThreads, maxInFlight, dedupeCapacity, dedupeTtl, maxBytes, maxFrameBytes, inline);
    }

    public ServerOptions withMaxInFlight(int max) {
        return new ServerOptions(endpoint, nodeId, curve, handlerThreads, max, dedupeCapacity, dedupeTtl, dedupeMaxBytes, maxFrameBytes, inline);
    }

    public ServerOptions withMaxFrameBytes(int max) {
        return new ServerOptions(endpoint, nodeId, curve, handlerThreads, maxInFlight, dedupeCapacity, dedupeTtl, dedupeMaxBytes, max, inline);
    }

    /** Requests that {@code inline} accepts are handled on the socket's thread (see the record's javadoc). */
    public ServerOptions withInline(Predicate<Envelope> inline) {
        return new ServerOptions(endpoint, nodeId, curve, handlerThreads, maxInFlight, dedupeCapacity, dedupeTtl, dedupeMaxBytes,
                maxFrameBytes, inline);
    }

    private static final Predicate<Envelope> NONE_INLINE = request -> false;

    static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
    }
}
