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

    private final List<MmsgSocket> sockets;
    private final int lanes;
    private final List<MmsgSocket.Lanes> waits; // per thread, with more than one lane
    private final List<Thread> threads = new ArrayList<>();
    private final Answerer chain;
    private final DnsMetrics metrics;
    private final RefusalLog errorLog = new RefusalLog(10_000);
    private volatile boolean closing;

    private MmsgUdpListener(List<MmsgSocket> sockets, int lanes, List<MmsgSocket.Lanes> waits, Answerer chain,
                            DnsMetrics metrics) {
        this.sockets = sockets;
        this.lanes = lanes;
        this.waits = waits;
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
        List<MmsgSocket.Lanes> waits = new ArrayList<>();
        int lanes = steering.lanes();
        try {
            sockets.add(MmsgSocket.open(address, port));
            int actual = sockets.get(0).localPort();
            for (int i = 1; i < steering.sockets(); i++) {
                // a thread's lanes share one set of buffers: it finishes a batch before the next lane's
                MmsgSocket threadsFirst = i % lanes == 0 ? null : sockets.get(i - i % lanes);
                sockets.add(MmsgSocket.open(address, actual, threadsFirst));
            }
            for (int t = 0; lanes > 1 && t < steering.threads(); t++) {
                waits.add(new MmsgSocket.Lanes(sockets.subList(t * lanes, (t + 1) * lanes).toArray(new MmsgSocket[0])));
            }
        } catch (IOException | RuntimeException e) {
            waits.forEach(MmsgSocket.Lanes::close);
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
        return new MmsgUdpListener(List.copyOf(sockets), lanes, List.copyOf(waits), chain, metrics);
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
            MmsgSocket.Lanes wait = lanes > 1 ? waits.get(t) : null;
            Thread thread = new Thread(() -> serve(own, wait), "dns-udp-" + port() + "-" + threads.size());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(MmsgSocket[] own, MmsgSocket.Lanes wait) {
        try {
            while (!closing && !Thread.currentThread().isInterrupted()) {
                if (wait == null) {
                    readAndAnswer(own[0], true);
                    continue;
                }
                // one batch from each lane epoll found readable, then wait again: a lane with
                // more queued is readable again at once, and comes after the others' turns
                int n = await(wait);
                for (int i = 0; i < n && !closing; i++) {
                    readAndAnswer(own[wait.lane(i)], false);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("DNS UDP thread on port {} stopped", port(), e);
            throw e;
        }
    }

    private int await(MmsgSocket.Lanes lanes) {
        try {
            return lanes.await(POLL_MILLIS);
        } catch (IOException e) {
            failed("port " + port(), e);
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
        sockets.forEach(MmsgSocket::wake);
        for (int i = 0; i < sockets.size(); i++) {
            Thread t = i / lanes < threads.size() ? threads.get(i / lanes) : null;
            if (t != null && !join(t)) {
                // never close a descriptor a thread may still read: it could be another socket's by then
                LOG.warn("DNS UDP thread {} did not stop within 2 s; its sockets stay open", t.getName());
                continue;
            }
            sockets.get(i).close();
            if (lanes > 1 && i % lanes == lanes - 1) {
                waits.get(i / lanes).close(); // its thread has stopped: no wait can use it any more
            }
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
