package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Reader;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Locates addresses in the flat-schema databases of the ip-location-db npm packages
 * ({@code database_type} {@code city ipv4} / {@code city ipv6}, one file per family).
 * Each lookup goes to the file of its address family only: an IPv6 lookup in the IPv4
 * file returns some unrelated record instead of an error. A family without a file is a
 * miss for the whole family (prefix 0). Thread-safe; no I/O beyond the mapped files.
 */
public final class FlatCityLocator implements ScopedGeoLocator, Closeable {
    private final Reader ipv4;
    private final Reader ipv6;
    private final String source;

    /** Either reader may be null (that family is then never located). */
    FlatCityLocator(Reader ipv4, Reader ipv6, String source) {
        if (ipv4 == null && ipv6 == null) {
            throw new IllegalArgumentException("a flat city locator needs an IPv4 or an IPv6 file");
        }
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.source = source;
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        Reader reader = address instanceof Inet4Address ? ipv4 : ipv6;
        if (reader == null) {
            return new GeoLookup.Unlocated(0);
        }
        DatabaseRecord<FlatCityRecord> record;
        try {
            record = reader.getRecord(address, FlatCityRecord.class);
        } catch (IOException e) {
            throw new GeoDatabaseException("GeoIP lookup of " + address.getHostAddress() + " in " + source + " failed: " + e, e);
        }
        int prefix = Lookups.prefixLength(address, record);
        FlatCityRecord data = record.data();
        if (data == null) {
            return new GeoLookup.Unlocated(prefix);
        }
        return Lookups.of(prefix, number(data.latitude()), number(data.longitude()),
                data.city() == null ? "" : data.city(), data.countryCode() == null ? "" : data.countryCode());
    }

    private static Number number(Object value) {
        return value instanceof Number n ? n : null;
    }

    public boolean hasIpv4() {
        return ipv4 != null;
    }

    public boolean hasIpv6() {
        return ipv6 != null;
    }

    @Override
    public void close() throws IOException {
        try {
            if (ipv4 != null) {
                ipv4.close();
            }
        } finally {
            if (ipv6 != null) {
                ipv6.close();
            }
        }
    }

    @Override
    public String toString() {
        return "FlatCityLocator[" + source + "]";
    }
}
