package dev.tendril.root.adapter.in.dns;

import java.nio.ByteBuffer;

/**
 * The Ethernet, IPv4 and UDP headers of the frames the XDP path reads and writes: a query's
 * frame checked and its fields read, and the answer's frame written back to where the query
 * came from. Pure functions over a buffer (no I/O), so every rule here has a unit test.
 *
 * <p>A query is taken only when it is an untagged IPv4 frame with a 20-byte header (no options),
 * a valid header checksum, not a fragment, UDP, and lengths that agree (the IP total length
 * within the frame, the UDP length within the IP packet and at least 8), between unicast MAC
 * addresses and unicast IPv4 addresses (a spoofed broadcast or multicast source would turn the
 * answer into one for the whole link). Everything else is
 * left to the kernel by the XDP program, or dropped here and counted. The UDP checksum of a
 * query is not checked: on the loopback interface the kernel leaves only the pseudo-header's
 * partial sum in it (the checksum is "offloaded" to a device that never computes it), and on a
 * real link the frame's CRC covers it, as in Knot's XDP mode. The answer's UDP checksum is
 * always computed.
 */
final class XdpFrames {
    static final int ETHERNET = 14;
    static final int IPV4 = 20;
    static final int UDP = 8;
    /** Header bytes in front of a DNS message. */
    static final int HEADERS = ETHERNET + IPV4 + UDP;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTO_UDP = 17;
    private static final int ANSWER_TTL = 64;
    private static final int DONT_FRAGMENT = 0x4000;

    private XdpFrames() {
    }

    /**
     * The length of the DNS message in the query frame at {@code at} ({@code length} bytes of
     * {@code frame}), or -1 when the frame is not one the XDP path answers (see the class).
     */
    static int queryPayload(ByteBuffer frame, int at, int length) {
        if (length < HEADERS) {
            return -1;
        }
        if (u16(frame, at + 12) != ETHERTYPE_IPV4 || u8(frame, at + 14) != 0x45 || u8(frame, at + 23) != PROTO_UDP) {
            return -1;
        }
        if ((u8(frame, at) & 1) != 0 || (u8(frame, at + 6) & 1) != 0) {
            return -1; // a group MAC on either side: the answer would go out from, or to, every host of the link
        }
        if (!unicast(u8(frame, at + 26)) || !unicast(u8(frame, at + 30))) {
            return -1; // from or to 0/8, multicast, 240/4 or broadcast: the kernel answers none of those either
        }
        if ((u16(frame, at + 20) & 0x3FFF) != 0) { // more fragments, or a fragment's offset
            return -1;
        }
        int total = u16(frame, at + 16);
        if (total < IPV4 + UDP || total > length - ETHERNET || checksum(frame, at + ETHERNET, IPV4, 0) != 0) {
            return -1;
        }
        int udpLength = u16(frame, at + 38);
        if (udpLength < UDP || udpLength > total - IPV4 || sourcePort(frame, at) == 0) {
            return -1; // port 0: the kernel's sockets refuse to send there, so the socket path never answers it
        }
        return udpLength - UDP;
    }

    /** Whether an IPv4 address with this first byte can be a unicast host's: not 0/8, 224/4 or 240/4. */
    private static boolean unicast(int firstByte) {
        return firstByte != 0 && firstByte < 224;
    }

    /** The query's source IPv4 address (network order in the int's bytes, high byte first). */
    static int source(ByteBuffer frame, int at) {
        return frame.getInt(at + 26);
    }

    /** The query's source UDP port. */
    static int sourcePort(ByteBuffer frame, int at) {
        return u16(frame, at + 34);
    }

    /** The query's destination IPv4 address (network order, as {@link #source}). */
    static int destination(ByteBuffer frame, int at) {
        return frame.getInt(at + 30);
    }

    /** The query's destination UDP port. */
    static int destinationPort(ByteBuffer frame, int at) {
        return u16(frame, at + 36);
    }

    /**
     * Writes the answer frame at {@code to} for the query frame at {@code from} (the two may be
     * the same place: the query's fields are read before any is written): the MAC addresses,
     * IPv4 addresses and ports swapped, the query's TOS, TTL 64, don't-fragment set, both
     * checksums computed, {@code payload} after the headers. Returns the frame's length.
     */
    static int writeAnswer(ByteBuffer frame, int from, int to, byte[] payload) {
        long macs0 = frame.getLong(from);      // destination MAC (6) + 2 bytes of the source MAC
        int macs1 = frame.getInt(from + 8);    // the source MAC's last 4 bytes
        int tos = u8(frame, from + 15);
        int client = source(frame, from);
        int server = destination(frame, from);
        int clientPort = sourcePort(frame, from);
        int serverPort = destinationPort(frame, from);

        // Ethernet: to the query's source MAC, from its destination MAC
        for (int i = 0; i < 6; i++) {
            frame.put(to + i, (byte) (i < 2 ? macs0 >>> (8 * (1 - i)) : macs1 >>> (8 * (5 - i))));
            frame.put(to + 6 + i, (byte) (macs0 >>> (8 * (7 - i))));
        }
        frame.putShort(to + 12, (short) ETHERTYPE_IPV4);
        int ip = to + ETHERNET;
        int total = IPV4 + UDP + payload.length;
        frame.put(ip, (byte) 0x45).put(ip + 1, (byte) tos).putShort(ip + 2, (short) total);
        frame.putShort(ip + 4, (short) 0).putShort(ip + 6, (short) DONT_FRAGMENT); // id 0 with DF, as the kernel sends
        frame.put(ip + 8, (byte) ANSWER_TTL).put(ip + 9, (byte) PROTO_UDP).putShort(ip + 10, (short) 0);
        frame.putInt(ip + 12, server).putInt(ip + 16, client);
        frame.putShort(ip + 10, (short) checksum(frame, ip, IPV4, 0));
        int udp = ip + IPV4;
        int udpLength = UDP + payload.length;
        frame.putShort(udp, (short) serverPort).putShort(udp + 2, (short) clientPort);
        frame.putShort(udp + 4, (short) udpLength).putShort(udp + 6, (short) 0);
        frame.put(udp + UDP, payload);
        long pseudo = (server >>> 16) + (server & 0xFFFF) + (client >>> 16) + (client & 0xFFFF) + PROTO_UDP + udpLength;
        int sum = checksum(frame, udp, udpLength, pseudo);
        frame.putShort(udp + 6, (short) (sum == 0 ? 0xFFFF : sum)); // RFC 768: a computed 0 is sent as all ones
        return ETHERNET + total;
    }

    /**
     * The Internet checksum (RFC 1071) of {@code length} bytes at {@code at} of a big-endian
     * buffer, with {@code initial} added to the sum (a pseudo-header's words). 0 over a header
     * that holds its right checksum.
     */
    static int checksum(ByteBuffer frame, int at, int length, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 8 <= length; i += 8) { // four words per read: the sum was 5 % of the XDP thread's time a word at a time
            long v = frame.getLong(at + i);
            sum += (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
        }
        for (; i + 1 < length; i += 2) {
            sum += u16(frame, at + i);
        }
        if (i < length) {
            sum += u8(frame, at + i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }
}
