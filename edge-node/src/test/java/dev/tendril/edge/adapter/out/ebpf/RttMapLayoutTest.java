package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.RttCounters;
import dev.tendril.edge.monitoring.latency.UserKey;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RttMapLayoutTest {

    /** bytes as the kernel writes them on a little-endian machine */
    private static ByteBuffer kernelKey(long netns, int port, byte[] address16) {
        ByteBuffer b = ByteBuffer.allocate(RttMapLayout.KEY_SIZE).order(ByteOrder.nativeOrder());
        b.putInt((int) netns).putShort((short) port).putShort((short) 0).put(address16);
        return b.flip();
    }

    private static ByteBuffer kernelValue(long lastSeen, long sum, long samples, long srtt, long min) {
        ByteBuffer b = ByteBuffer.allocate(RttMapLayout.VALUE_SIZE).order(ByteOrder.nativeOrder());
        b.putLong(lastSeen).putLong(sum).putLong(samples).putInt((int) srtt).putInt((int) min);
        return b.flip();
    }

    @Test
    void ipv4MappedKeysDecodeToIpv4UsersWithUnsignedFields() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 7;
        RttCounters c = RttMapLayout.decode(kernelKey(4026531840L, 65000, mapped),
                kernelValue(123_456_789L, 500_000, 10, 50_000, 40_000));
        assertInstanceOf(Inet4Address.class, c.user().address());
        assertEquals(InetAddress.getByName("10.0.0.7"), c.user().address());
        assertEquals(4026531840L, c.user().namespace(), "inode numbers above 2^31 stay positive");
        assertEquals(65000, c.user().port(), "ports above 32767 stay positive");
        assertEquals(10, c.samples());
        assertEquals(500_000, c.srttSumMicros());
        assertEquals(50_000, c.srttMicros());
        assertEquals(40_000, c.minRttMicros());
        assertEquals(123_456_789L, c.lastSeenNanos());
    }

    @Test
    void noMinRttDecodesAsZero() throws Exception {
        RttCounters c = RttMapLayout.decode(kernelKey(1, 80, InetAddress.getByName("2001:db8::1").getAddress()),
                kernelValue(1, 1, 1, 1, 0xffff_ffffL));
        assertInstanceOf(Inet6Address.class, c.user().address());
        assertEquals(0, c.minRttMicros());
    }

    @Test
    void encodeIsTheInverseOfDecode() throws Exception {
        for (String a : new String[] {"192.0.2.1", "2001:db8::42"}) {
            UserKey user = new UserKey(4026532000L, InetAddress.getByName(a), 8443);
            byte[] raw = new byte[RttMapLayout.KEY_SIZE];
            RttMapLayout.encodeKey(user, ByteBuffer.wrap(raw));
            assertEquals(user, RttMapLayout.decodeKey(ByteBuffer.wrap(raw)));
            byte[] again = new byte[RttMapLayout.KEY_SIZE];
            RttMapLayout.encodeKey(RttMapLayout.decodeKey(ByteBuffer.wrap(raw)), ByteBuffer.wrap(again));
            assertArrayEquals(raw, again);
        }
    }
}
