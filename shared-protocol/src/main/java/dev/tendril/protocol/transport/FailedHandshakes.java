package dev.tendril.protocol.transport;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Notices connections to a CURVE server socket that close before their ZMTP handshake: a
 * client in clear (no CURVE), a client of another mechanism, or a peer that sends no or
 * garbled ZMTP. ZeroMQ drops such a connection silently; JeroMQ 0.6.0 reports no
 * HANDSHAKE_FAILED_* event for it (checked with a monitor on every event): only ACCEPTED, then
 * DISCONNECTED, with no HANDSHAKE_PROTOCOL in between. (A CURVE client whose key ZAP refuses
 * does reach HANDSHAKE_PROTOCOL and is counted by {@link ZapAllowlist}, not here; but a
 * connection any client closes before its greeting completed counts here too, e.g. a fresh
 * connection stalled by JeroMQ's connect race that the client replaces, or a refused client's
 * automatic reconnect cut short when it gives up.)
 *
 * <p>ACCEPTED and DISCONNECTED carry the connection's channel, HANDSHAKE_PROTOCOL does not; a
 * handshake is credited to the oldest connection still waiting for one (with a single I/O
 * thread the events arrive in the order they happened). So a connection's verdict is exact
 * while it is the only one handshaking; when several handshake at the same instant the
 * failure may be credited to another of them (and counted when that one closes): the total is
 * exact once they are all closed. At most {@value #MAX_TRACKED} open connections are tracked;
 * beyond, the oldest are forgotten uncounted.
 *
 * <p>Confined to the thread that owns the watched socket. Close it before the socket (see
 * {@link HandshakeWatch#close()}: a monitor left on at the socket's close wedges the context).
 */
final class FailedHandshakes implements AutoCloseable {
    static final int MAX_TRACKED = 65_536;
    private static final AtomicLong ids = new AtomicLong();

    private final ZContext context;
    private final ZMQ.Socket watched;
    private final ZMQ.Socket events;
    private final Consumer<String> failed;
    /** Connections waiting for their handshake, by channel: the peer's address. */
    private final Map<Object, String> open = new IdentityHashMap<>();
    /** The same connections in accept order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    private FailedHandshakes(ZContext context, ZMQ.Socket watched, ZMQ.Socket events, Consumer<String> failed) {
        this.context = context;
        this.watched = watched;
        this.events = events;
        this.failed = failed;
    }

    /**
     * Starts watching the server socket {@code socket}; {@code failed} is told the peer's IP
     * address (or "unknown") of each connection that closed before its handshake.
     */
    static FailedHandshakes attach(ZContext context, ZMQ.Socket socket, Consumer<String> failed) {
        String address = "inproc://tendril-failed-handshakes-" + ids.incrementAndGet();
        socket.monitor(address, ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
        ZMQ.Socket events = context.createSocket(SocketType.PAIR);
        events.setLinger(0);
        events.connect(address);
        return new FailedHandshakes(context, socket, events, failed);
    }

    /** For tests of the bookkeeping: events fed by {@link #onEvent}. */
    static FailedHandshakes detached(Consumer<String> failed) {
        return new FailedHandshakes(null, null, null, failed);
    }

    /** The monitor socket, to register in a poller. */
    ZMQ.Socket events() {
        return events;
    }

    /** Reads every pending event. */
    void drain() {
        ZMQ.Event e;
        while ((e = ZMQ.Event.recv(events, ZMQ.DONTWAIT)) != null) {
            Object value = e.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL ? null : e.resolveValue();
            onEvent(e.getEvent(), value, value instanceof SocketChannel channel ? peerOf(channel) : "unknown");
        }
    }

    /** {@code connection}: the channel of ACCEPTED and DISCONNECTED (identity matters), null otherwise. */
    void onEvent(int event, Object connection, String peer) {
        if (event == ZMQ.EVENT_ACCEPTED && connection != null) {
            if (open.size() >= MAX_TRACKED) {
                Object oldest = waiting.pollFirst();
                if (oldest != null) {
                    open.remove(oldest);
                }
            }
            open.put(connection, peer);
            waiting.addLast(connection);
        } else if (event == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
            Object first = waiting.pollFirst(); // handshaken: nothing more to watch
            if (first != null) {
                open.remove(first);
            }
        } else if (event == ZMQ.EVENT_DISCONNECTED && connection != null) {
            String gone = open.remove(connection);
            if (gone != null) {
                waiting.remove(connection);
                failed.accept(gone);
            }
        }
    }

    /** Connections waiting for their handshake, as far as the events told. */
    int tracked() {
        return open.size();
    }

    /** The peer's IP address; readable after the channel closed (the address stays recorded). */
    private static String peerOf(SocketChannel channel) {
        InetAddress address = channel.socket().getInetAddress();
        return address == null ? "unknown" : address.getHostAddress();
    }

    /** Stops the monitor, then closes its receiving end; call before the watched socket is closed. */
    @Override
    public void close() {
        if (events != null) {
            watched.monitor(null, 0);
            context.destroySocket(events);
        }
    }
}
