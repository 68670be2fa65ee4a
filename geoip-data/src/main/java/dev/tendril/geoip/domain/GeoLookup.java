package dev.tendril.geoip.domain;

import dev.tendril.protocol.geo.GeoLocation;

import java.util.Objects;

/**
 * The outcome of locating one address, with the width of the network the outcome holds
 * for. That width is what a DNS server echoes as the EDNS Client Subnet scope: it holds
 * for a miss as much as for a hit (a miss in a private database over 10.0.0.0/8 holds for
 * the whole /8). Prefix lengths of IPv4 addresses are IPv4 prefix lengths (0-32).
 */
public sealed interface GeoLookup permits GeoLookup.Located, GeoLookup.Unlocated {

    /** The prefix length of the network for which this outcome holds. */
    int prefixLength();

    /** The address lies in a network with a known position. */
    record Located(GeoLocation location) implements GeoLookup {
        public Located {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public int prefixLength() {
            return location.prefixLength();
        }
    }

    /** No position is known for the network {@code /prefixLength} around the address. */
    record Unlocated(int prefixLength) implements GeoLookup {
        public Unlocated {
            if (prefixLength < 0 || prefixLength > 128) {
                throw new IllegalArgumentException("prefixLength must be in [0, 128], got " + prefixLength);
            }
        }
    }
}
