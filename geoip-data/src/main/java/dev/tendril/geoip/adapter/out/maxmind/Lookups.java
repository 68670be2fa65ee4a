package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.adapter.out.mmdb.MmdbFormatException;
import dev.tendril.geoip.adapter.out.mmdb.MmdbReader;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoPoint;

import java.net.InetAddress;

/** The lookup path shared by the locators: tree walk, cached record, result. */
final class Lookups {
    private static final GeoLookup.Unlocated[] UNLOCATED = new GeoLookup.Unlocated[129];

    static {
        for (int i = 0; i < UNLOCATED.length; i++) {
            UNLOCATED[i] = new GeoLookup.Unlocated(i);
        }
    }

    private Lookups() {
    }

    /** A miss for a network of this prefix length (shared instances: no allocation). */
    static GeoLookup.Unlocated unlocated(int prefix) {
        return UNLOCATED[prefix];
    }

    static GeoLookup lookup(MmdbReader reader, PlaceCache cache, InetAddress address, String source) {
        try {
            long found = reader.find(address.getAddress());
            int prefix = MmdbReader.prefixOf(found);
            int offset = MmdbReader.offsetOf(found);
            if (offset == MmdbReader.NO_DATA) {
                return unlocated(prefix);
            }
            Place place = cache.get(offset);
            if (place.point() == null) {
                return unlocated(prefix);
            }
            return new GeoLookup.Located(new GeoLocation(place.point(), prefix, place.city(), place.country()));
        } catch (MmdbFormatException e) {
            throw new GeoDatabaseException("GeoIP lookup of " + address.getHostAddress() + " in " + source
                    + " failed, the file is corrupt: " + e.getMessage(), e);
        }
    }

    /** A place with a point when both coordinates are valid degrees, else without one. */
    static Place place(int offset, double latitude, double longitude, String city, String country) {
        boolean valid = latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180;
        return new Place(offset, valid ? new GeoPoint(latitude, longitude) : null, city, country);
    }
}
