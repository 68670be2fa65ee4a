package dev.tendril.root.adapter.in.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

import static dev.tendril.root.adapter.in.dns.ClassicBpf.*;

/**
 * Which of the port's UDP sockets a datagram goes to: a classic BPF program for the kernel's
 * SO_REUSEPORT group ({@code SO_ATTACH_REUSEPORT_CBPF}), and the same arithmetic in Java
 * ({@link #socketFor}), which the tests hold the kernel's choice against.
 *
 * <p>The group holds {@code threads x lanes} sockets; thread {@code t} reads sockets
 * {@code t*lanes .. t*lanes+lanes-1} in turn. The source port picks the thread (so one busy
 * client with several ports still spreads over the threads, as the kernel's own flow hash did);
 * the client's <em>prefix</em> (the RRL's: /24 and /56 by default) picks the lane. A flood from
 * one prefix therefore fills one lane's queue in each thread, and a query from any prefix that
 * hashes to another lane waits for at most one batch of the flood's, not for its whole queue.
 * With {@code lanes} lanes, a share of 1/lanes of all prefixes shares the flooded lane.
 *
 * <p>The program reads the IP header through {@code SKF_NET_OFF} (the reuseport program's data
 * starts at the UDP payload): the version nibble, the source address and the UDP source port
 * right behind a 20-byte IPv4 or 40-byte IPv6 header (with IPv4 options or IPv6 extension
 * headers it reads other bytes there: still a fixed function of the datagram, only the thread
 * choice differs). An IPv4 datagram on a dual-stack socket is steered as IPv4.
 */
final class ClientPrefixSteering {
    private static final int GOLDEN = 0x9E3779B1;

    private final int threads;
    private final int lanes;
    private final int mask4;
    private final int mask6High;
    private final int mask6Low;

    /**
     * @param threads          reading threads (at least 1)
     * @param lanes            sockets per thread (at least 1)
     * @param ipv4PrefixLength IPv4 clients of one network of this length share a lane (8-32)
     * @param ipv6PrefixLength IPv6 clients of one network of this length share a lane (16-64)
     */
    ClientPrefixSteering(int threads, int lanes, int ipv4PrefixLength, int ipv6PrefixLength) {
        if (threads < 1 || lanes < 1 || ipv4PrefixLength < 8 || ipv4PrefixLength > 32
                || ipv6PrefixLength < 16 || ipv6PrefixLength > 64) {
            throw new IllegalArgumentException("threads " + threads + ", lanes " + lanes + ", prefixes /"
                    + ipv4PrefixLength + " /" + ipv6PrefixLength);
        }
        this.threads = threads;
        this.lanes = lanes;
        this.mask4 = -1 << (32 - ipv4PrefixLength);
        this.mask6High = ipv6PrefixLength >= 32 ? -1 : -1 << (32 - ipv6PrefixLength);
        this.mask6Low = ipv6PrefixLength <= 32 ? 0 : ipv6PrefixLength == 64 ? -1 : -1 << (64 - ipv6PrefixLength);
    }

    int threads() {
        return threads;
    }

    /** Sockets per thread. */
    int lanes() {
        return lanes;
    }

    /** Sockets in the group: threads x lanes. */
    int sockets() {
        return threads * lanes;
    }

    /** The index in the group (bind order) of the socket a datagram from {@code source} port {@code port} goes to. */
    int socketFor(InetAddress source, int port) {
        ByteBuffer a = ByteBuffer.wrap(source.getAddress()); // big-endian, as the program loads
        int key = source instanceof Inet4Address
                ? a.getInt(0) & mask4
                : (a.getInt(0) & mask6High) * GOLDEN + (a.getInt(4) & mask6Low);
        int thread = Integer.remainderUnsigned(port & 0xFFFF, threads);
        int lane = Integer.remainderUnsigned((key * GOLDEN) >>> 16, lanes);
        return thread * lanes + lane;
    }

    /** The program as {@code struct sock_filter[]} ({code, jt, jf, k}: 8 bytes each, native byte order). */
    ByteBuffer program() {
        int[][] code = {
                {LD_B_ABS, 0, 0, NET},          //  0: A = first byte of the IP header
                {ALU_RSH_K, 0, 0, 4},           //  1: A = IP version
                {JMP_JEQ_K, 5, 0, 6},           //  2: 6: to 8
                {LD_W_ABS, 0, 0, NET + 12},     //  3: IPv4 source address
                {ALU_AND_K, 0, 0, mask4},       //  4: its prefix
                {TAX, 0, 0, 0},                 //  5: X = key
                {LD_H_ABS, 0, 0, NET + 20},     //  6: A = UDP source port
                {JMP_JA, 0, 0, 10},             //  7: to 18
                {LD_W_ABS, 0, 0, NET + 8},      //  8: IPv6 source, bits 0-31
                {ALU_AND_K, 0, 0, mask6High},   //  9
                {ALU_MUL_K, 0, 0, GOLDEN},      // 10
                {ST, 0, 0, 0},                  // 11: M[0]
                {LD_W_ABS, 0, 0, NET + 12},     // 12: bits 32-63
                {ALU_AND_K, 0, 0, mask6Low},    // 13
                {LDX_MEM, 0, 0, 0},             // 14: X = M[0]
                {ALU_ADD_X, 0, 0, 0},           // 15
                {TAX, 0, 0, 0},                 // 16: X = key
                {LD_H_ABS, 0, 0, NET + 40},     // 17: A = UDP source port
                {ALU_MOD_K, 0, 0, threads},     // 18: thread = port % threads
                {ALU_MUL_K, 0, 0, lanes},       // 19
                {ST, 0, 0, 1},                  // 20: M[1] = first socket of the thread
                {TXA, 0, 0, 0},                 // 21: A = key
                {ALU_MUL_K, 0, 0, GOLDEN},      // 22
                {ALU_RSH_K, 0, 0, 16},          // 23
                {ALU_MOD_K, 0, 0, lanes},       // 24: lane
                {TAX, 0, 0, 0},                 // 25
                {LD_MEM, 0, 0, 1},              // 26
                {ALU_ADD_X, 0, 0, 0},           // 27: first socket of the thread + lane
                {RET_A, 0, 0, 0},               // 28
        };
        return ClassicBpf.encode(List.of(code));
    }
}
