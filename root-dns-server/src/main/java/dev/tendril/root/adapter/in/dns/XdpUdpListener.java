package dev.tendril.root.adapter.in.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DNS over UDP/IPv4 through AF_XDP on named interfaces ({@code dns.xdpInterfaces}), beside
 * the socket listener: an XDP program on each interface hands the queries to the port
 * ({@link XdpRedirect}) to an {@link XskSocket} per receive queue, and a thread per socket
 * ({@code dns-xdp-<interface>-<queue>}) answers each batch through the same
 * {@link MmsgUdpListener.Answerer query chain} as the socket path and writes the answers'
 * frames back to where the queries came from. The kernel's UDP, IP and routing layers are
 * skipped on both ways, and so are netfilter's hooks on this host (a firewall rule for the
 * port does not apply to these queries); what the program passes on (IPv6, fragments, IPv4
 * options, VLAN tags, other ports) reaches the socket listener as before.
 *
 * <p>Where the XDP path cannot be set up (no CAP_NET_ADMIN and CAP_BPF, an older kernel, an
 * unknown interface, another XDP program on it), {@link #open} throws naming what failed.
 */
final class XdpUdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XdpUdpListener.class);
    private static final int POLL_MILLIS = 1000;

    private record Lane(String interfaceName, int queue, XskSocket socket) {
    }

    private final List<XdpRedirect> programs;
    private final List<Lane> lanes;
    private final GuardedAnswerer guarded;
    private final DnsMetrics metrics;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closing;

    private XdpUdpListener(List<XdpRedirect> programs, List<Lane> lanes, MmsgUdpListener.Answerer chain,
                           DnsMetrics metrics) {
        this.programs = programs;
        this.lanes = lanes;
        this.guarded = new GuardedAnswerer(chain, metrics, "UDP over XDP");
        this.metrics = metrics;
    }

    /**
     * Attaches the program to each of {@code interfaces} for UDP to {@code port} at
     * {@code address} (IPv4; the wildcard: any address of the interface) and binds a socket to
     * each of their receive queues. Throws IOException naming the interface and what failed;
     * nothing stays attached or open then.
     */
    static XdpUdpListener open(List<String> interfaces, InetAddress address, int port, MmsgUdpListener.Answerer chain,
                               DnsMetrics metrics) throws IOException {
        if (!(address instanceof Inet4Address) && !address.isAnyLocalAddress()) {
            throw new IOException("XDP answers IPv4 only; the bind address is " + address.getHostAddress());
        }
        int ip = address.isAnyLocalAddress() ? 0 : ByteBuffer.wrap(address.getAddress()).getInt();
        List<XdpRedirect> programs = new ArrayList<>();
        List<Lane> lanes = new ArrayList<>();
        try {
            for (String name : interfaces) {
                int ifindex = XdpNative.libc().if_nametoindex(name);
                if (ifindex == 0) {
                    throw new IOException("no network interface " + name);
                }
                int queues = receiveQueues(name);
                XdpRedirect program = XdpRedirect.attach(ifindex, ip, port, queues);
                programs.add(program);
                for (int q = 0; q < queues; q++) {
                    XskSocket socket = XskSocket.open(ifindex, q, name);
                    lanes.add(new Lane(name, q, socket));
                    program.route(q, socket.fd());
                }
            }
        } catch (IOException | RuntimeException e) {
            programs.forEach(XdpRedirect::close); // detach first: no frame goes to a socket closed next
            lanes.forEach(l -> l.socket().close());
            throw e;
        }
        return new XdpUdpListener(List.copyOf(programs), List.copyOf(lanes), chain, metrics);
    }

    /** The receive queues of {@code name}: the {@code rx-<n>} entries under sysfs (1 where it lists none). */
    private static int receiveQueues(String name) throws IOException {
        Path queues = Path.of("/sys/class/net", name, "queues");
        if (!Files.isDirectory(queues)) {
            return 1;
        }
        try (Stream<Path> s = Files.list(queues)) {
            return (int) Math.max(1, s.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        }
    }

    /** The sockets, one per interface and receive queue ("lo queue 0", ...). */
    List<String> sockets() {
        return lanes.stream().map(l -> l.socket().toString()).toList();
    }

    /** Starts one thread per socket. */
    synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (Lane lane : lanes) {
            Thread t = new Thread(() -> serve(lane.socket()), "dns-xdp-" + lane.interfaceName() + "-" + lane.queue());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void serve(XskSocket socket) {
        Sources sources = new Sources();
        try {
            while (!closing) {
                int n;
                try {
                    n = socket.receive(POLL_MILLIS);
                } catch (IOException e) {
                    failed(socket, e);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    answer(socket, i, sources);
                }
                socket.flush();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("DNS XDP thread on {} stopped", socket, e);
            throw e;
        }
    }

    private void answer(XskSocket socket, int i, Sources sources) {
        ByteBuffer frames = socket.memory();
        int at = socket.offset(i);
        int length = XdpFrames.queryPayload(frames, at, socket.length(i));
        if (length < 0) {
            metrics.countMalformed(); // the program checks less than this: a bad checksum or lengths that disagree
            socket.drop(i);
            return;
        }
        byte[] wire = new byte[length];
        frames.get(at + XdpFrames.HEADERS, wire);
        byte[] out = guarded.answer(wire, sources.of(XdpFrames.source(frames, at)));
        if (out == null) {
            socket.drop(i);
            return;
        }
        if (out.length > XskSocket.FRAME - XdpFrames.HEADERS) {
            metrics.countUnexpectedError(); // longer than any UDP answer the chain writes (dns.maxUdpPayload <= 4096)
            socket.drop(i);
            return;
        }
        int frameLength = XdpFrames.writeAnswer(frames, at, socket.answerOffset(i), out);
        if (socket.reply(i, frameLength)) {
            metrics.countXdpAnswer();
        } else {
            metrics.countDropped(); // the TX ring is full: the kernel has not sent the last batches yet
        }
    }


    /** The last source address seen, so a burst from one client makes one InetAddress. */
    private static final class Sources {
        private int last;
        private InetAddress address;

        InetAddress of(int ip) {
            if (address == null || ip != last) {
                try {
                    address = InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(0, ip).array());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 bytes are an IPv4 address", e);
                }
                last = ip;
            }
            return address;
        }
    }

    private void failed(XskSocket socket, IOException e) {
        if (!closing) {
            guarded.readFailed(socket, e);
        }
    }

    /**
     * The kernel's drop counts over every socket: frames dropped on receive (no room in the
     * ring or memory), invalid TX descriptors; and kicks refused.
     */
    long[] drops() {
        long rx = 0;
        long tx = 0;
        long kicks = 0;
        for (Lane l : lanes) {
            long[] s = l.socket().statistics();
            rx += s[0];
            tx += s[2];
            kicks += l.socket().sendFailures();
        }
        return new long[]{rx, tx, kicks};
    }

    /**
     * Detaches the programs (the kernel answers on the port again), wakes the threads, waits
     * for them (2 s at most each) and closes the sockets. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        closing = true;
        programs.forEach(XdpRedirect::close);
        lanes.forEach(l -> l.socket().wake());
        for (int i = 0; i < lanes.size(); i++) {
            Thread t = i < threads.size() ? threads.get(i) : null;
            if (t != null) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (t.isAlive()) {
                    LOG.warn("DNS XDP thread {} did not stop within 2 s; its socket stays open", t.getName());
                    continue;
                }
            }
            lanes.get(i).socket().close();
        }
    }
}
