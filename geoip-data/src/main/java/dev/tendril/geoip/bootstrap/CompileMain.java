package dev.tendril.geoip.bootstrap;

import dev.tendril.geoip.adapter.in.csv.CityCsvParser;
import dev.tendril.geoip.adapter.out.mmdb.MmdbFormat;
import dev.tendril.geoip.adapter.out.mmdb.MmdbWriter;
import dev.tendril.geoip.domain.GeoEntry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code tendril-geoip-compile [--format F] [--build-epoch S] [--description T] <in.csv> <out.mmdb>}:
 * compiles a GeoIP source CSV into a MaxMind DB. Exit status 0 on success, 1 when the CSV is
 * invalid (each problem printed as file:line: ...), 2 on bad usage, 3 when writing fails.
 */
public final class CompileMain {
    static final String USAGE = """
            usage: tendril-geoip-compile [options] <in.csv> <out.mmdb>
              --format F         geoip2-city (default: GeoIP2-City schema, IPv4 and IPv6 in one file),
                                 flat-city-ipv4 or flat-city-ipv6 (ip-location-db flat schema, one family)
              --build-epoch S    build_epoch in the metadata, seconds since 1970 (default: $SOURCE_DATE_EPOCH,
                                 else now); fix it to get byte-identical output
              --description T    metadata description (default: "Tendril GeoIP compiled from <in.csv file name>")
            CSV: header 'cidr,lat,lon,city,country', '#' comments; the most specific network wins.""";

    private CompileMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv("SOURCE_DATE_EPOCH")));
    }

    static int run(String[] args, PrintStream out, PrintStream err, String sourceDateEpoch) {
        MmdbFormat format = MmdbFormat.GEOIP2_CITY;
        Long epoch = null;
        String description = null;
        List<String> files = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--format" -> format = MmdbFormat.fromCliName(value(args, ++i, "--format"));
                    case "--build-epoch" -> epoch = parseEpoch(value(args, ++i, "--build-epoch"), "--build-epoch");
                    case "--description" -> description = value(args, ++i, "--description");
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        files.add(args[i]);
                    }
                }
            }
            if (files.size() != 2) {
                throw new IllegalArgumentException("expected <in.csv> <out.mmdb>, got " + files.size() + " file argument(s)");
            }
            if (epoch == null && sourceDateEpoch != null && !sourceDateEpoch.isBlank()) {
                epoch = parseEpoch(sourceDateEpoch.strip(), "SOURCE_DATE_EPOCH");
            }
        } catch (IllegalArgumentException e) {
            err.println("tendril-geoip-compile: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Path in = Path.of(files.get(0));
        Path target = Path.of(files.get(1));
        CityCsvParser.Result result = new CityCsvParser().parse(in);
        if (result instanceof CityCsvParser.Rejected rejected) {
            rejected.problems().forEach(err::println);
            err.println("tendril-geoip-compile: " + in + " is invalid, nothing written");
            return 1;
        }
        List<GeoEntry> entries = ((CityCsvParser.Parsed) result).entries();
        long buildEpoch = epoch != null ? epoch : Instant.now().getEpochSecond();
        String desc = description != null ? description : "Tendril GeoIP compiled from " + in.getFileName();
        List<GeoEntry> held = entries.stream().filter(format::holds).toList();
        try {
            new MmdbWriter(format, buildEpoch, desc).write(entries, target);
        } catch (IOException | RuntimeException e) {
            err.println("tendril-geoip-compile: writing " + target + " failed: " + e.getMessage());
            return 3;
        }
        out.println("wrote " + target + " (" + format.databaseType() + "): " + held.size() + " networks"
                + (held.size() < entries.size() ? ", left out " + (entries.size() - held.size()) + " of the other address family" : ""));
        return 0;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long parseEpoch(String text, String what) {
        try {
            long v = Long.parseLong(text);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + " must be whole seconds since 1970 (>= 0), got '" + text + "'");
    }
}
