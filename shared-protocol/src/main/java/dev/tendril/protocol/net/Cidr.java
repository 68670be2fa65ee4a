package dev.tendril.protocol.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network: address bytes with all host bits cleared, and a prefix length.
 * Parsed from "198.51.100.0/24", "2001:db8::/32" or a bare address (a /32 or /128).
 * Only literals are accepted; nothing is ever looked up.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefixLength;
    /** An IPv4 network and its mask as ints, for {@link #contains}; 0 for an IPv6 network. */
    private final int ipv4Network;
    private final int ipv4Mask;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        boolean ipv4 = network.length == 4;
        this.ipv4Network = ipv4 ? ByteBuffer.wrap(network).getInt() : 0;
        this.ipv4Mask = ipv4 ? ipv4Mask(prefixLength) : 0;
    }

    /**
     * An IPv4 address's 32 bits (network order, as an int) without allocating: for per-query
     * work (the rate limiter's buckets, the flood quarantine, {@link #contains}). It reads
     * {@code Inet4Address.hashCode()}, which is the address in the JDK (its implementation, not
     * its specification): the one place that relies on it, and {@code CidrTest} checks it.
     */
    public static int ipv4Bits(Inet4Address address) {
        return address.hashCode();
    }

    /** The mask of an IPv4 prefix of {@code prefixLength} bits (0-32), as an int. */
    public static int ipv4Mask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be in [0, 32], got " + prefixLength);
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength); // a shift by 32 would be none
    }

    /** The network of {@code address} with the given prefix (host bits cleared). */
    public static Cidr of(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        if (prefixLength < 0 || prefixLength > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length must be in [0, " + bytes.length * 8 + "], got " + prefixLength);
        }
        return new Cidr(mask(bytes, prefixLength), prefixLength);
    }

    /** Parses "address[/prefix]"; throws IllegalArgumentException naming the bad text. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("subnet must be an address or address/prefix, got '" + text + "'");
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseLiteral(addr, text);
        int max = address.getAddress().length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in subnet '" + text + "'");
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("prefix length in '" + text + "' must be in [0, " + max + "]");
            }
        }
        return of(address, prefix);
    }

    private static InetAddress parseLiteral(String addr, String whole) {
        boolean v6 = addr.indexOf(':') >= 0;
        boolean ok = !addr.isEmpty() && addr.chars().allMatch(c -> v6
                ? Character.digit(c, 16) >= 0 || c == ':' || c == '.'
                : Character.isDigit(c) || c == '.');
        if (ok && !v6) {
            String[] parts = addr.split("\\.", -1);
            ok = parts.length == 4;
            for (String p : parts) {
                ok &= !p.isEmpty() && p.length() <= 3 && Integer.parseInt(p) <= 255;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 literal in subnet '" + whole + "'");
        }
        try {
            return InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 literal in subnet '" + whole + "'");
        }
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /** The network address bytes (a copy). */
    public byte[] networkBytes() {
        return network.clone();
    }

    public InetAddress networkAddress() {
        try {
            return InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * True when the address is in this network (same family only). Allocates nothing for an
     * IPv4 address and one copy of the bytes for an IPv6 one: it runs per DNS answer where
     * the rate limiter checks its exempt networks.
     */
    public boolean contains(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return network.length == 4 && (ipv4Bits(v4) & ipv4Mask) == ipv4Network;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefixLength / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        return rest == 0 || ((bytes[whole] ^ network[whole]) & (0xFF00 >> rest) & 0xFF) == 0;
    }

    /** True when {@code other} lies wholly inside this network (same family only). */
    public boolean contains(Cidr other) {
        return other.network.length == network.length && other.prefixLength >= prefixLength
                && Arrays.equals(mask(other.network, prefixLength), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return networkAddress().getHostAddress() + "/" + prefixLength;
    }
}
