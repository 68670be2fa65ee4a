package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SipHash-2-4 against the paper's vectors; server cookies against RFC 9018 Appendix A. */
class ServerCookiesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    /** Key 00 01 .. 0f, message 00 01 .. (n-1): the reference vectors (as 64-bit values) of the SipHash paper and code. */
    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({
        "0,  726fdb47dd0e0e31",
        "1,  74f839c593dc67fd",
        "7,  ab0200f58b01d137",
        "8,  93f5f5799a932462",
        "9,  9e0082df0ba9e4b0",
        "15, a129ca6149be45e5",
        "16, 3f2acc7f57c29bdb",
        "31, 32d892fad841c342",
        "63, 958a324ceb064572",
    })
    void sipHashReferenceVectors(int length, String expected) {
        byte[] key = new byte[16];
        byte[] message = new byte[64];
        for (int i = 0; i < 64; i++) {
            message[i] = (byte) i;
            if (i < 16) {
                key[i] = (byte) i;
            }
        }
        assertEquals(Long.parseUnsignedLong(expected, 16), new SipHash24(key).hash(message, 0, length));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "A.1 a new server cookie,             e5e973e5a6b2a43f48e7dc849e37bfcf, 2464c4abcf10c957, 198.51.100.100, 1559731985, 010000005cf79f111f8130c3eee29480",
        "A.2 renewed,                         e5e973e5a6b2a43f48e7dc849e37bfcf, 2464c4abcf10c957, 198.51.100.100, 1559734385, 010000005cf7a871d4a564a1442aca77",
        "A.3 another client,                  e5e973e5a6b2a43f48e7dc849e37bfcf, fc93fc62807ddb86, 203.0.113.203,  1559734700, 010000005cf7a9acf73a7810aca2381e",
        "A.4 IPv6 client after a new secret,  445536bcd2513298075a5d379663c962, 22681ab97d52c298, 2001:db8:220:1:59de:d0f4:8769:82b8, 1559741961, 010000005cf7c609a6bb79d16625507a",
    })
    void rfc9018Vectors(String what, String secret, String client, String address, long now, String expected) throws Exception {
        ServerCookies cookies = new ServerCookies(hex(secret));
        byte[] made = cookies.make(hex(client), InetAddress.getByName(address), now);
        assertEquals(expected, HEX.formatHex(made));
        assertTrue(cookies.valid(hex(client), made, InetAddress.getByName(address), now));
    }

    @Test
    void validation() throws Exception {
        ServerCookies cookies = new ServerCookies(hex("e5e973e5a6b2a43f48e7dc849e37bfcf"));
        InetAddress a = InetAddress.getByName("203.0.113.203");
        byte[] client = hex("fc93fc62807ddb86");
        // RFC 9018 A.3: the client returned a cookie with reserved bytes set by another server: they are hashed as sent
        byte[] fromA3 = hex("01abcdef5cf78f71a314227b6679ebf5");
        long stamp = 0x5cf78f71L;
        assertTrue(cookies.valid(client, fromA3, a, stamp + 3600), "an hour old: still valid");
        assertFalse(cookies.valid(client, fromA3, a, stamp + 3601), "older than an hour");
        assertTrue(cookies.valid(client, fromA3, a, stamp - 300), "5 minutes ahead");
        assertFalse(cookies.valid(client, fromA3, a, stamp - 301), "further ahead");
        assertFalse(cookies.valid(client, fromA3, InetAddress.getByName("203.0.113.204"), stamp), "another address");
        assertFalse(cookies.valid(hex("fc93fc62807ddb87"), fromA3, a, stamp), "another client cookie");
        byte[] tampered = fromA3.clone();
        tampered[15] ^= 1;
        assertFalse(cookies.valid(client, tampered, a, stamp), "a changed hash");
        byte[] version2 = fromA3.clone();
        version2[0] = 2;
        assertFalse(cookies.valid(client, version2, a, stamp), "unknown version");
        assertFalse(cookies.valid(client, Arrays.copyOf(fromA3, 8), a, stamp), "8-byte server cookie: not ours");
        assertFalse(new ServerCookies(hex("445536bcd2513298075a5d379663c962")).valid(client, fromA3, a, stamp), "another secret");
        // serial arithmetic across the wrap of the 32-bit timestamp
        byte[] late = cookies.make(client, a, 0xFFFFFF00L);
        assertTrue(cookies.valid(client, late, a, 0x1_0000_0100L));
    }
}
