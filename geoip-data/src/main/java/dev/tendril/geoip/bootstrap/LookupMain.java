package dev.tendril.geoip.bootstrap;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabaseException;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.net.Cidr;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code tendril-geoip-lookup <db.mmdb>... -- <address>...}: locates addresses through the
 * databases layered in the order given, one line per address:
 * {@code address  city  country  lat lon  network}. For manual checks of a public database.
 */
public final class LookupMain {
    private LookupMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int sep = List.of(args).indexOf("--");
        if (sep <= 0 || sep == args.length - 1) {
            err.println("usage: tendril-geoip-lookup <db.mmdb>... -- <address>...");
            return 2;
        }
        List<Path> dbs = new ArrayList<>();
        for (int i = 0; i < sep; i++) {
            dbs.add(Path.of(args[i]));
        }
        try (LayeredGeoLocator geo = GeoDatabases.open(dbs)) {
            int status = 0;
            for (int i = sep + 1; i < args.length; i++) {
                InetAddress address;
                try {
                    address = Cidr.parse(args[i]).networkAddress();
                } catch (IllegalArgumentException e) {
                    err.println(args[i] + ": " + e.getMessage());
                    status = 1;
                    continue;
                }
                GeoLookup r = geo.lookup(address);
                String network = Cidr.of(address, r.prefixLength()).toString();
                if (r instanceof GeoLookup.Located hit) {
                    GeoLocation l = hit.location();
                    out.printf(Locale.ROOT, "%-40s %-20s %-2s %9.4f %9.4f  %s%n", args[i], l.city().isEmpty() ? "-" : l.city(),
                            l.country().isEmpty() ? "-" : l.country(), l.point().latitude(), l.point().longitude(), network);
                } else {
                    out.printf(Locale.ROOT, "%-40s %-20s %-2s %9s %9s  %s%n", args[i], "(not located)", "-", "-", "-", network);
                }
            }
            return status;
        } catch (GeoDatabaseException e) {
            err.println("tendril-geoip-lookup: " + e.getMessage());
            return 1;
        }
    }
}
