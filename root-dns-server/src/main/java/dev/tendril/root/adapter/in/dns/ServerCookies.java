package dev.tendril.root.adapter.in.dns;

import java.net.InetAddress;
import java.security.MessageDigest;

/**
 * DNS server cookies as RFC 9018 makes them (interoperable between servers that share the
 * secret): 16 bytes = version 1, 3 reserved bytes (0), a 32-bit timestamp (Unix seconds),
 * and SipHash-2-4 over client cookie | version | reserved | timestamp | client address,
 * keyed with the 16-byte server secret; the hash is written little-endian.
 *
 * <p>A server cookie is valid when it has 16 bytes, version 1, a timestamp no more than an
 * hour old and no more than 5 minutes ahead (serial arithmetic, RFC 9018 4.3), and the hash
 * over its own version, reserved and timestamp bytes matches.
 */
final class ServerCookies {
    static final int CLIENT_LENGTH = 8;
    static final int SERVER_LENGTH = 16;
    private static final long MAX_AGE_SECONDS = 3600;
    private static final long MAX_AHEAD_SECONDS = 300;

    private final SipHash24 mac;

    ServerCookies(byte[] secret) {
        mac = new SipHash24(secret);
    }

    /** A fresh server cookie for this client cookie and address, stamped {@code nowSeconds}. */
    byte[] make(byte[] clientCookie, InetAddress client, long nowSeconds) {
        byte[] out = new byte[SERVER_LENGTH];
        out[0] = 1;
        out[4] = (byte) (nowSeconds >>> 24);
        out[5] = (byte) (nowSeconds >>> 16);
        out[6] = (byte) (nowSeconds >>> 8);
        out[7] = (byte) nowSeconds;
        long h = hash(clientCookie, out, client);
        for (int i = 0; i < 8; i++) {
            out[8 + i] = (byte) (h >>> (8 * i));
        }
        return out;
    }

    /** Whether {@code serverCookie} is one this server (or one sharing its secret) made for this client. */
    boolean valid(byte[] clientCookie, byte[] serverCookie, InetAddress client, long nowSeconds) {
        if (clientCookie.length != CLIENT_LENGTH || serverCookie.length != SERVER_LENGTH || serverCookie[0] != 1) {
            return false;
        }
        long stamp = (serverCookie[4] & 0xFFL) << 24 | (serverCookie[5] & 0xFFL) << 16
                | (serverCookie[6] & 0xFFL) << 8 | (serverCookie[7] & 0xFFL);
        int age = (int) (nowSeconds - stamp); // serial arithmetic modulo 2^32
        if (age > MAX_AGE_SECONDS || age < -MAX_AHEAD_SECONDS) {
            return false;
        }
        long h = hash(clientCookie, serverCookie, client);
        byte[] expected = new byte[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = (byte) (h >>> (8 * i));
        }
        return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(serverCookie, 8, 16));
    }

    /** SipHash-2-4 of client cookie | the first 8 bytes of the server cookie | client address. */
    private long hash(byte[] clientCookie, byte[] serverCookie, InetAddress client) {
        byte[] address = client.getAddress();
        byte[] input = new byte[CLIENT_LENGTH + 8 + address.length];
        System.arraycopy(clientCookie, 0, input, 0, CLIENT_LENGTH);
        System.arraycopy(serverCookie, 0, input, CLIENT_LENGTH, 8);
        System.arraycopy(address, 0, input, CLIENT_LENGTH + 8, address.length);
        return mac.hash(input, 0, input.length);
    }
}
