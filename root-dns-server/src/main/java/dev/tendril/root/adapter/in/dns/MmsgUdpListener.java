package dev.tendril.root.adapter.in.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * UDP listener on {@link MmsgSocket}s: several sockets on one port (SO_REUSEPORT), read by
 * a few threads; each reads a batch with {@code recvmmsg}, answers every datagram of it through
 * the {@link DnsQueryHandler query chain} (one datagram in, at most one out) and sends the
 * answers with one {@code sendmmsg}. Nothing else runs on these threads, and an idle one
 * sleeps in the kernel.
 *
 * <p>With one lane a thread has one socket and blocks in {@code recvmmsg}. With several
 * lanes each thread has that many sockets, the kernel steers each datagram to a lane by its
 * client's prefix ({@link ClientPrefixSteering}), and the thread reads its lanes in turn, at
 * most one batch from each per turn, and sleeps in {@code poll} when all are empty. So a
 * flood from one network queues behind itself: a query from another network waits for at
 * most one batch of it, not for every datagram the flood put in the socket before it.
 *
 * <pre>{@code
 * var steering = new ClientPrefixSteering(2, 4, 24, 56);   // 2 threads x 4 lanes
 * var udp = MmsgUdpListener.open(InetAddress.getByName("127.0.0.1"), 0, steering, chain, metrics);
 * int port = udp.port();
 * udp.start();
 * ...
 * udp.close();   // wakes the threads, waits for them, closes the sockets
 * }</pre>
 */
final class MmsgUdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MmsgUdpListener.class);
    private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Answers one datagram: the reply, or null for none. {@link DnsQueryHandler} in the server. */
    @FunctionalInterface
    interface Answerer {
        byte[] answer(byte[] wire, InetAddress source);
    }

    private static final int POLL_MILLIS = 1000; // a safety net: wake() ends the wait at once

    private final List<MmsgSocket> sockets;
    private final int lanes;
    private final List<Thread> threads = new ArrayList<>();
    private final Answerer chain;
    private final DnsMetrics metrics;
    private final RefusalLog errorLog = new RefusalLog(10_000);
    private volatile boolean closing;

    private MmsgUdpListener(List<MmsgSocket> sockets, int lanes, Answerer chain, DnsMetrics metrics) {
        this.sockets = sockets;
        this.lanes = lanes;
        this.chain = chain;
        this.metrics = metrics;
    }

    /**
     * Binds {@code steering.sockets()} sockets to {@code address} and {@code port} (0: a free
     * port, then the same for all) and, with more than one lane, attaches the steering program
     * (when the kernel refuses it: a WARN, and the kernel's flow hash spreads datagrams over the
     * lanes instead). Throws IOException naming what failed; nothing stays open then.
     */
    static MmsgUdpListener open(InetAddress address, int port, ClientPrefixSteering steering, Answerer chain,
                                DnsMetrics metrics) throws IOException {
        List<MmsgSocket> sockets = new ArrayList<>();
        try {
            sockets.add(MmsgSocket.open(address, port));
            int actual = sockets.get(0).localPort();
            for (int i = 1; i < steering.sockets(); i++) {
                sockets.add(MmsgSocket.open(address, actual));
            }
        } catch (IOException | RuntimeException e) {
            sockets.forEach(MmsgSocket::close);
            throw e;
        }
        if (steering.lanes() > 1) {
            try {
                MmsgSocket.steer(sockets.get(0), steering);
            } catch (IOException e) {
                LOG.warn("DNS UDP on port {}: clients are not steered to lanes by prefix ({}); the kernel's flow hash"
                        + " spreads them", sockets.get(0).localPort(), e.getMessage());
            }
        }
        return new MmsgUdpListener(List.copyOf(sockets), steering.lanes(), chain, metrics);
    }

    /** The port the sockets are bound to. */
    int port() {
        return sockets.get(0).localPort();
    }

    /** Starts one thread per {@code lanes} sockets ({@code dns-udp-<port>-<n>}). */
    synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (int t = 0; t * lanes < sockets.size(); t++) {
            MmsgSocket[] own = sockets.subList(t * lanes, (t + 1) * lanes).toArray(new MmsgSocket[0]);
            Thread thread = new Thread(() -> serve(own), "dns-udp-" + port() + "-" + threads.size());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(MmsgSocket[] own) {
        ByteBuffer pollfds = ByteBuffer.allocateDirect(8 * own.length).order(ByteOrder.nativeOrder());
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (own.length == 1) {
                    readAndAnswer(own[0], true);
                } else {
                    boolean any = false;
                    for (MmsgSocket lane : own) { // one batch from each lane per turn
                        any |= readAndAnswer(lane, false);
                    }
                    if (!any && !closing) {
                        awaitAny(own, pollfds);
                    }
                }
                if (closing) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("DNS UDP thread on port {} stopped", port(), e);
            throw e;
        }
    }

    /** One batch of {@code socket}, answered; whether it held any datagram. */
    private boolean readAndAnswer(MmsgSocket socket, boolean wait) {
        int n;
        try {
            n = wait ? socket.receive() : socket.receiveNow();
        } catch (IOException e) {
            failed(socket, e);
            return false;
        }
        for (int i = 0; i < n; i++) {
            answer(socket, i);
        }
        if (n > 0) {
            socket.flush();
        }
        return n > 0;
    }

    private void awaitAny(MmsgSocket[] own, ByteBuffer pollfds) {
        try {
            MmsgSocket.awaitAny(own, pollfds, POLL_MILLIS);
        } catch (IOException e) {
            failed(own[0], e);
        }
    }

    private void failed(MmsgSocket socket, IOException e) {
        if (closing) {
            return;
        }
        metrics.countUnexpectedError();
        if (errorLog.mayLog(0, System.currentTimeMillis())) {
            LOG.warn("DNS UDP on port {}: {}", socket.localPort(), e.getMessage());
        }
        LockSupport.parkNanos(ERROR_PAUSE_NANOS); // do not spin on a persistent error
    }

    private void answer(MmsgSocket socket, int i) {
        byte[] wire = socket.datagram(i);
        InetAddress source = socket.source(i);
        byte[] out;
        try {
            out = chain.answer(wire, source);
        } catch (RuntimeException e) { // the chain answers SERVFAIL itself; this is a bug outside it
            metrics.countUnexpectedError();
            if (errorLog.mayLog(source.hashCode(), System.currentTimeMillis())) {
                LOG.warn("unexpected error answering a UDP query from {}", source.getHostAddress(), e);
            }
            return;
        }
        if (out != null && !socket.reply(i, out)) {
            metrics.countUnexpectedError(); // longer than any UDP answer the chain writes
        }
    }

    /** Wakes the threads, waits for them (2 s at most each), closes the sockets. Safe to call twice. */
    @Override
    public synchronized void close() {
        closing = true;
        sockets.forEach(MmsgSocket::wake);
        for (int i = 0; i < sockets.size(); i++) {
            Thread t = i / lanes < threads.size() ? threads.get(i / lanes) : null;
            if (t != null && !join(t)) {
                // never close a descriptor a thread may still read: it could be another socket's by then
                LOG.warn("DNS UDP thread {} did not stop within 2 s; its sockets stay open", t.getName());
                continue;
            }
            sockets.get(i).close();
        }
    }

    private static boolean join(Thread t) {
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
