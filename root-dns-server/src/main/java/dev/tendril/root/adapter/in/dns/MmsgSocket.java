package dev.tendril.root.adapter.in.dns;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A UDP socket read and written in batches with Linux's {@code recvmmsg} and {@code sendmmsg}
 * on the raw file descriptor, libc bound through jnr-ffi: per batch one blocking
 * {@code recvmmsg(MSG_WAITFORONE)} (it returns as soon as one datagram is there, with every
 * other one already queued, up to {@link #BATCH}) and one {@code sendmmsg} for the replies.
 * Two system calls per batch; Netty's epoll loop makes four (epoll wait, recvmmsg, a
 * getsockopt for UDP GRO, sendmmsg).
 *
 * <p>All message headers, addresses and datagram buffers live in one direct buffer laid out
 * once; a reply is written over its query's buffer and sent to the query's source address as
 * received. One thread uses a socket ({@link #receive}, {@link #datagram}, {@link #reply},
 * {@link #flush}); {@link #wake} may be called from any thread.
 *
 * <pre>{@code
 * MmsgSocket s = MmsgSocket.open(InetAddress.getByName("127.0.0.1"), 0);
 * int n = s.receive();                       // blocks; 0 after wake() or a quiet second
 * for (int i = 0; i < n; i++) s.reply(i, answer(s.datagram(i), s.source(i)));
 * s.flush();                                 // one sendmmsg
 * }</pre>
 *
 * Datagrams longer than {@link #MAX_DATAGRAM} are cut to it (as Netty's path did). Linux on
 * x86-64 or AArch64 only: {@link #unavailable()} says why it cannot be used elsewhere.
 */
final class MmsgSocket implements AutoCloseable {
    /** Datagrams per system call at most. */
    static final int BATCH = 64;
    /** Longest datagram read, and longest reply written. */
    static final int MAX_DATAGRAM = 4096;

    // Linux constants (the same on x86-64 and AArch64)
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_REUSEPORT = 15;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    private static final int SO_DETACH_REUSEPORT_BPF = 68;
    static final int SOL_IP = 0;
    static final int IP_MTU_DISCOVER = 10;
    static final int SOL_IPV6 = 41;
    static final int IPV6_MTU_DISCOVER = 23;
    /** IP_PMTUDISC_OMIT and IPV6_PMTUDISC_OMIT (Linux 3.15): ignore path MTU information, send without DF. */
    static final int PMTUDISC_OMIT = 5;
    private static final int MSG_WAITFORONE = 0x10000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int SHUT_RD = 0;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    // LP64 layouts: struct mmsghdr {struct msghdr (56 bytes); unsigned msg_len;} padded to 64
    private static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    private static final int SOCKADDR = 32; // room for sockaddr_in6 (28)
    private static final int SOCKADDR_IN6_LEN = 28;
    private static final int SOCKADDR_IN_LEN = 16;

    private static final int RX = 0;
    private static final int TX = RX + BATCH * MMSGHDR;
    private static final int RX_IOV = TX + BATCH * MMSGHDR;
    private static final int TX_IOV = RX_IOV + BATCH * IOVEC;
    private static final int NAMES = TX_IOV + BATCH * IOVEC;
    private static final int SCRATCH = NAMES + BATCH * SOCKADDR;
    private static final int BUFFERS = SCRATCH + 64;
    private static final int SIZE = BUFFERS + BATCH * MAX_DATAGRAM;

    /** The part of libc the socket uses. Pointers are passed as addresses ({@code long}). */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int setsockopt(int fd, int level, int name, long value, int length);

        @SaveError
        int bind(int fd, long address, int length);

        @SaveError
        int getsockname(int fd, long address, long length);

        @SaveError
        int recvmmsg(int fd, long messages, int count, int flags, long timeout);

        @SaveError
        int sendmmsg(int fd, long messages, int count, int flags);

        @SaveError
        int epoll_create1(int flags);

        @SaveError
        int epoll_ctl(int epfd, int op, int fd, long event);

        @SaveError
        int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

        @SaveError
        int setpriority(int which, int who, int priority);

        @SaveError
        int sched_setscheduler(int pid, int policy, long param);

        int shutdown(int fd, int how);

        int close(int fd);

        String strerror(int errno);
    }

    private static final Object LOCK = new Object();
    private static LibC libc;
    private static jnr.ffi.Runtime runtime;
    private static String unavailable;

    private final int fd;
    private final boolean ipv6;
    private final ByteBuffer mem;
    private final long base;
    private final int localPort;
    private int received;
    private int queued;
    private long sendFailures;
    private volatile boolean closed;
    private boolean released;
    // the last source address seen, so a burst from one client makes one InetAddress
    private final byte[] lastSourceBytes = new byte[16];
    private int lastSourceLength;
    private InetAddress lastSource;

    private MmsgSocket(int fd, boolean ipv6, ByteBuffer mem, long base, int localPort) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.mem = mem;
        this.base = base;
        this.localPort = localPort;
    }

    /** Why batched UDP cannot be used here (not Linux x86-64/AArch64, or libc not bound), or null when it can. */
    static String unavailable() {
        synchronized (LOCK) {
            if (libc == null && unavailable == null) {
                LinuxLibc.Binding<LibC> b = LinuxLibc.bind(LibC.class, "recvmmsg/sendmmsg");
                libc = b.libc();
                runtime = b.runtime();
                unavailable = b.unavailable();
            }
            return unavailable;
        }
    }

    /**
     * A UDP socket bound to {@code address} and {@code port} (0: a free port) with SO_REUSEPORT,
     * so several can share a port (one per thread). Throws IOException naming the call that failed.
     */
    static MmsgSocket open(InetAddress address, int port) throws IOException {
        return open(address, port, null);
    }

    /**
     * As {@link #open(InetAddress, int)}, with the headers and datagram buffers (256 KiB) of
     * {@code buffersOf} (null: its own): for sockets of one address family that one thread uses
     * one after the other, each batch read, answered and flushed before the next socket's receive.
     */
    static MmsgSocket open(InetAddress address, int port, MmsgSocket buffersOf) throws IOException {
        String why = unavailable();
        if (why != null) {
            throw new IOException(why);
        }
        boolean v6 = address instanceof Inet6Address;
        int fd = libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket");
        }
        try {
            ByteBuffer mem = buffersOf != null ? buffersOf.mem : ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
            long base = buffersOf != null ? buffersOf.base : Pointer.wrap(runtime, mem).address();
            setInt(fd, mem, base, SO_REUSEPORT, 1, "SO_REUSEPORT");
            setInt(fd, mem, base, SO_RCVBUF, 4 << 20, "SO_RCVBUF");
            // Answers are fragmented at the interface's MTU at most, never at a path MTU learnt from
            // ICMP: a forged "fragmentation needed" for a resolver's address would otherwise make the
            // kernel split every larger answer to it, and a spoofed second fragment can then poison
            // the resolver's cache (RFC 9715; gdnsd and BIND do the same). A dual-stack socket sends
            // to IPv4 clients under the IPv4 option, so an IPv6 socket sets both.
            setInt(fd, mem, base, SOL_IP, IP_MTU_DISCOVER, PMTUDISC_OMIT, "IP_MTU_DISCOVER");
            if (v6) {
                setInt(fd, mem, base, SOL_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_OMIT, "IPV6_MTU_DISCOVER");
            }
            // a blocked receive also returns after a quiet second, a safety net for close()
            mem.putLong(SCRATCH, 1).putLong(SCRATCH + 8, 0);
            if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, base + SCRATCH, 16) != 0) {
                throw failure("setsockopt(SO_RCVTIMEO)");
            }
            int len = writeSockaddr(mem, SCRATCH, address, port);
            if (libc.bind(fd, base + SCRATCH, len) != 0) {
                throw failure("bind to " + address.getHostAddress() + " port " + port);
            }
            mem.putInt(SCRATCH + 32, SOCKADDR);
            if (libc.getsockname(fd, base + SCRATCH, base + SCRATCH + 32) != 0) {
                throw failure("getsockname");
            }
            int actual = (mem.get(SCRATCH + 2) & 0xFF) << 8 | (mem.get(SCRATCH + 3) & 0xFF);
            MmsgSocket socket = new MmsgSocket(fd, v6, mem, base, actual);
            socket.layOut();
            return socket;
        } catch (IOException | RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    private static void setInt(int fd, ByteBuffer mem, long base, int option, int value, String name) throws IOException {
        setInt(fd, mem, base, SOL_SOCKET, option, value, name);
    }

    private static void setInt(int fd, ByteBuffer mem, long base, int level, int option, int value, String name)
            throws IOException {
        mem.putInt(SCRATCH, value);
        if (libc.setsockopt(fd, level, option, base + SCRATCH, 4) != 0) {
            throw failure("setsockopt(" + name + ")");
        }
    }

    private static IOException failure(String call) {
        int errno = runtime.getLastError();
        return new IOException(call + ": " + libc.strerror(errno) + " (errno " + errno + ")");
    }

    private static int writeSockaddr(ByteBuffer mem, int at, InetAddress address, int port) {
        for (int i = 0; i < SOCKADDR; i++) {
            mem.put(at + i, (byte) 0);
        }
        byte[] a = address.getAddress();
        mem.put(at + 2, (byte) (port >>> 8)).put(at + 3, (byte) port);
        if (address instanceof Inet6Address v6) {
            mem.putShort(at, (short) AF_INET6);
            mem.put(at + 8, a);
            mem.putInt(at + 24, v6.getScopeId());
            return SOCKADDR_IN6_LEN;
        }
        mem.putShort(at, (short) AF_INET);
        mem.put(at + 4, a);
        return SOCKADDR_IN_LEN;
    }

    /** Points every receive header at its address slot and buffer, once. */
    private void layOut() {
        for (int i = 0; i < BATCH; i++) {
            int rx = RX + i * MMSGHDR;
            mem.putLong(rx + MSG_NAME, base + NAMES + (long) i * SOCKADDR);
            mem.putInt(rx + MSG_NAMELEN, SOCKADDR);
            mem.putLong(rx + MSG_IOV, base + RX_IOV + (long) i * IOVEC);
            mem.putLong(rx + MSG_IOVLEN, 1);
            mem.putLong(RX_IOV + i * IOVEC, base + BUFFERS + (long) i * MAX_DATAGRAM);
            mem.putLong(RX_IOV + i * IOVEC + 8, MAX_DATAGRAM);
            int tx = TX + i * MMSGHDR;
            mem.putLong(tx + MSG_IOV, base + TX_IOV + (long) i * IOVEC);
            mem.putLong(tx + MSG_IOVLEN, 1);
        }
    }

    /** The port bound. */
    int localPort() {
        return localPort;
    }

    /**
     * Waits for datagrams and reads those queued, up to {@link #BATCH}: their number; 0 after
     * {@link #wake()}, after a quiet second, or when interrupted by a signal. Replies queued
     * and not flushed are dropped.
     */
    int receive() throws IOException {
        return receive(MSG_WAITFORONE);
    }

    /** As {@link #receive()}, but never waits: 0 when nothing is queued. */
    int receiveNow() throws IOException {
        return receive(MSG_DONTWAIT);
    }

    private int receive(int flags) throws IOException {
        for (int i = 0; i < received; i++) {
            mem.putInt(RX + i * MMSGHDR + MSG_NAMELEN, SOCKADDR); // the kernel wrote the actual length
        }
        received = 0;
        queued = 0;
        if (closed) {
            return 0;
        }
        int n = libc.recvmmsg(fd, base + RX, BATCH, flags, 0L);
        if (closed) {
            return 0; // after shutdown the kernel reports empty "datagrams": not from any client
        }
        if (n < 0) {
            int errno = runtime.getLastError();
            if (errno == EINTR || errno == EAGAIN || closed) {
                return 0;
            }
            throw new IOException("recvmmsg: " + libc.strerror(errno) + " (errno " + errno + ")");
        }
        received = n;
        return n;
    }

    /**
     * Attaches {@code steering}'s program to the SO_REUSEPORT group of {@code member} (bound
     * already; the group's sockets are indexed in the order they were bound). Throws
     * IOException naming the error when the kernel refuses it.
     */
    static void steer(MmsgSocket member, ClientPrefixSteering steering) throws IOException {
        steer(member, steering.program());
    }

    /**
     * Attaches {@code program} ({@code struct sock_filter[]}, native byte order) to the
     * SO_REUSEPORT group of {@code member}, replacing any program there. Throws IOException
     * naming the error when the kernel refuses it.
     */
    static void steer(MmsgSocket member, ByteBuffer program) throws IOException {
        ByteBuffer fprog = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()); // struct sock_fprog (LP64)
        fprog.putShort(0, (short) (program.capacity() / 8)).putLong(8, Pointer.wrap(runtime, program).address());
        if (libc.setsockopt(member.fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, Pointer.wrap(runtime, fprog).address(), 16) != 0) {
            throw failure("setsockopt(SO_ATTACH_REUSEPORT_CBPF)");
        }
    }

    /**
     * Detaches the program of {@code member}'s SO_REUSEPORT group (Linux 5.8 and later): the
     * kernel's flow hash picks the socket again. Throws IOException naming the error.
     */
    static void unsteer(MmsgSocket member) throws IOException {
        ByteBuffer unused = ByteBuffer.allocateDirect(4); // not the socket's scratch: its reader may be using it
        if (libc.setsockopt(member.fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, Pointer.wrap(runtime, unused).address(), 4) != 0) {
            throw failure("setsockopt(SO_DETACH_REUSEPORT_BPF)");
        }
    }

    /**
     * Sets the nice value of the calling thread (Linux: a thread is a PRIO_PROCESS of its own
     * id). Throws IOException when libc or the kernel refuses.
     */
    static void niceCurrentThread(int nice) throws IOException {
        if (libc.setpriority(0 /* PRIO_PROCESS */, currentThreadId(), nice) != 0) {
            throw failure("setpriority(" + nice + ")");
        }
    }

    /**
     * Puts the calling thread in SCHED_IDLE: it runs only on CPU time no other thread of the
     * machine wants, and any other thread that wakes takes its CPU at once (with a nice value,
     * the waking thread may wait out the running one's slice). Throws IOException when libc or
     * the kernel refuses.
     */
    static void idleCurrentThread() throws IOException {
        ByteBuffer param = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()); // struct sched_param {0}
        if (libc.sched_setscheduler(currentThreadId(), 5 /* SCHED_IDLE */, Pointer.wrap(runtime, param).address()) != 0) {
            throw failure("sched_setscheduler(SCHED_IDLE)");
        }
    }

    /** The calling thread's kernel id; IOException when libc is not bound or it cannot be read. */
    private static int currentThreadId() throws IOException {
        String why = unavailable();
        if (why != null) {
            throw new IOException(why);
        }
        try { // "/proc/thread-self" links to "<pid>/task/<tid>": the id without a gettid binding
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (NumberFormatException | UnsupportedOperationException e) {
            throw new IOException("cannot read this thread's id from /proc/thread-self: " + e.getMessage(), e);
        }
    }

    /**
     * An epoll set over the sockets one thread reads: {@link #await} waits until one has a
     * datagram queued (or was woken by {@link #wake()}) and says which, in the order they
     * became readable (a socket still readable after its turn goes to the back). Used by that
     * one thread; {@link #close()} after it stopped.
     */
    static final class Lanes implements AutoCloseable {
        // struct epoll_event is packed on x86-64 (12 bytes), naturally aligned on AArch64 (16)
        private static final boolean PACKED = !"aarch64".equals(System.getProperty("os.arch"));
        private static final int EVENT = PACKED ? 12 : 16;
        private static final int DATA = PACKED ? 4 : 8;

        private final int epfd;
        private final ByteBuffer events;
        private final long eventsAddress;
        private final int count;
        private int ready;
        private boolean closed;

        /** An epoll set over {@code sockets}; {@link #lane} answers with their index in it. */
        Lanes(MmsgSocket[] sockets) throws IOException {
            String why = unavailable();
            if (why != null) {
                throw new IOException(why);
            }
            count = sockets.length;
            events = ByteBuffer.allocateDirect(EVENT * count).order(ByteOrder.nativeOrder());
            eventsAddress = Pointer.wrap(runtime, events).address();
            epfd = libc.epoll_create1(EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw failure("epoll_create1");
            }
            for (int k = 0; k < count; k++) {
                events.putInt(0, EPOLLIN).putLong(DATA, k);
                if (libc.epoll_ctl(epfd, EPOLL_CTL_ADD, sockets[k].fd, eventsAddress) != 0) {
                    IOException e = failure("epoll_ctl");
                    libc.close(epfd);
                    throw e;
                }
            }
        }

        /** Waits at most {@code timeoutMillis} for readable sockets: how many (0 on timeout or a signal). */
        int await(int timeoutMillis) throws IOException {
            int n = libc.epoll_wait(epfd, eventsAddress, count, timeoutMillis);
            if (n < 0) {
                int errno = runtime.getLastError();
                ready = 0;
                if (errno == EINTR) {
                    return 0;
                }
                throw new IOException("epoll_wait: " + libc.strerror(errno) + " (errno " + errno + ")");
            }
            ready = n;
            return n;
        }

        /** The index of the {@code i}-th readable socket of the last {@link #await}. */
        int lane(int i) {
            if (i < 0 || i >= ready) {
                throw new IndexOutOfBoundsException("ready socket " + i + " of " + ready);
            }
            return (int) events.getLong(i * EVENT + DATA);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                libc.close(epfd);
            }
        }
    }

    /** A copy of datagram {@code i} of the last {@link #receive()}. */
    byte[] datagram(int i) {
        check(i);
        int len = Math.min(mem.getInt(RX + i * MMSGHDR + MSG_LEN), MAX_DATAGRAM);
        byte[] out = new byte[len];
        mem.get(BUFFERS + i * MAX_DATAGRAM, out);
        return out;
    }

    /** The source address of datagram {@code i}; an IPv4-mapped IPv6 address comes back as IPv4. */
    InetAddress source(int i) {
        check(i);
        int at = NAMES + i * SOCKADDR;
        boolean v6 = Short.toUnsignedInt(mem.getShort(at)) == AF_INET6;
        int from = v6 ? at + 8 : at + 4;
        int len = v6 ? 16 : 4;
        if (lastSource != null && len == lastSourceLength && sameBytes(from, len)) {
            return lastSource;
        }
        byte[] a = new byte[len];
        mem.get(from, a);
        try {
            lastSource = InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + len + " bytes", e); // 4 or 16: cannot happen
        }
        System.arraycopy(a, 0, lastSourceBytes, 0, len);
        lastSourceLength = len;
        return lastSource;
    }

    private boolean sameBytes(int from, int len) {
        for (int k = 0; k < len; k++) {
            if (mem.get(from + k) != lastSourceBytes[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Queues {@code reply} to the source of datagram {@code i} (written over its buffer): sent
     * by the next {@link #flush()}. A reply longer than {@link #MAX_DATAGRAM} is refused
     * (false), as is a second reply to one datagram.
     */
    boolean reply(int i, byte[] reply) {
        check(i);
        if (reply.length > MAX_DATAGRAM || queued >= BATCH) {
            return false;
        }
        int rx = RX + i * MMSGHDR;
        int tx = TX + queued * MMSGHDR;
        mem.put(BUFFERS + i * MAX_DATAGRAM, reply);
        mem.putLong(tx + MSG_NAME, mem.getLong(rx + MSG_NAME));
        mem.putInt(tx + MSG_NAMELEN, mem.getInt(rx + MSG_NAMELEN));
        int iov = TX_IOV + queued * IOVEC;
        mem.putLong(iov, base + BUFFERS + (long) i * MAX_DATAGRAM);
        mem.putLong(iov + 8, reply.length);
        queued++;
        return true;
    }

    /**
     * Sends the queued replies with {@code sendmmsg} (again for the rest when the kernel took
     * part of them); a reply the kernel refuses (e.g. to port 0) is skipped and counted in
     * {@link #sendFailures()}. Returns the number sent.
     */
    int flush() {
        int sent = 0;
        int next = 0;
        while (next < queued && !closed) {
            int n = libc.sendmmsg(fd, base + TX + (long) next * MMSGHDR, queued - next, 0);
            if (n > 0) {
                next += n;
                sent += n;
            } else if (n < 0 && runtime.getLastError() == EINTR) {
                continue;
            } else {
                next++; // the first of the rest failed: skip it, send the others
                sendFailures++;
            }
        }
        queued = 0;
        return sent;
    }

    /** Replies the kernel refused so far. */
    long sendFailures() {
        return sendFailures;
    }

    boolean ipv6() {
        return ipv6;
    }

    private void check(int i) {
        if (i < 0 || i >= received) {
            throw new IndexOutOfBoundsException("datagram " + i + " of " + received);
        }
    }

    /** Makes a blocked (or the next) {@link #receive()} return 0 at once, for good. Any thread. */
    /** Whether {@link #wake()} was called: a receive returns nothing from then on. */
    boolean woken() {
        return closed;
    }

    void wake() {
        closed = true;
        libc.shutdown(fd, SHUT_RD); // ENOTCONN for unconnected UDP, but it marks the socket and wakes the reader
    }

    /** Closes the descriptor: call after the thread using the socket has stopped. */
    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            wake();
            libc.close(fd);
        }
    }
}
