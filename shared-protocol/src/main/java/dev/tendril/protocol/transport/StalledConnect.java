package dev.tendril.protocol.transport;

import org.zeromq.ZMQ;

import java.time.Duration;

/**
 * Work-around for JeroMQ 0.6.0, which sometimes never starts the ZMTP handshake of a fresh
 * outgoing connection (a selector-key race on the connecting side, zeromq/jeromq PR #1022:
 * about 1-6 % of connects, more under load). The stalled connection then waits for the
 * handshake timer (30 s by default) while sends queue up to the high-water mark.
 * EVERY socket that connects must go through {@link #guard}: a short handshake timer makes
 * ZeroMQ drop the stalled connection and reconnect at once; queued messages stay queued.
 */
public final class StalledConnect {
    private StalledConnect() {
    }

    /**
     * The handshake timer of a client socket whose stalls a {@link HandshakeWatch} catches (within
     * a fraction of a second), so the timer is only the backstop: it must never be shorter than a
     * real handshake. A CURVE handshake takes about three and a half round trips after the TCP
     * connect (greeting, HELLO/WELCOME, INITIATE/READY), 0.35 s on a 100 ms path before any
     * load. At half a heartbeat attempt (166 ms) JeroMQ dropped every handshake to a peer 50 ms
     * away and reconnected three times a second, for ever, without one message getting through
     * (topology D, docs/evaluation.md). A connection that never answered is also kept this long
     * for a retry ({@link PipelinedClient}).
     */
    static final Duration WATCHED_HANDSHAKE_ALLOWANCE = Duration.ofSeconds(3);

    /**
     * Guards a client socket that a {@link HandshakeWatch} watches: the handshake timer is half an
     * attempt or {@link #WATCHED_HANDSHAKE_ALLOWANCE}, whichever is longer.
     */
    static ZMQ.Socket guardWatched(ZMQ.Socket socket, Duration attemptTimeout) {
        return guard(socket, (int) Math.min(Integer.MAX_VALUE,
                Math.max(attemptTimeout.toMillis() / 2, WATCHED_HANDSHAKE_ALLOWANCE.toMillis())));
    }

    /**
     * Sets the handshake timer and a quick reconnect on a socket before it connects. Without a
     * {@link HandshakeWatch} the timer is what ends a stall: keep it short, but longer than a
     * handshake on the path (a raw socket to loopback: 500 ms).
     */
    public static ZMQ.Socket guard(ZMQ.Socket socket, int handshakeMillis) {
        if (handshakeMillis < 1) {
            throw new IllegalArgumentException("handshakeMillis must be >= 1, got " + handshakeMillis);
        }
        socket.setHandshakeIvl(handshakeMillis);
        socket.setReconnectIVL(50);
        return socket;
    }
}
