package dev.tendril.protocol.transport;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Notices, within a fraction of a second, a connection stalled by the JeroMQ 0.6.0 race that
 * {@link StalledConnect} describes: the TCP connect completed (monitor event CONNECTED) but the
 * ZMTP handshake (HANDSHAKE_PROTOCOL) did not follow. The handshake timer alone catches that
 * only after half an attempt (1.7 s for a {@code tendrilctl} call), which the acceptance test
 * of tree healing measured as a re-attach "taking" 2.6-3.1 s. The owner of the socket asks
 * {@link #stalled} and, when true, opens a fresh socket and sends again what was pending.
 *
 * <p>The verdict is "stalled" when the handshake has not followed the TCP connect within
 * {@code (150 ms + 4 x the TCP connect time) x 2^patience}: the connect time stands in for the
 * round trip (a real handshake takes one or two), and the owner raises {@code patience} each
 * time it reopened for a stall, so a peer that is merely slow (a loaded host, a long link) is
 * given more time instead of being cut off again and again. The handshake timer stays set as
 * the backstop.
 *
 * <p>Confined to the thread that owns the watched socket, like the socket.
 */
final class HandshakeWatch implements AutoCloseable {
    static final long BASE_NANOS = 150_000_000L;
    static final int CONNECT_TIMES = 4;
    private static final int MAX_PATIENCE = 6;
    private static final AtomicLong ids = new AtomicLong();

    private final ZContext context;
    private final ZMQ.Socket watched;
    private final ZMQ.Socket events;
    private final long openedNanos;
    private final int patience;
    /** When the current connection's TCP connect was seen; -1 when none waits for its handshake. */
    private long connectedNanos = -1;
    /** TCP connect time of the first connection (the round-trip estimate); -1 until seen. */
    private long connectTimeNanos = -1;
    private boolean handshaken;

    private HandshakeWatch(ZContext context, ZMQ.Socket watched, ZMQ.Socket events, long openedNanos, int patience) {
        this.context = context;
        this.watched = watched;
        this.events = events;
        this.openedNanos = openedNanos;
        this.patience = Math.max(0, Math.min(MAX_PATIENCE, patience));
    }

    /** Starts watching {@code socket}; call before it connects. Closing the watch stops it. */
    static HandshakeWatch attach(ZContext context, ZMQ.Socket socket, int patience) {
        String address = "inproc://tendril-handshake-watch-" + ids.incrementAndGet();
        socket.monitor(address, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
        ZMQ.Socket events = context.createSocket(SocketType.PAIR);
        events.setLinger(0);
        events.connect(address);
        return new HandshakeWatch(context, socket, events, System.nanoTime(), patience);
    }

    /** For tests of the verdict: no socket, events fed by {@link #onEvent}. */
    static HandshakeWatch detached(long openedNanos, int patience) {
        return new HandshakeWatch(null, null, null, openedNanos, patience);
    }

    /** The monitor socket, to register in a poller (readable when an event arrived). */
    ZMQ.Socket events() {
        return events;
    }

    /** True when the current connection's handshake is overdue (reads pending events first). */
    boolean stalled(long nowNanos) {
        drain(nowNanos);
        return connectedNanos >= 0 && nowNanos - connectedNanos > limitNanos();
    }

    /** Nanoseconds until {@link #stalled} could turn true; Long.MAX_VALUE while no handshake is awaited. */
    long nanosUntilVerdict(long nowNanos) {
        drain(nowNanos);
        return connectedNanos < 0 ? Long.MAX_VALUE : Math.max(0, connectedNanos + limitNanos() - nowNanos);
    }

    /**
     * True until the first handshake, and while a later connect waits for its handshake: a
     * caller blocked in a receive should wake often enough to ask {@link #stalled} again.
     */
    boolean undecided(long nowNanos) {
        drain(nowNanos);
        return !handshaken || connectedNanos >= 0;
    }

    void onEvent(int event, long nowNanos) {
        if (event == ZMQ.EVENT_CONNECTED) {
            if (connectTimeNanos < 0) {
                connectTimeNanos = nowNanos - openedNanos;
            }
            connectedNanos = nowNanos;
        } else if (event == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
            handshaken = true;
            connectedNanos = -1;
        } else if (event == ZMQ.EVENT_DISCONNECTED) {
            connectedNanos = -1;
        }
    }

    long limitNanos() {
        return (BASE_NANOS + CONNECT_TIMES * Math.max(0, connectTimeNanos)) << patience;
    }

    private void drain(long nowNanos) {
        if (events == null) {
            return;
        }
        ZMQ.Event e;
        while ((e = ZMQ.Event.recv(events, ZMQ.DONTWAIT)) != null) {
            onEvent(e.getEvent(), nowNanos);
        }
    }

    /**
     * Stops the monitor, then closes its receiving end. Call BEFORE destroying the watched
     * socket: a monitor still on at the socket's close writes its last events with a blocking
     * send, and with this end gone that send never returns and wedges the context's I/O thread
     * (every later connection of the context then stalls).
     */
    @Override
    public void close() {
        if (events != null) {
            watched.monitor(null, 0);
            context.destroySocket(events);
        }
    }
}
