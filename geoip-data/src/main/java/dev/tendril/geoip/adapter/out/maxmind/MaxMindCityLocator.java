package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.adapter.out.mmdb.MmdbReader;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Locates addresses in a database of the GeoIP2-City schema (GeoIP2-City, GeoLite2-City,
 * DBIP-City-Lite, or {@code bin/tendril-geoip-compile} output): {@code location.latitude/longitude},
 * {@code city.names.en}, {@code country.iso_code}. The same files {@code com.maxmind.geoip2.DatabaseReader.city}
 * reads, through {@link MmdbReader}: a lookup walks the mapped tree and takes the record from a
 * small cache, decoding only those four fields on a miss (DatabaseReader decodes the whole record
 * into some 2 KB of objects per lookup; figures in docs/geoip.md). Thread-safe, lock-free, no I/O.
 */
public final class MaxMindCityLocator implements ScopedGeoLocator, AutoCloseable {
    private static final byte[] CITY = key("city");
    private static final byte[] NAMES = key("names");
    private static final byte[] EN = key("en");
    private static final byte[] COUNTRY = key("country");
    private static final byte[] ISO_CODE = key("iso_code");
    private static final byte[] LOCATION = key("location");
    private static final byte[] LATITUDE = key("latitude");
    private static final byte[] LONGITUDE = key("longitude");

    private final MmdbReader reader;
    private final PlaceCache cache;
    private final String source;

    MaxMindCityLocator(MmdbReader reader, int cacheEntries, String source) {
        this.reader = reader;
        this.source = source;
        var d = reader.decoder();
        this.cache = new PlaceCache(cacheEntries, offset -> {
            int location = d.find(offset, LOCATION);
            return Lookups.place(offset,
                    location < 0 ? Double.NaN : d.number(d.find(location, LATITUDE)),
                    location < 0 ? Double.NaN : d.number(d.find(location, LONGITUDE)),
                    d.string(d.find(offset, CITY, NAMES, EN)),
                    d.string(d.find(offset, COUNTRY, ISO_CODE)));
        });
    }

    static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        return Lookups.lookup(reader, cache, address, source);
    }

    /** Where the database came from (for messages). */
    public String source() {
        return source;
    }

    /** The mapping is released by the garbage collector; nothing to do. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "MaxMindCityLocator[" + source + ", " + reader.metadata().databaseType() + "]";
    }
}
