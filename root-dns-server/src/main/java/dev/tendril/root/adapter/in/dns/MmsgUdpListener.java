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
 * <p>With a {@link FloodQuarantine} (and one lane), a thread ({@code dns-udp-<port>-steering})
 * waits for the rate limiter to limit a network. Then it attaches the quarantine's program,
 * binds one more socket on the port and starts a thread in SCHED_IDLE (else nice +10) to read it
 * ({@code dns-udp-<port>-quarantine}); the program sends that socket the datagrams of the
 * networks in quarantine. It attaches the program again at every change (sweeping every half
 * second) and logs it; when the last network leaves, it steers everyone back, closes the
 * socket and detaches the program. Without a flood the port is exactly as without a
 * quarantine: no program, no extra socket, the threads blocking in {@code recvmmsg}.
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

    /** Answers one datagram: the reply, or null for none. {@link DnsQueryHandler} in the server. */
    @FunctionalInterface
    interface Answerer {
        byte[] answer(byte[] wire, InetAddress source);
    }

    private static final int POLL_MILLIS = 1000; // a safety net: wake() ends the wait at once
    private static final long SWEEP_MILLIS = 500;
    private static final int QUARANTINE_NICE = 10;
    private static final long DRAIN_MILLIS = 100; // the quarantine's reader, steered around already, empties its queue

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
    private final InetAddress address;
    private final FloodQuarantine quarantine;  // null: none
    private final int port;
    private final List<Thread> threads = new ArrayList<>();
    private final GuardedAnswerer guarded;
    private final DnsMetrics metrics;
    private volatile boolean closing;

    private MmsgUdpListener(List<Reader> readers, InetAddress address, FloodQuarantine quarantine, Answerer chain,
                            DnsMetrics metrics) {
        this.readers = readers;
        this.address = address;
        this.quarantine = quarantine;
        this.port = readers.get(0).sockets()[0].localPort();
        this.guarded = new GuardedAnswerer(chain, metrics, "UDP");
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
        return open(address, port, steering, null, chain, metrics);
    }

    /**
     * As {@link #open(InetAddress, int, ClientPrefixSteering, Answerer, DnsMetrics)}, with a
     * {@code quarantine} (null: none) for {@code steering.threads()} threads when there is one
     * lane and the kernel takes its program (tried once here, then detached; when it refuses:
     * a WARN, and no quarantine). With several lanes the quarantine is not used: the lanes keep
     * a flood apart already.
     */
    static MmsgUdpListener open(InetAddress address, int port, ClientPrefixSteering steering, FloodQuarantine quarantine,
                                Answerer chain, DnsMetrics metrics) throws IOException {
        if (quarantine != null && quarantine.threads() != steering.threads()) {
            throw new IllegalArgumentException("quarantine for " + quarantine.threads() + " threads, steering for "
                    + steering.threads());
        }
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
            return new MmsgUdpListener(List.copyOf(readers), address, null, chain, metrics);
        }
        boolean usable = quarantine != null && kernelTakes(opened.get(0), quarantine);
        return new MmsgUdpListener(List.copyOf(readers), address, usable ? quarantine : null, chain, metrics);
    }

    /** Whether the kernel takes the quarantine's program on this group: attached and detached again, or a WARN. */
    private static boolean kernelTakes(MmsgSocket member, FloodQuarantine quarantine) {
        try {
            MmsgSocket.steer(member, quarantine.program());
        } catch (IOException e) {
            LOG.warn("DNS UDP on port {}: no quarantine for rate-limited networks ({}); a flood shares the sockets"
                    + " of everyone else", member.localPort(), e.getMessage());
            return false;
        }
        unsteer(member);
        quarantine.activate();
        return true;
    }

    /** Detaches the group's program (Linux 5.8+); where that fails the program stays, steering all by port. */
    private static void unsteer(MmsgSocket member) {
        try {
            MmsgSocket.unsteer(member);
        } catch (IOException e) {
            LOG.debug("DNS UDP on port {}: reuseport program left attached: {}", member.localPort(), e.getMessage());
        }
    }

    /** Whether the port has a quarantine socket for rate-limited networks, its program attached. */
    boolean hasQuarantine() {
        return quarantine != null;
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
        if (quarantine != null) {
            Thread steering = new Thread(this::steerQuarantine, "dns-udp-" + port + "-steering");
            steering.setDaemon(true);
            threads.add(steering);
            steering.start();
        }
    }

    /** The quarantine's socket and the thread reading it, while a network is in quarantine. */
    private record Quarantined(MmsgSocket socket, Thread reader) {
    }

    /**
     * Attaches the quarantine's program again whenever its networks change, binds its socket
     * and starts its reader when the first network enters, retires them when the last leaves;
     * logs each change. Runs until close(), then retires what is open.
     */
    private void steerQuarantine() {
        MmsgSocket member = readers.get(0).sockets()[0];
        Quarantined open = null;
        List<String> before = List.of();
        boolean warned = false;
        try {
            while (!closing) {
                boolean changed;
                List<String> left;
                try {
                    changed = quarantine.awaitChange(SWEEP_MILLIS);
                    left = quarantine.sweep();
                    changed |= quarantine.awaitChange(0);
                } catch (InterruptedException e) {
                    return; // close()
                }
                if (!changed || closing) {
                    continue;
                }
                List<String> now = quarantine.networks();
                try {
                    // the program first: until the socket it names is bound, the kernel hashes those datagrams
                    // over the others, and once no network is left, no datagram goes to the socket retired next
                    MmsgSocket.steer(member, quarantine.program());
                    if (open == null && !now.isEmpty()) {
                        open = openQuarantine();
                    }
                } catch (IOException e) {
                    if (!warned) { // once: the kernel took the program at start, so this is not expected to repeat
                        LOG.warn("DNS UDP on port {}: cannot steer the quarantine's networks ({}); they stay where they"
                                + " were", port, e.getMessage());
                        warned = true;
                    }
                    continue;
                }
                if (open != null && now.isEmpty()) {
                    retire(open, true);
                    open = null;
                    unsteer(member);
                }
                report(now, before, left);
                before = now;
            }
        } finally {
            if (open != null) {
                retire(open, false);
            }
        }
    }

    private Quarantined openQuarantine() throws IOException {
        MmsgSocket socket = MmsgSocket.open(address, port);
        Thread reader = new Thread(() -> {
            lowerPriority();
            while (!socket.woken()) {
                readAndAnswer(socket, true);
            }
        }, "dns-udp-" + port + "-quarantine");
        reader.setDaemon(true);
        reader.start();
        return new Quarantined(socket, reader);
    }

    /** SCHED_IDLE for the calling (quarantine) thread; where refused, nice +10; where that is refused too, an INFO. */
    private void lowerPriority() {
        try {
            MmsgSocket.idleCurrentThread();
            return;
        } catch (IOException e) {
            LOG.debug("DNS UDP quarantine thread on port {}: no SCHED_IDLE ({}); trying nice +{}", port, e.getMessage(),
                    QUARANTINE_NICE);
        }
        try {
            MmsgSocket.niceCurrentThread(QUARANTINE_NICE);
        } catch (IOException e) {
            LOG.info("DNS UDP quarantine thread on port {} runs at the process's priority: {}", port, e.getMessage());
        }
    }

    /** Stops the quarantine's reader (after {@link #DRAIN_MILLIS} to empty its queue, when {@code drain}) and closes its socket. */
    private void retire(Quarantined q, boolean drain) {
        if (drain) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
        }
        q.socket().wake();
        if (join(q.reader())) {
            q.socket().close();
        } else { // never close a descriptor a thread may still read
            LOG.warn("DNS UDP thread {} did not stop within 2 s; its socket stays open", q.reader().getName());
        }
    }

    /** Counts and logs the networks that entered ({@code now} less {@code before}) and those that {@code left}. */
    private void report(List<String> now, List<String> before, List<String> left) {
        List<String> entered = new ArrayList<>(now);
        entered.removeAll(before);
        if (!entered.isEmpty()) {
            metrics.countQuarantined(entered.size());
            long turnedAway = quarantine.turnedAway();
            LOG.info("DNS UDP: rate-limited {} now in quarantine (a socket and thread of its own); in quarantine: {}{}",
                    entered, now, turnedAway == 0 ? "" : " (limited answers to networks left out while it was full,"
                            + " so far: " + turnedAway + ")");
        }
        if (!left.isEmpty()) {
            LOG.info("DNS UDP: {} out of quarantine (not limited for a while); in quarantine: {}", left, now);
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
        if (!closing) {
            guarded.readFailed(where, e);
        }
    }

    private void answer(MmsgSocket socket, int i) {
        byte[] out = guarded.answer(socket.datagram(i), socket.source(i));
        if (out != null && !socket.reply(i, out)) {
            metrics.countUnexpectedError(); // longer than any UDP answer the chain writes
        }
    }

    /** Wakes the threads, waits for them (2 s at most each), closes the sockets. Safe to call twice. */
    @Override
    public synchronized void close() {
        closing = true;
        readers.forEach(r -> Arrays.stream(r.sockets()).forEach(MmsgSocket::wake));
        if (threads.size() > readers.size()) {
            Thread steering = threads.get(readers.size());
            steering.interrupt();
            join(steering); // it retires the quarantine's socket and reader
        }
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
