package dev.tendril.geoip.adapter.out.mmdb;

import dev.tendril.geoip.domain.GeoEntry;

import java.util.Locale;

/**
 * The kinds of database the writer produces: the record schema, the tree family and the
 * metadata {@code database_type}.
 */
public enum MmdbFormat {
    /**
     * GeoIP2-City schema ({@code city.names.en}, {@code country.iso_code},
     * {@code location.latitude/longitude}), IPv4 and IPv6 in one IPv6 tree, IPv4 under
     * {@code ::/96} and aliased from {@code ::ffff:0:0/96}. Read by {@code DatabaseReader.city}.
     */
    GEOIP2_CITY("geoip2-city", "GeoIP2-City", 6),
    /** The flat schema of the ip-location-db packages (IPv4 rows only), {@code city ipv4}. */
    FLAT_CITY_IPV4("flat-city-ipv4", "city ipv4", 4),
    /** The flat schema of the ip-location-db packages (IPv6 rows only), {@code city ipv6}. */
    FLAT_CITY_IPV6("flat-city-ipv6", "city ipv6", 6);

    private final String cliName;
    private final String databaseType;
    private final int ipVersion;

    MmdbFormat(String cliName, String databaseType, int ipVersion) {
        this.cliName = cliName;
        this.databaseType = databaseType;
        this.ipVersion = ipVersion;
    }

    public String cliName() {
        return cliName;
    }

    public String databaseType() {
        return databaseType;
    }

    public int ipVersion() {
        return ipVersion;
    }

    /** Whether this format holds the entry (the flat formats hold one address family each). */
    public boolean holds(GeoEntry entry) {
        return switch (this) {
            case GEOIP2_CITY -> true;
            case FLAT_CITY_IPV4 -> !entry.network().isIpv6();
            case FLAT_CITY_IPV6 -> entry.network().isIpv6();
        };
    }

    /** The format named {@code name} on the command line; the message lists the allowed names. */
    public static MmdbFormat fromCliName(String name) {
        for (MmdbFormat f : values()) {
            if (f.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "': allowed are geoip2-city, flat-city-ipv4, flat-city-ipv6");
    }

    /** Encodes one entry as a data-section record of this format. */
    byte[] encode(GeoEntry e) {
        MmdbDataEncoder enc = new MmdbDataEncoder();
        if (this == GEOIP2_CITY) {
            int pairs = 1 + (e.city().isEmpty() ? 0 : 1) + (e.country().isEmpty() ? 0 : 2);
            enc.map(pairs);
            if (!e.city().isEmpty()) {
                enc.string("city").map(1).string("names").map(1).string("en").string(e.city());
            }
            if (!e.country().isEmpty()) {
                enc.string("country").map(1).string("iso_code").string(e.country());
                enc.string("registered_country").map(1).string("iso_code").string(e.country());
            }
            enc.string("location").map(2)
                    .string("latitude").doubleValue(e.point().latitude())
                    .string("longitude").doubleValue(e.point().longitude());
        } else {
            enc.map(8)
                    .string("country_code").string(e.country())
                    .string("state1").string("")
                    .string("state2").string("")
                    .string("city").string(e.city())
                    .string("postcode").string("")
                    .string("latitude").floatValue((float) e.point().latitude())
                    .string("longitude").floatValue((float) e.point().longitude())
                    .string("timezone").string("");
        }
        return enc.toByteArray();
    }
}
