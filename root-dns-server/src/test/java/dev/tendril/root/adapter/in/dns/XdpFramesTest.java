package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The frames of the XDP path: a query frame is taken only when every header rule holds (each
 * broken one alone is refused), and the answer frame goes back to where the query came from
 * with checksums a receiver accepts (checked here by an independent sum over the bytes).
 */
class XdpFramesTest {
    private static final byte[] CLIENT_MAC = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] SERVER_MAC = {0x02, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee};
    private static final int CLIENT = 0xC0000202; // 192.0.2.2
    private static final int SERVER = 0xC0000201; // 192.0.2.1
    private static final int AT = 256;            // where the kernel puts a received frame in its page

    /** A query frame at {@link #AT}: client 192.0.2.2:40000 to server 192.0.2.1:53, {@code payload} after the headers. */
    private static ByteBuffer query(byte[] payload, Consumer<ByteBuffer> change) {
        ByteBuffer f = ByteBuffer.allocate(4096);
        f.put(AT, SERVER_MAC).put(AT + 6, CLIENT_MAC).putShort(AT + 12, (short) 0x0800);
        int ip = AT + 14;
        f.put(ip, (byte) 0x45).put(ip + 1, (byte) 0x10).putShort(ip + 2, (short) (28 + payload.length));
        f.putShort(ip + 4, (short) 0x1234).putShort(ip + 6, (short) 0).put(ip + 8, (byte) 63).put(ip + 9, (byte) 17);
        f.putInt(ip + 12, CLIENT).putInt(ip + 16, SERVER);
        f.putShort(ip + 10, (short) XdpFrames.checksum(f, ip, 20, 0));
        f.putShort(ip + 20, (short) 40000).putShort(ip + 22, (short) 53).putShort(ip + 24, (short) (8 + payload.length));
        f.put(ip + 28, payload);
        change.accept(f);
        return f;
    }

    private static ByteBuffer query(byte[] payload) {
        return query(payload, f -> { });
    }

    private static int frameLength(byte[] payload) {
        return 42 + payload.length;
    }

    /** Sets a 16-bit IPv4 header field and puts the header checksum right again, so only that field breaks the frame. */
    private static Consumer<ByteBuffer> ipField(int offset, int value) {
        return f -> {
            f.putShort(AT + 14 + offset, (short) value).putShort(AT + 24, (short) 0);
            f.putShort(AT + 24, (short) XdpFrames.checksum(f, AT + 14, 20, 0));
        };
    }

    @Test
    void aWellFormedQueryIsTakenWithItsAddressesAndPorts() {
        byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        ByteBuffer f = query(payload);
        assertEquals(13, XdpFrames.queryPayload(f, AT, frameLength(payload)));
        assertEquals(CLIENT, XdpFrames.source(f, AT));
        assertEquals(40000, XdpFrames.sourcePort(f, AT));
        assertEquals(SERVER, XdpFrames.destination(f, AT));
        assertEquals(53, XdpFrames.destinationPort(f, AT));
        // the frame may be longer than its IP packet (a link's padding): the UDP length counts
        assertEquals(13, XdpFrames.queryPayload(f, AT, frameLength(payload) + 20));
    }

    @Test
    void eachBrokenRuleAloneRefusesTheFrame() {
        byte[] payload = new byte[12];
        int len = frameLength(payload);
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.putShort(AT + 12, (short) 0x86DD)), AT, len), "IPv6");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.putShort(AT + 12, (short) 0x8100)), AT, len), "VLAN tag");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> {
            f.put(AT + 14, (byte) 0x46);
            f.putShort(AT + 24, (short) 0).putShort(AT + 24, (short) XdpFrames.checksum(f, AT + 14, 24, 0));
        }), AT, len), "IPv4 options");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, ipField(6, 0x2000)), AT, len), "more fragments");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, ipField(6, 0x0010)), AT, len), "a later fragment");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> {
            f.put(AT + 23, (byte) 6);
            f.putShort(AT + 24, (short) 0).putShort(AT + 24, (short) XdpFrames.checksum(f, AT + 14, 20, 0));
        }), AT, len), "TCP");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.put(AT + 22, (byte) 62)), AT, len), "header checksum wrong");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, ipField(2, 28 + 13)), AT, len), "IP length beyond the frame");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, ipField(2, 27)), AT, len), "IP length under the headers");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.putShort(AT + 38, (short) (8 + 13))), AT, len),
                "UDP length beyond the IP packet");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.putShort(AT + 38, (short) 7)), AT, len),
                "UDP length under its header");
        assertEquals(-1, XdpFrames.queryPayload(query(payload), AT, 41), "shorter than the headers");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.putShort(AT + 34, (short) 0)), AT, len),
                "from UDP port 0");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.put(AT + 6, (byte) 0xff)), AT, len),
                "a broadcast (group) source MAC");
        assertEquals(-1, XdpFrames.queryPayload(query(payload, f -> f.put(AT, (byte) 0x01)), AT, len),
                "sent to a multicast MAC");
        for (int[] bad : new int[][] {{12, 0xE0000001}, {12, 0xFFFFFFFF}, {12, 0x00000001}, {16, 0xEFFFFFFA}, {16, 0xFFFFFFFF}}) {
            ByteBuffer f = query(payload, g -> {
                g.putInt(AT + 14 + bad[0], bad[1]).putShort(AT + 24, (short) 0);
                g.putShort(AT + 24, (short) XdpFrames.checksum(g, AT + 14, 20, 0));
            });
            assertEquals(-1, XdpFrames.queryPayload(f, AT, len), (bad[0] == 12 ? "from " : "to ") + Integer.toHexString(bad[1]));
        }
        // and the untouched frame is taken, so each refusal above is that rule's
        assertEquals(12, XdpFrames.queryPayload(query(payload), AT, len));
        assertEquals(12, XdpFrames.queryPayload(query(payload, ipField(6, 0x4000)), AT, len), "don't-fragment alone is fine");
    }

    @Test
    void theAnswerGoesBackToTheQuerysSourceWithChecksumsAReceiverAccepts() {
        byte[] payload = new byte[40];
        ByteBuffer f = query(payload);
        byte[] answer = new byte[77]; // odd: the UDP checksum's last byte is padded
        for (int i = 0; i < answer.length; i++) {
            answer[i] = (byte) (i * 37 + 5);
        }
        int to = 0; // the page's start, before the query's frame: the answer may be longer than the query
        int n = XdpFrames.writeAnswer(f, AT, to, answer);
        assertEquals(14 + 20 + 8 + 77, n);
        byte[] mac = new byte[6];
        f.get(to, mac);
        assertArrayEquals(CLIENT_MAC, mac, "to the query's source MAC");
        f.get(to + 6, mac);
        assertArrayEquals(SERVER_MAC, mac, "from the MAC it was sent to");
        assertEquals(0x0800, Short.toUnsignedInt(f.getShort(to + 12)));
        int ip = to + 14;
        assertEquals(0x45, f.get(ip));
        assertEquals(0x10, f.get(ip + 1), "the query's TOS");
        assertEquals(20 + 8 + 77, Short.toUnsignedInt(f.getShort(ip + 2)));
        assertEquals(0x4000, Short.toUnsignedInt(f.getShort(ip + 6)), "don't-fragment, offset 0");
        assertEquals(64, f.get(ip + 8));
        assertEquals(17, f.get(ip + 9));
        assertEquals(SERVER, f.getInt(ip + 12));
        assertEquals(CLIENT, f.getInt(ip + 16));
        assertEquals(0, independentSum(f, ip, 20, 0), "the IPv4 header checksum verifies");
        int udp = ip + 20;
        assertEquals(53, Short.toUnsignedInt(f.getShort(udp)));
        assertEquals(40000, Short.toUnsignedInt(f.getShort(udp + 2)));
        assertEquals(8 + 77, Short.toUnsignedInt(f.getShort(udp + 4)));
        long pseudo = (SERVER >>> 16) + (SERVER & 0xFFFF) + (CLIENT >>> 16) + (CLIENT & 0xFFFF) + 17 + 8 + 77;
        assertEquals(0, independentSum(f, udp, 8 + 77, pseudo), "the UDP checksum verifies over the pseudo-header");
        byte[] back = new byte[77];
        f.get(udp + 8, back);
        assertArrayEquals(answer, back);
    }

    @Test
    void theAnswerMayOverwriteItsOwnQuery() {
        byte[] payload = new byte[30];
        ByteBuffer f = query(payload);
        byte[] answer = new byte[60];
        int n = XdpFrames.writeAnswer(f, AT, AT, answer);
        assertEquals(102, n);
        assertEquals(CLIENT, f.getInt(AT + 30), "the destination is the query's source, read before it was overwritten");
        assertEquals(40000, Short.toUnsignedInt(f.getShort(AT + 36)));
        byte[] mac = new byte[6];
        f.get(AT, mac);
        assertArrayEquals(CLIENT_MAC, mac);
    }

    @Test
    void checksumMatchesRfc1071sExample() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d
        ByteBuffer b = ByteBuffer.wrap(new byte[]{0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        assertEquals(0x220d, XdpFrames.checksum(b, 0, 8, 0));
        ByteBuffer odd = ByteBuffer.wrap(new byte[]{0x01, 0x02, 0x03});
        assertEquals(~(0x0102 + 0x0300) & 0xFFFF, XdpFrames.checksum(odd, 0, 3, 0), "an odd byte counts as its word's high half");
    }

    /** One's-complement sum of 16-bit words, written apart from the code under test: 0 when the checksum inside is right. */
    private static int independentSum(ByteBuffer b, int at, int length, long initial) {
        long sum = initial;
        for (int i = 0; i < length; i++) {
            int v = b.get(at + i) & 0xFF;
            sum += (i % 2 == 0) ? (long) v << 8 : v;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) (~sum & 0xFFFF);
    }
}
