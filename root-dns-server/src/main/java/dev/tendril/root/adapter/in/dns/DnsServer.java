package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The root's DNS front end: UDP and TCP listeners on one port, answering from the in-memory
 * directory. Construct, {@link #start()}, read {@link #port()}, {@link #close()}.
 *
 * <pre>{@code
 * var directory = new SpatialInstanceDirectory(clock);
 * var dns = new DnsServer(dnsConfig, directory, geoLocator, clock);
 * dns.start();                       // binds UDP + TCP (port 0: a free port, the same for both)
 * int port = dns.port();
 * ...
 * dns.close();
 * }</pre>
 *
 * UDP: on Linux, {@code ioThreads x udpLanes} sockets on the port with SO_REUSEPORT, the
 * kernel steering each client network to one lane, each thread reading its lanes in turn and
 * answering in batches with recvmmsg/sendmmsg ({@link MmsgUdpListener});
 * elsewhere, or with {@code dns.udpIo: NETTY}, Netty's epoll event loops (one socket per
 * thread) or NIO. TCP: Netty (epoll or NIO). Queries are answered on the thread that read
 * them: the query path does no I/O and takes no lock.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int BIND_ATTEMPTS = 20;
    private static final int MAX_DATAGRAM = 4096;
    private static final int RECV_BATCH = 32;
    private static final IntegerUnixChannelOption IP_MTU_DISCOVER =
            new IntegerUnixChannelOption("IP_MTU_DISCOVER", MmsgSocket.SOL_IP, MmsgSocket.IP_MTU_DISCOVER);
    private static final IntegerUnixChannelOption IPV6_MTU_DISCOVER =
            new IntegerUnixChannelOption("IPV6_MTU_DISCOVER", MmsgSocket.SOL_IPV6, MmsgSocket.IPV6_MTU_DISCOVER);

    private final DnsConfig config;
    private final DnsMetrics metrics = new DnsMetrics();
    private final DnsQueryHandler chain;
    private final FloodQuarantine quarantine; // null: none
    private final List<Channel> channels = new ArrayList<>();
    private final TcpAdmission tcpAdmission;
    private final RefusalLog refusalLog = new RefusalLog(10_000);
    private final Clock clock;
    private EventLoopGroup group;
    private MmsgUdpListener mmsg; // null: UDP on Netty
    private XdpUdpListener xdp;   // null: no dns.xdpInterfaces
    private String udpIo = "";
    private int port = -1;

    public DnsServer(DnsConfig config, SpatialInstanceDirectory directory, GeoLocator locator, Clock clock) {
        this.config = config;
        DnsConfig.RateLimit rrl = config.rateLimit();
        // a quarantine needs the batched loop with one lane; whether AUTO binds it is known at start (else it stays idle)
        this.quarantine = rrl.enabled() && rrl.quarantineNetworks() > 0 && udpLanes() == 1
                && config.udpIo() != DnsConfig.UdpIo.NETTY
                ? new FloodQuarantine(ioThreads(), clock, rrl.quarantineNetworks(), rrl.windowSeconds() * 1000L,
                        rrl.ipv4PrefixLength(), rrl.ipv6PrefixLength())
                : null;
        this.chain = new DnsQueryHandler(config, new ResolveService(directory, locator, clock, config.resolvePolicy()), metrics,
                clock, new SecureRandom(), quarantine);
        this.clock = clock;
        this.tcpAdmission = new TcpAdmission(config.tcpMaxConnections(), config.tcpMaxConnectionsPerClient());
    }

    /** Binds the UDP and TCP listeners. Throws IllegalStateException when the port cannot be bound. */
    public synchronized DnsServer start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        boolean epoll = Epoll.isAvailable();
        int threads = ioThreads();
        boolean batched = useMmsg();
        if (batched && udpLanes() < config.udpLanes()) {
            LOG.warn("dns.udpLanes {} lowered to {}: {} I/O threads (one per CPU) x {} lanes would be over {} UDP sockets",
                    config.udpLanes(), udpLanes(), threads, config.udpLanes(), DnsConfig.MAX_UDP_SOCKETS);
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // with batched UDP the event loops serve TCP only: one is plenty for a DNS root's TCP share
        group = new MultiThreadIoEventLoopGroup(batched ? Math.min(threads, 2) : threads, io);
        InetAddress bind = bindAddress();
        Exception last = null;
        for (int attempt = 0; attempt < (config.port() == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            try {
                bindAll(bind, epoll, threads, batched);
                udpIo = !batched ? "udp: " + (epoll ? "epoll" : "nio")
                        : udpLanes() == 1 ? "udp: recvmmsg/sendmmsg"
                        : "udp: recvmmsg/sendmmsg, " + udpLanes() + " lanes per thread by client /"
                                + config.rateLimit().ipv4PrefixLength() + " and /" + config.rateLimit().ipv6PrefixLength();
                if (mmsg != null && mmsg.hasQuarantine()) {
                    udpIo += ", a quarantine for up to " + config.rateLimit().quarantineNetworks() + " rate-limited networks";
                }
                startXdp(bind);
                LOG.info("DNS listening on {} port {} ({}, {} threads; tcp: {}) for zones {}",
                        bind.getHostAddress(), port, udpIo, batched || epoll ? threads : 1, epoll ? "epoll" : "nio",
                        config.zones());
                return this;
            } catch (XdpFailure e) {
                closeChannels();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                group = null;
                throw new IllegalStateException("dns.xdpInterfaces " + config.xdpInterfaces() + ": " + e.getMessage(), e);
            } catch (Exception e) { // Netty rethrows the bind's IOException unchecked-style: catch it too, to retry
                last = e;
                closeChannels();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        group = null;
        throw new IllegalStateException("dns.port: cannot bind UDP and TCP on " + bind.getHostAddress() + " port "
                + config.port() + ": " + (last == null ? "" : last.getMessage()), last);
    }

    private int ioThreads() {
        return config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    /**
     * UDP sockets per I/O thread: {@code dns.udpLanes}, fewer where one thread per CPU would make
     * more than {@link DnsConfig#MAX_UDP_SOCKETS} in all (a set thread count is checked with the config).
     */
    private int udpLanes() {
        return Math.min(config.udpLanes(), Math.max(1, DnsConfig.MAX_UDP_SOCKETS / ioThreads()));
    }

    /** Whether UDP goes through {@link MmsgUdpListener}: MMSG demands it, AUTO takes it where it binds. */
    private boolean useMmsg() {
        if (config.udpIo() == DnsConfig.UdpIo.NETTY) {
            return false;
        }
        String why = MmsgSocket.unavailable();
        if (why == null) {
            return true;
        }
        if (config.udpIo() == DnsConfig.UdpIo.MMSG) {
            throw new IllegalStateException("dns.udpIo: got 'MMSG', but " + why + "; allowed here: AUTO or NETTY");
        }
        LOG.info("DNS UDP on Netty: {}", why);
        if (config.udpLanes() > 1) {
            LOG.warn("dns.udpLanes {} ignored: lanes need the batched UDP loop ({})", config.udpLanes(), why);
        }
        return false;
    }

    private void bindAll(InetAddress bind, boolean epoll, int threads, boolean batched) throws IOException {
        int actual;
        if (batched) {
            DnsConfig.RateLimit prefixes = config.rateLimit(); // a lane per client network as RRL counts them
            mmsg = MmsgUdpListener.open(bind, config.port(), new ClientPrefixSteering(threads, udpLanes(),
                    prefixes.ipv4PrefixLength(), prefixes.ipv6PrefixLength()), quarantine,
                    this::answerUdp, metrics);
            actual = mmsg.port();
        } else {
            actual = bindNettyUdp(bind, epoll, epoll ? threads : 1);
        }
        bindTcp(bind, epoll, actual);
        if (mmsg != null) {
            mmsg.start();
        }
        port = actual;
    }

    private int bindNettyUdp(InetAddress bind, boolean epoll, int udpSockets) {
        UdpQueryHandler udpHandler = new UdpQueryHandler(chain, metrics);
        Bootstrap udp = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .handler(udpHandler);
        if (epoll) {
            // recvmmsg: up to RECV_BATCH datagrams of at most MAX_DATAGRAM bytes per system call
            // (larger ones are cut, as before with one 4 KiB buffer); replies queued during one
            // batch leave together on the flush after it (sendmmsg).
            udp.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * RECV_BATCH))
                    // no fragments at a learnt path MTU, as on the batched path (MmsgSocket.open says why)
                    .option(IP_MTU_DISCOVER, MmsgSocket.PMTUDISC_OMIT);
            if (bind instanceof Inet6Address) {
                udp.option(IPV6_MTU_DISCOVER, MmsgSocket.PMTUDISC_OMIT);
            }
        } else {
            udp.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
            LOG.warn("DNS UDP on NIO: answers follow the path MTU the kernel learns (IP_PMTUDISC_OMIT needs epoll or"
                    + " the batched loop), so a forged ICMP message can have larger answers fragmented");
        }
        Channel first = udp.bind(bind, config.port()).syncUninterruptibly().channel();
        channels.add(first);
        int actual = ((InetSocketAddress) first.localAddress()).getPort();
        for (int i = 1; i < udpSockets; i++) {
            channels.add(udp.bind(bind, actual).syncUninterruptibly().channel());
        }
        return actual;
    }

    private void bindTcp(InetAddress bind, boolean epoll, int actual) {
        TcpQueryHandler tcpHandler = new TcpQueryHandler(chain, metrics);
        int idle = config.tcpIdleTimeoutSeconds();
        ServerBootstrap tcp = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetAddress client = ch.remoteAddress().getAddress();
                        String refused = tcpAdmission.admit(client);
                        if (refused != null) {
                            metrics.countTcpRefused();
                            if (refusalLog.mayLog(client.hashCode(), clock.millis())) {
                                LOG.info("DNS TCP connection from {} refused: {} (refused so far: {})",
                                        client.getHostAddress(), refused, metrics.tcpRefused());
                            }
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> tcpAdmission.release(client));
                        ch.pipeline().addLast(
                                new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                                // after the framing: only whole queries count as reading, so a
                                // client trickling bytes of a frame is closed like an idle one
                                new IdleStateHandler(idle, 0, 0, TimeUnit.SECONDS),
                                new LengthFieldPrepender(2),
                                tcpHandler);
                    }
                });
        channels.add(tcp.bind(bind, actual).syncUninterruptibly().channel());
    }

    private InetAddress bindAddress() {
        try {
            return InetAddress.getByName(config.bindAddress()); // a validated literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("dns.bindAddress: got '" + config.bindAddress() + "'", e);
        }
    }

    /** The port UDP and TCP listen on (after {@link #start()}). */
    public synchronized int port() {
        if (port < 0) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    public int udpPort() {
        return port();
    }

    public int tcpPort() {
        return port();
    }

    public DnsMetrics metrics() {
        return metrics;
    }

    /** TCP connections open now. */
    public int openTcpConnections() {
        return tcpAdmission.open();
    }

    public DnsConfig config() {
        return config;
    }

    /** UDP answers sent through AF_XDP so far (0 without dns.xdpInterfaces). */
    public long xdpAnswers() {
        return metrics.xdpAnswers();
    }

    /** How UDP is served: "udp: recvmmsg/sendmmsg", "udp: epoll" or "udp: nio" (after {@link #start()}). */
    public synchronized String udpIo() {
        return udpIo;
    }

    /** A UDP query's answer (null: none), for both raw UDP paths. */
    private byte[] answerUdp(byte[] wire, InetAddress source) {
        return chain.handle(wire, source, false);
    }

    /** Why the XDP path could not be set up: start() fails then, since it was asked for. */
    private static final class XdpFailure extends RuntimeException {
        XdpFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The XDP path on {@code dns.xdpInterfaces} (none: nothing), once the sockets hold the port. */
    private void startXdp(InetAddress bind) {
        if (config.xdpInterfaces().isEmpty()) {
            return;
        }
        try { // where XDP cannot be bound here, open says why (XdpNative.libc())
            xdp = XdpUdpListener.open(config.xdpInterfaces(), bind, port, this::answerUdp, metrics);
        } catch (IOException e) {
            throw new XdpFailure(e);
        }
        xdp.start();
        udpIo += "; XDP on " + String.join(", ", xdp.sockets());
    }

    private void closeChannels() {
        if (xdp != null) { // first: the kernel's sockets take the port's queries again
            long[] drops = xdp.drops(); // while the sockets are open
            xdp.close();
            LOG.info("DNS XDP on port {} closed: {} answers; frames the kernel dropped on receive {}, invalid TX"
                    + " descriptors {}, refused kicks {}", port, metrics.xdpAnswers(), drops[0], drops[1], drops[2]);
            xdp = null;
        }
        if (mmsg != null) {
            mmsg.close();
            mmsg = null;
        }
        for (Channel c : channels) {
            c.close().awaitUninterruptibly();
        }
        channels.clear();
    }

    /** Stops listening and releases the threads. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        closeChannels();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        group = null;
        LOG.info("DNS on port {} closed; counters: {}", port, metrics.snapshot());
        port = -1;
    }

}
