package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.net.Cidr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import static dev.tendril.root.adapter.in.dns.ClassicBpf.*;

/**
 * The client networks the rate limiter is limiting, and a classic BPF program for the UDP
 * port's SO_REUSEPORT group ({@code SO_ATTACH_REUSEPORT_CBPF}) that sends their datagrams to a
 * socket of their own, read by a thread of its own. Everyone else's datagrams go, as before,
 * to the socket of the thread their source port picks, whose thread blocks in
 * {@code recvmmsg} as it did without a quarantine: no extra system call, only this program,
 * a few loads and compares per datagram.
 *
 * <p>Why: a flood the rate limiter refuses still costs a read, a look-up and, for every
 * {@code slip}-th datagram, a truncated answer. It arrives in bursts (a flooding dnsperf
 * sends as its timed-out queries free their slots), and a bystander's query that lands in
 * one socket's queue behind such a burst waits for all of it. In quarantine, the burst waits
 * in its own queue, the kernel drops what overflows it, and its thread runs in SCHED_IDLE
 * (nice +10 where that is refused), so on a busy machine any thread answering everyone else
 * that wakes takes the CPU from it at once.
 *
 * <p>A network is the rate limiter's prefix (/24 and /56 by default). It enters when a
 * response to it is limited ({@link #limited}, from the query threads) and leaves
 * {@code holdMillis} after its last limited response (a {@link #sweep}). At most
 * {@code capacity} networks are in quarantine at once; beyond that a limited network stays
 * where it is (its limited answers counted in {@link #turnedAway}). The set is small on purpose: the program
 * compares a datagram's source with each network in turn.
 *
 * <p>The group's sockets, in bind order: {@code threads} sockets (thread {@code t} reads
 * socket {@code t}; the source port picks it: {@code port % threads}), then the quarantine's.
 * {@link #socketFor} is the program's choice in Java, which the tests hold the kernel's
 * against. The program reads the IP header through {@code SKF_NET_OFF}, as
 * {@link ClientPrefixSteering} does (and has its limits on IPv4 options and IPv6 extension
 * headers: such a datagram is steered by other bytes, a fixed choice all the same).
 */
final class FloodQuarantine {
    private static final long REFRESH_MILLIS = 100; // a network's last-limited time is kept to this grain

    /** A network in quarantine: its family, its prefix bits (IPv4 in the low 32), its CIDR text, when it was last limited. */
    private static final class Entry {
        final boolean v6;
        final long bits;
        final String network;
        volatile long lastLimited;

        Entry(boolean v6, long bits, String network, long now) {
            this.v6 = v6;
            this.bits = bits;
            this.network = network;
            this.lastLimited = now;
        }
    }

    private final int threads;
    private final Clock clock;
    private final int capacity;
    private final long holdMillis;
    private final int ipv4Length;
    private final int ipv6Length;
    private final int mask4;
    private final long mask6;
    private volatile Entry[] entries = new Entry[0];
    private volatile boolean active;
    private boolean changed; // guarded by this
    private final LongAdder turnedAway = new LongAdder();

    /**
     * @param threads          threads reading the port's other sockets (at least 1)
     * @param clock            the query chain's clock, which times {@link #limited} too
     * @param capacity         networks in quarantine at most (1-64)
     * @param holdMillis       a network leaves this long after its last limited response
     * @param ipv4PrefixLength the rate limiter's IPv4 network (8-32)
     * @param ipv6PrefixLength the rate limiter's IPv6 network (16-64)
     */
    FloodQuarantine(int threads, Clock clock, int capacity, long holdMillis, int ipv4PrefixLength, int ipv6PrefixLength) {
        if (threads < 1 || capacity < 1 || capacity > 64 || holdMillis < 1 || ipv4PrefixLength < 8 || ipv4PrefixLength > 32
                || ipv6PrefixLength < 16 || ipv6PrefixLength > 64) {
            throw new IllegalArgumentException("threads " + threads + ", capacity " + capacity + ", hold " + holdMillis
                    + " ms, prefixes /" + ipv4PrefixLength + " /" + ipv6PrefixLength);
        }
        this.threads = threads;
        this.clock = clock;
        this.capacity = capacity;
        this.holdMillis = holdMillis;
        this.ipv4Length = ipv4PrefixLength;
        this.ipv6Length = ipv6PrefixLength;
        this.mask4 = Cidr.ipv4Mask(ipv4PrefixLength);
        this.mask6 = -1L << (64 - ipv6PrefixLength);
    }

    /** Threads reading the other sockets; the quarantine's socket is the group's socket number {@code threads()}. */
    int threads() {
        return threads;
    }

    /**
     * Starts taking note of limited networks: once the program is attached (before, a limited
     * response changes nothing, so a root without the batched UDP loop keeps no set).
     */
    void activate() {
        active = true;
    }

    /**
     * A response to {@code client} was limited (dropped or sent truncated). Cheap when its
     * network is in quarantine already (a scan of at most {@code capacity} entries); otherwise
     * it enters, if there is room, and {@link #awaitChange} returns.
     */
    void limited(InetAddress client, long nowMillis) {
        if (!active) {
            return;
        }
        boolean v6 = !(client instanceof Inet4Address);
        long bits = bitsOf(client, v6);
        Entry[] now = entries;
        for (Entry e : now) {
            if (e.bits == bits && e.v6 == v6) {
                if (nowMillis - e.lastLimited >= REFRESH_MILLIS) {
                    e.lastLimited = nowMillis;
                }
                return;
            }
        }
        if (now.length >= capacity) {
            turnedAway.increment(); // no lock per refused datagram while the quarantine is full
            return;
        }
        enter(client, v6, bits, nowMillis);
    }

    private synchronized void enter(InetAddress client, boolean v6, long bits, long nowMillis) {
        for (Entry e : entries) {
            if (e.bits == bits && e.v6 == v6) {
                return; // another thread put it in
            }
        }
        if (entries.length >= capacity) {
            turnedAway.increment();
            return;
        }
        Entry[] next = Arrays.copyOf(entries, entries.length + 1);
        next[entries.length] = new Entry(v6, bits, Cidr.of(client, v6 ? ipv6Length : ipv4Length).toString(), nowMillis);
        entries = next;
        changed = true;
        notifyAll();
    }

    /** {@link #sweep(long)} at the clock's time. */
    List<String> sweep() {
        return sweep(clock.millis());
    }

    /**
     * Takes the networks out whose last limited response is over {@code holdMillis} old;
     * returns those it took out.
     */
    synchronized List<String> sweep(long nowMillis) {
        List<String> out = new ArrayList<>();
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            if (nowMillis - e.lastLimited > holdMillis) {
                out.add(e.network);
            } else {
                kept.add(e);
            }
        }
        if (!out.isEmpty()) {
            entries = kept.toArray(new Entry[0]);
            changed = true;
        }
        return out;
    }

    /**
     * Waits up to {@code millis} for a network to enter (or leave: a sweep) since the last
     * call; returns whether the set changed, so the program is to be attached again.
     */
    synchronized boolean awaitChange(long millis) throws InterruptedException {
        if (!changed && millis > 0) {
            wait(millis);
        }
        boolean was = changed;
        changed = false;
        return was;
    }

    /** The networks in quarantine now, as CIDR text. */
    List<String> networks() {
        return Arrays.stream(entries).map(e -> e.network).toList();
    }

    /** Limited answers to networks that found the quarantine full (and stayed where they were), so far. */
    long turnedAway() {
        return turnedAway.sum();
    }

    /** The socket (index in bind order) the program sends a datagram from {@code source} port {@code port} to. */
    int socketFor(InetAddress source, int port) {
        boolean v6 = !(source instanceof Inet4Address);
        long bits = bitsOf(source, v6);
        for (Entry e : entries) {
            if (e.bits == bits && e.v6 == v6) {
                return threads;
            }
        }
        return Integer.remainderUnsigned(port & 0xFFFF, threads);
    }

    /**
     * The program for the networks in quarantine now, as {@code struct sock_filter[]} ({code,
     * jt, jf, k}: 8 bytes each, native byte order). Each IPv4 network costs two instructions,
     * each IPv6 one five; a datagram runs through its family's list.
     */
    ByteBuffer program() {
        Entry[] now = entries;
        int quarantine = threads;
        List<int[]> code = new ArrayList<>();
        code.add(new int[]{LD_B_ABS, 0, 0, NET});            // A = first byte of the IP header
        code.add(new int[]{ALU_RSH_K, 0, 0, 4});              // A = IP version
        code.add(new int[]{JMP_JEQ_K, 0, 1, 6});              // 6: to the long jump below
        int toV6 = code.size();
        code.add(new int[]{JMP_JA, 0, 0, 0});                 // to the IPv6 part (patched)
        code.add(new int[]{LD_W_ABS, 0, 0, NET + 12});        // IPv4 source address
        code.add(new int[]{ALU_AND_K, 0, 0, mask4});          // its network
        for (Entry e : now) {
            if (!e.v6) {
                code.add(new int[]{JMP_JEQ_K, 0, 1, (int) e.bits});
                code.add(new int[]{RET_K, 0, 0, quarantine});
            }
        }
        code.add(new int[]{LD_H_ABS, 0, 0, NET + 20});        // A = UDP source port
        int toPick = code.size();
        code.add(new int[]{JMP_JA, 0, 0, 0});                 // to the thread's pick (patched)
        code.get(toV6)[3] = code.size() - toV6 - 1;
        code.add(new int[]{LD_W_ABS, 0, 0, NET + 8});         // IPv6 source, bits 0-31
        code.add(new int[]{ALU_AND_K, 0, 0, (int) (mask6 >>> 32)});
        code.add(new int[]{ST, 0, 0, 0});                     // M[0]
        code.add(new int[]{LD_W_ABS, 0, 0, NET + 12});        // bits 32-63
        code.add(new int[]{ALU_AND_K, 0, 0, (int) mask6});
        code.add(new int[]{TAX, 0, 0, 0});                    // X = bits 32-63 of the network
        for (Entry e : now) {
            if (e.v6) {
                code.add(new int[]{LD_MEM, 0, 0, 0});
                code.add(new int[]{JMP_JEQ_K, 0, 3, (int) (e.bits >>> 32)});
                code.add(new int[]{TXA, 0, 0, 0});
                code.add(new int[]{JMP_JEQ_K, 0, 1, (int) e.bits});
                code.add(new int[]{RET_K, 0, 0, quarantine});
            }
        }
        code.add(new int[]{LD_H_ABS, 0, 0, NET + 40});        // A = UDP source port
        code.get(toPick)[3] = code.size() - toPick - 1;
        code.add(new int[]{ALU_MOD_K, 0, 0, threads});        // the thread's socket = port % threads
        code.add(new int[]{RET_A, 0, 0, 0});
        return ClassicBpf.encode(code);
    }

    private long bitsOf(InetAddress client, boolean v6) {
        if (!v6) {
            return (Cidr.ipv4Bits((Inet4Address) client) & mask4) & 0xFFFFFFFFL;
        }
        return ByteBuffer.wrap(client.getAddress()).getLong(0) & mask6;
    }
}
