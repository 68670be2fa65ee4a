package dev.tendril.protocol.transport;

import org.zeromq.ZMQ;

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

    /** Sets the handshake timer and a quick reconnect on a socket before it connects. */
    public static ZMQ.Socket guard(ZMQ.Socket socket, int handshakeMillis) {
        if (handshakeMillis < 1) {
            throw new IllegalArgumentException("handshakeMillis must be >= 1, got " + handshakeMillis);
        }
        socket.setHandshakeIvl(handshakeMillis);
        socket.setReconnectIVL(50);
        return socket;
    }
}
