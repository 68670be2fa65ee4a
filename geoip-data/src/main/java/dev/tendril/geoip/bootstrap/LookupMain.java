package dev.tendril.geoip.bootstrap;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabaseException;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.net.Cidr;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tendril-geoip-lookup <db.mmdb>... -- <address>...}: locates addresses through the
 * databases layered in the order given, one line per address:
 * {@code address  city  country  lat lon  network}. For manual checks of a public database.
 */
@Command(name = "tendril-geoip-lookup", mixinStandardHelpOptions = true, version = "tendril-geoip-lookup 0.1.0",
        description = "Locates addresses through GeoIP databases layered in the order given (first hit wins), one line "
                + "per address: address, city, country, latitude, longitude, network.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every address looked up", "1:an address did not parse, or a database cannot be opened",
            "2:bad usage"})
public final class LookupMain implements Callable<Integer> {
    @Parameters(paramLabel = "DB.mmdb -- ADDRESS", arity = "0..*",
            description = "one or more .mmdb files, then --, then addresses or subnets")
    List<String> words = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    /** For picocli's tools (completion, man pages), which build the command from the class. */
    private LookupMain() {
        this(System.out, System.err);
    }

    private LookupMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return commandLine(System.out, System.err);
    }

    private static CommandLine commandLine(PrintStream out, PrintStream err) {
        return new CommandLine(new LookupMain(out, err))
                .setUnmatchedOptionsArePositionalParams(true) // "--" separates databases from addresses
                .setEndOfOptionsDelimiter("--end-of-options")
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    @Override
    public Integer call() {
        String[] args = words.toArray(String[]::new);
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
