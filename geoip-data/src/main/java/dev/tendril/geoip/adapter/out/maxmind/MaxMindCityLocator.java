package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Reader;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;

/**
 * Locates addresses in a GeoIP2-City (or GeoLite2-City, or Tendril-compiled) database:
 * {@code location.latitude/longitude}, {@code city.names.en}, {@code country.iso_code}.
 * Reads the same files as {@code com.maxmind.geoip2.DatabaseReader.city}, through the
 * lower-level {@code com.maxmind.db.Reader} so that a lookup decodes only those fields and
 * also reports the network of a miss. The file is memory-mapped (or loaded into memory);
 * lookups do no other I/O and are thread-safe.
 */
public final class MaxMindCityLocator implements ScopedGeoLocator, Closeable {
    private final Reader reader;
    private final String source;

    MaxMindCityLocator(Reader reader, String source) {
        this.reader = reader;
        this.source = source;
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        DatabaseRecord<GeoIp2CityRecord> record;
        try {
            record = reader.getRecord(address, GeoIp2CityRecord.class);
        } catch (IOException e) {
            throw new GeoDatabaseException("GeoIP lookup of " + address.getHostAddress() + " in " + source + " failed: " + e, e);
        }
        int prefix = Lookups.prefixLength(address, record);
        GeoIp2CityRecord data = record.data();
        if (data == null || data.location() == null) {
            return new GeoLookup.Unlocated(prefix);
        }
        String city = data.city() == null ? "" : data.city().english();
        String country = data.country() == null || data.country().isoCode() == null ? "" : data.country().isoCode();
        return Lookups.of(prefix, data.location().latitude(), data.location().longitude(), city, country);
    }

    /** Where the database came from (for messages). */
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    @Override
    public String toString() {
        return "MaxMindCityLocator[" + source + "]";
    }
}
