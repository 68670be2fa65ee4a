package dev.tendril.root.adapter.in.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * UDP listener on {@link MmsgSocket}s: several sockets on one port (SO_REUSEPORT), each with
 * its own thread that blocks in {@code recvmmsg}, answers every datagram of the batch through
 * the {@link DnsQueryHandler query chain} (one datagram in, at most one out) and sends the
 * answers with one {@code sendmmsg}. Nothing else runs on these threads, and an idle one
 * sleeps in the kernel.
 *
 * <pre>{@code
 * var udp = MmsgUdpListener.open(InetAddress.getByName("127.0.0.1"), 0, 2, chain, metrics);
 * int port = udp.port();
 * udp.start();
 * ...
 * udp.close();   // wakes the threads, waits for them, closes the sockets
 * }</pre>
 */
final class MmsgUdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MmsgUdpListener.class);
    private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final List<MmsgSocket> sockets;
    private final List<Thread> threads = new ArrayList<>();
    private final DnsQueryHandler chain;
    private final DnsMetrics metrics;
    private final RefusalLog errorLog = new RefusalLog(10_000);
    private volatile boolean closing;

    private MmsgUdpListener(List<MmsgSocket> sockets, DnsQueryHandler chain, DnsMetrics metrics) {
        this.sockets = sockets;
        this.chain = chain;
        this.metrics = metrics;
    }

    /**
     * Binds {@code count} sockets to {@code address} and {@code port} (0: a free port, then the
     * same for all). Throws IOException naming what failed; nothing stays open then.
     */
    static MmsgUdpListener open(InetAddress address, int port, int count, DnsQueryHandler chain, DnsMetrics metrics)
            throws IOException {
        List<MmsgSocket> sockets = new ArrayList<>();
        try {
            sockets.add(MmsgSocket.open(address, port));
            int actual = sockets.get(0).localPort();
            for (int i = 1; i < count; i++) {
                sockets.add(MmsgSocket.open(address, actual));
            }
        } catch (IOException | RuntimeException e) {
            sockets.forEach(MmsgSocket::close);
            throw e;
        }
        return new MmsgUdpListener(List.copyOf(sockets), chain, metrics);
    }

    /** The port the sockets are bound to. */
    int port() {
        return sockets.get(0).localPort();
    }

    /** Starts one thread per socket ({@code dns-udp-<port>-<n>}). */
    synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (int i = 0; i < sockets.size(); i++) {
            MmsgSocket socket = sockets.get(i);
            Thread t = new Thread(() -> serve(socket), "dns-udp-" + port() + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void serve(MmsgSocket socket) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                int n;
                try {
                    n = socket.receive();
                } catch (IOException e) {
                    if (closing) {
                        return;
                    }
                    metrics.countUnexpectedError();
                    if (errorLog.mayLog(0, System.currentTimeMillis())) {
                        LOG.warn("DNS UDP on port {}: {}", socket.localPort(), e.getMessage());
                    }
                    LockSupport.parkNanos(ERROR_PAUSE_NANOS); // do not spin on a persistent error
                    continue;
                }
                if (n == 0 && closing) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    answer(socket, i);
                }
                socket.flush();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("DNS UDP thread on port {} stopped", socket.localPort(), e);
            throw e;
        }
    }

    private void answer(MmsgSocket socket, int i) {
        byte[] wire = socket.datagram(i);
        InetAddress source = socket.source(i);
        byte[] out;
        try {
            out = chain.handle(wire, source, false);
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
            Thread t = i < threads.size() ? threads.get(i) : null;
            if (t != null && !join(t)) {
                // never close a descriptor a thread may still read: it could be another socket's by then
                LOG.warn("DNS UDP thread {} did not stop within 2 s; its socket stays open", t.getName());
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
