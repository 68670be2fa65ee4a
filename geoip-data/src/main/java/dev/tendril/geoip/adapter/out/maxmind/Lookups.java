package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.DatabaseRecord;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoPoint;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Turns a reader's answer into a {@link GeoLookup}, with the prefix length in the address's own family. */
final class Lookups {
    private Lookups() {
    }

    /** The prefix length of {@code record}'s network, as an IPv4 prefix for IPv4 addresses. */
    static int prefixLength(InetAddress address, DatabaseRecord<?> record) {
        int prefix = record.network().prefixLength();
        if (address instanceof Inet4Address && prefix > 32) {
            prefix -= 96; // IPv4 address counted in the IPv6 tree (::/96)
        }
        return Math.max(0, prefix);
    }

    /** A hit when both coordinates are present and valid, else a miss for the same network. */
    static GeoLookup of(int prefix, Number latitude, Number longitude, String city, String country) {
        if (latitude == null || longitude == null) {
            return new GeoLookup.Unlocated(prefix);
        }
        double lat = latitude.doubleValue();
        double lon = longitude.doubleValue();
        if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
            return new GeoLookup.Unlocated(prefix);
        }
        return new GeoLookup.Located(new GeoLocation(new GeoPoint(lat, lon), prefix, city, country));
    }
}
