package dev.tendril.root.adapter.in.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
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
 * client's prefix ({@link ClientPrefixSteering}), and the thread waits in {@code epoll_wait}
 * for any of them, then reads one batch from each lane that is readable, and waits again. So a
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

    /**
     * What one thread reads: its sockets, in bind order, and the epoll set over them (null with
     * one socket: the thread blocks in its {@code recvmmsg}).
     */
    private record Reader(MmsgSocket[] sockets, MmsgSocket.Lanes epoll) {
        void close() {
            for (MmsgSocket s : sockets) {
                s.close();
            }
            if (epoll != null) {
                epoll.close();
            }
        }
    }

    private final List<Reader> readers;
    private final int port;
    private final List<Thread> threads = new ArrayList<>();
    private final Answerer chain;
    private final DnsMetrics metrics;
    private final RefusalLog errorLog = new RefusalLog(10_000);
    private volatile boolean closing;

    private MmsgUdpListener(List<Reader> readers, Answerer chain, DnsMetrics metrics) {
        this.readers = readers;
        this.port = readers.get(0).sockets()[0].localPort();
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
        List<MmsgSocket> opened = new ArrayList<>(); // in bind order: the steering program's indices
        List<Reader> readers = new ArrayList<>();
        try {
            for (int t = 0; t < steering.threads(); t++) {
                MmsgSocket[] own = new MmsgSocket[steering.lanes()];
                for (int k = 0; k < own.length; k++) {
                    // a thread's lanes share one set of buffers: it finishes a batch before the next lane's
                    own[k] = MmsgSocket.open(address, opened.isEmpty() ? port : opened.get(0).localPort(),
                            k == 0 ? null : own[0]);
                    opened.add(own[k]);
                }
                readers.add(new Reader(own, own.length > 1 ? new MmsgSocket.Lanes(own) : null));
            }
        } catch (IOException | RuntimeException e) {
            readers.forEach(r -> {
                if (r.epoll() != null) {
                    r.epoll().close();
                }
            });
            opened.forEach(MmsgSocket::close);
            throw e;
        }
        if (steering.lanes() > 1) {
            try {
                MmsgSocket.steer(opened.get(0), steering);
            } catch (IOException e) {
                LOG.warn("DNS UDP on port {}: clients are not steered to lanes by prefix ({}); the kernel's flow hash"
                        + " spreads them", opened.get(0).localPort(), e.getMessage());
            }
        }
        return new MmsgUdpListener(List.copyOf(readers), chain, metrics);
    }

    /** The port the sockets are bound to. */
    int port() {
        return port;
    }

    /** Starts one thread per reader ({@code dns-udp-<port>-<n>}). */
    synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (Reader r : readers) {
            Thread thread = new Thread(() -> serve(r.sockets(), r.epoll()), "dns-udp-" + port + "-" + threads.size());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(MmsgSocket[] own, MmsgSocket.Lanes epoll) {
        try {
            while (!closing && !Thread.currentThread().isInterrupted()) {
                if (epoll == null) {
                    readAndAnswer(own[0], true);
                    continue;
                }
                // one batch from each lane epoll found readable, then wait again: a lane with
                // more queued is readable again at once, and comes after the others' turns
                int n = await(epoll);
                for (int i = 0; i < n && !closing; i++) {
                    readAndAnswer(own[epoll.lane(i)], false);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("DNS UDP thread on port {} stopped", port, e);
            throw e;
        }
    }

    private int await(MmsgSocket.Lanes lanes) {
        try {
            return lanes.await(POLL_MILLIS);
        } catch (IOException e) {
            failed("port " + port, e);
            return 0;
        }
    }

    /** One batch of {@code socket} (waiting for it, or only what is queued), answered. */
    private void readAndAnswer(MmsgSocket socket, boolean wait) {
        int n;
        try {
            n = wait ? socket.receive() : socket.receiveNow();
        } catch (IOException e) {
            failed("port " + socket.localPort(), e);
            return;
        }
        for (int i = 0; i < n; i++) {
            answer(socket, i);
        }
        if (n > 0) {
            socket.flush();
        }
    }

    private void failed(String where, IOException e) {
        if (closing) {
            return;
        }
        metrics.countUnexpectedError();
        if (errorLog.mayLog(0, System.currentTimeMillis())) {
            LOG.warn("DNS UDP on {}: {}", where, e.getMessage());
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
        readers.forEach(r -> Arrays.stream(r.sockets()).forEach(MmsgSocket::wake));
        for (int t = 0; t < readers.size(); t++) {
            Thread thread = t < threads.size() ? threads.get(t) : null;
            if (thread != null && !join(thread)) {
                // never close a descriptor a thread may still read: it could be another socket's by then
                LOG.warn("DNS UDP thread {} did not stop within 2 s; its sockets stay open", thread.getName());
                continue;
            }
            readers.get(t).close();
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
