package dev.tendril.geoip.testing;

import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.protocol.net.Cidr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A slow, obviously right model of what a compiled database must answer: the most specific
 * entry that contains the address, and the widest aligned network around the address in
 * which every address gets the same answer (that is the network a lookup must report).
 */
public final class ReferenceResolver {
    private final List<GeoEntry> entries;

    public ReferenceResolver(List<GeoEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The most specific entry holding the address. */
    public Optional<GeoEntry> best(InetAddress address) {
        GeoEntry best = null;
        for (GeoEntry e : entries) {
            if (e.network().contains(address) && (best == null || e.network().prefixLength() > best.network().prefixLength())) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The answer key (position, city, country) of the address, or null. */
    public Object answer(InetAddress address) {
        return best(address).map(ReferenceResolver::key).orElse(null);
    }

    private static Object key(GeoEntry e) {
        return List.of(e.point(), e.city(), e.country());
    }

    /**
     * The prefix length a lookup must report: the smallest q >= minPrefix such that the
     * network address/q answers the same everywhere.
     */
    public int expectedPrefix(InetAddress address, int minPrefix) {
        int bits = address.getAddress().length * 8;
        for (int q = minPrefix; q <= bits; q++) {
            Cidr block = Cidr.of(address, q);
            if (uniform(block)) {
                return q;
            }
        }
        throw new IllegalStateException("a single address is always uniform");
    }

    private boolean uniform(Cidr block) {
        boolean anyInside = false;
        for (GeoEntry e : entries) {
            if (block.contains(e.network()) && !e.network().equals(block)) {
                anyInside = true;
                break;
            }
        }
        if (!anyInside) {
            return true;
        }
        Cidr[] halves = halves(block);
        return uniform(halves[0]) && uniform(halves[1])
                && Objects.equals(answer(halves[0].networkAddress()), answer(halves[1].networkAddress()));
    }

    public static Cidr[] halves(Cidr block) {
        byte[] left = block.networkBytes();
        byte[] right = left.clone();
        int bit = block.prefixLength();
        right[bit >> 3] |= (byte) (0x80 >>> (bit & 7));
        return new Cidr[] {Cidr.of(address(left), bit + 1), Cidr.of(address(right), bit + 1)};
    }

    /** The last address of the network. */
    public static InetAddress last(Cidr block) {
        byte[] b = block.networkBytes();
        for (int i = block.prefixLength(); i < b.length * 8; i++) {
            b[i >> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return address(b);
    }

    public static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
