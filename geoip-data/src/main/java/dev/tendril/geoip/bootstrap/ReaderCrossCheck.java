package dev.tendril.geoip.bootstrap;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Reader;
import dev.tendril.geoip.adapter.out.maxmind.FlatCityRecord;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.adapter.out.maxmind.GeoIp2CityRecord;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;

import java.io.File;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * {@code ReaderCrossCheck <db.mmdb> [count]}: looks up random addresses of the file's family
 * (both families for an IPv6 GeoIP2-City file) through Tendril's locator and through MaxMind's
 * own {@code com.maxmind.db.Reader}, and reports every difference in position, city, country or
 * prefix length. Exit status 1 when any differs. The manual check of the public databases
 * (docs/geoip.md); CI runs the same comparison on the generated fixtures.
 */
public final class ReaderCrossCheck {
    private ReaderCrossCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ReaderCrossCheck <db.mmdb> [count]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        System.exit(check(file, count, new Random(7)) == 0 ? 0 : 1);
    }

    /** The number of differing lookups. */
    static int check(Path file, int count, Random random) throws Exception {
        int differences = 0;
        int hits = 0;
        try (Reader reference = new Reader(new File(file.toString()), Reader.FileMode.MEMORY_MAPPED);
             LayeredGeoLocator ours = GeoDatabases.open(List.of(file))) {
            String type = reference.getMetadata().databaseType();
            boolean flat = type.startsWith("city ipv");
            int ipVersion = reference.getMetadata().ipVersion();
            boolean v4Only = ipVersion == 4;
            boolean v6Only = type.equals("city ipv6");
            for (int i = 0; i < count; i++) {
                boolean v4 = v4Only || (!v6Only && random.nextBoolean());
                byte[] b = new byte[v4 ? 4 : 16];
                random.nextBytes(b);
                if (!v4) {
                    b[0] = (byte) (0x20 | (b[0] & 0x0f)); // 2000::/4, where the allocations are
                }
                InetAddress a = InetAddress.getByAddress(b);
                String expected = flat ? describeFlat(reference, a) : describeCity(reference, a);
                String got = describe(ours.lookup(a));
                if (!expected.equals(got)) {
                    if (differences++ < 20) {
                        System.out.println("DIFF " + a.getHostAddress() + "\n  maxmind: " + expected + "\n  tendril: " + got);
                    }
                }
                if (!got.startsWith("none")) {
                    hits++;
                }
            }
            System.out.printf(Locale.ROOT, "%s (%s, ip_version %d): %d lookups, %d located, %d differences%n",
                    file, type, ipVersion, count, hits, differences);
        }
        return differences;
    }

    private static String describe(GeoLookup r) {
        if (r instanceof GeoLookup.Located hit) {
            var l = hit.location();
            return fmt(l.point().latitude(), l.point().longitude(), l.city(), l.country(), l.prefixLength());
        }
        return "none /" + r.prefixLength();
    }

    private static String fmt(double lat, double lon, String city, String country, int prefix) {
        return String.format(Locale.ROOT, "%.6f %.6f %s %s /%d", lat, lon, city, country, prefix);
    }

    private static int prefix(InetAddress a, DatabaseRecord<?> r) {
        int p = r.network().prefixLength();
        return a instanceof Inet4Address && p > 32 ? p - 96 : p;
    }

    private static String describeFlat(Reader reader, InetAddress a) throws Exception {
        DatabaseRecord<FlatCityRecord> r = reader.getRecord(a, FlatCityRecord.class);
        FlatCityRecord d = r.data();
        if (d == null || !(d.latitude() instanceof Number lat) || !(d.longitude() instanceof Number lon)) {
            return "none /" + prefix(a, r);
        }
        return fmt(lat.doubleValue(), lon.doubleValue(), Objects.toString(d.city(), ""),
                Objects.toString(d.countryCode(), ""), prefix(a, r));
    }

    private static String describeCity(Reader reader, InetAddress a) throws Exception {
        DatabaseRecord<GeoIp2CityRecord> r = reader.getRecord(a, GeoIp2CityRecord.class);
        GeoIp2CityRecord d = r.data();
        if (d == null || d.location() == null || d.location().latitude() == null || d.location().longitude() == null) {
            return "none /" + prefix(a, r);
        }
        String city = d.city() == null || d.city().names() == null ? "" : d.city().names().getOrDefault("en", "");
        String country = d.country() == null || d.country().isoCode() == null ? "" : d.country().isoCode();
        return fmt(d.location().latitude(), d.location().longitude(), city, country, prefix(a, r));
    }
}
