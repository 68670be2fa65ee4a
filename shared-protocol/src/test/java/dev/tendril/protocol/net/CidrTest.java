package dev.tendril.protocol.net;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Cidr}'s allocation-free IPv4 arithmetic: the JDK assumption it rests on (an
 * {@code Inet4Address}'s hash is its address), the prefix masks, and membership at the
 * boundaries of a network in both families.
 */
class CidrTest {
    private static InetAddress at(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void ipv4BitsAreTheAddressInNetworkOrder() throws Exception {
        for (String a : new String[] {"0.0.0.0", "127.0.0.1", "128.0.0.1", "198.51.100.7", "255.255.255.255", "10.1.2.3"}) {
            Inet4Address v4 = (Inet4Address) at(a);
            assertEquals(ByteBuffer.wrap(v4.getAddress()).getInt(), Cidr.ipv4Bits(v4), a);
        }
    }

    @Test
    void ipv4MasksCoverThePrefixAndRefuseLengthsOutsideZeroToThirtyTwo() {
        assertEquals(0, Cidr.ipv4Mask(0));
        assertEquals(0xFF000000, Cidr.ipv4Mask(8));
        assertEquals(0xFFFFFF00, Cidr.ipv4Mask(24));
        assertEquals(0xFFFFFFFE, Cidr.ipv4Mask(31));
        assertEquals(-1, Cidr.ipv4Mask(32));
        assertThrows(IllegalArgumentException.class, () -> Cidr.ipv4Mask(-1));
        assertThrows(IllegalArgumentException.class, () -> Cidr.ipv4Mask(33));
    }

    @Test
    void containsTheAddressesOfItsNetworkAndNoneOutsideOrOfTheOtherFamily() throws Exception {
        Cidr v4 = Cidr.parse("198.51.100.0/23");
        assertTrue(v4.contains(at("198.51.100.0")));
        assertTrue(v4.contains(at("198.51.101.255")));
        assertFalse(v4.contains(at("198.51.102.0")));
        assertFalse(v4.contains(at("198.51.99.255")));
        assertFalse(v4.contains(at("2001:db8::1")), "another family");
        assertTrue(Cidr.parse("0.0.0.0/0").contains(at("255.255.255.255")));
        assertTrue(Cidr.parse("203.0.113.9").contains(at("203.0.113.9")));
        assertFalse(Cidr.parse("203.0.113.9").contains(at("203.0.113.8")));
        Cidr v6 = Cidr.parse("2001:db8:1200::/41");
        assertTrue(v6.contains(at("2001:db8:127f:ffff::1")));
        assertFalse(v6.contains(at("2001:db8:1280::")));
        assertFalse(v6.contains(at("198.51.100.1")));
    }
}
