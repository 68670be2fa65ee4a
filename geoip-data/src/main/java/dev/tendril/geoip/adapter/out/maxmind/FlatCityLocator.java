package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.adapter.out.mmdb.MmdbReader;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Locates addresses in the flat-schema databases of the ip-location-db npm packages
 * ({@code database_type} {@code city ipv4} / {@code city ipv6}, one file per family; fields
 * {@code country_code, city, latitude, longitude, ...}). Each lookup goes to the file of its
 * address family only: an IPv6 lookup in the IPv4 file returns some unrelated record instead
 * of an error. A family without a file is a miss for the whole family (prefix 0).
 * Thread-safe, lock-free, no I/O beyond the mapped files.
 */
public final class FlatCityLocator implements ScopedGeoLocator, AutoCloseable {
    private static final byte[] COUNTRY_CODE = MaxMindCityLocator.key("country_code");
    private static final byte[] CITY = MaxMindCityLocator.key("city");
    private static final byte[] LATITUDE = MaxMindCityLocator.key("latitude");
    private static final byte[] LONGITUDE = MaxMindCityLocator.key("longitude");

    private final Family ipv4;
    private final Family ipv6;
    private final String source;

    /** One file: its reader and cache. */
    private record Family(MmdbReader reader, PlaceCache cache, String source) {
    }

    /** Either reader may be null (that family is then never located). */
    FlatCityLocator(MmdbReader ipv4, String ipv4Source, MmdbReader ipv6, String ipv6Source, int cacheEntries) {
        if (ipv4 == null && ipv6 == null) {
            throw new IllegalArgumentException("a flat city locator needs an IPv4 or an IPv6 file");
        }
        this.ipv4 = ipv4 == null ? null : new Family(ipv4, cache(ipv4, cacheEntries), ipv4Source);
        this.ipv6 = ipv6 == null ? null : new Family(ipv6, cache(ipv6, cacheEntries), ipv6Source);
        this.source = ipv4 == null ? ipv6Source : ipv6 == null ? ipv4Source : ipv4Source + " + " + ipv6Source;
    }

    private static PlaceCache cache(MmdbReader reader, int entries) {
        var d = reader.decoder();
        return new PlaceCache(entries, offset -> Lookups.place(offset,
                d.number(d.find(offset, LATITUDE)), d.number(d.find(offset, LONGITUDE)),
                d.string(d.find(offset, CITY)), d.string(d.find(offset, COUNTRY_CODE))));
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        Family family = address instanceof Inet4Address ? ipv4 : ipv6;
        if (family == null) {
            return Lookups.unlocated(0);
        }
        return Lookups.lookup(family.reader(), family.cache(), address, family.source());
    }

    public boolean hasIpv4() {
        return ipv4 != null;
    }

    public boolean hasIpv6() {
        return ipv6 != null;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "FlatCityLocator[" + source + "]";
    }
}
