package dev.tendril.geoip.bootstrap;

import dev.tendril.geoip.adapter.in.csv.CityCsvParser;
import dev.tendril.geoip.adapter.out.mmdb.MmdbFormat;
import dev.tendril.geoip.adapter.out.mmdb.MmdbWriter;
import dev.tendril.geoip.domain.GeoEntry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tendril-geoip-compile [--format F] [--build-epoch S] [--description T] <in.csv> <out.mmdb>}:
 * compiles a GeoIP source CSV into a MaxMind DB. Exit status 0 on success, 1 when the CSV is
 * invalid (each problem printed as file:line: ...), 2 on bad usage, 3 when writing fails.
 */
@Command(name = "tendril-geoip-compile", mixinStandardHelpOptions = true, version = "tendril-geoip-compile 0.1.0",
        description = "Compiles a GeoIP source CSV (header 'cidr,lat,lon,city,country', '#' comments; the most "
                + "specific network wins) into a MaxMind DB (.mmdb).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:the CSV is invalid (each problem printed as file:line: ...); nothing written",
            "2:bad usage", "3:writing the database failed"})
public final class CompileMain implements Callable<Integer> {
    @Option(names = "--format", paramLabel = "F", defaultValue = "geoip2-city",
            description = "geoip2-city (default: GeoIP2-City schema, IPv4 and IPv6 in one file), flat-city-ipv4 or "
                    + "flat-city-ipv6 (ip-location-db flat schema, one family)")
    String format;

    @Option(names = "--build-epoch", paramLabel = "S",
            description = "build_epoch in the metadata, seconds since 1970 (default: $SOURCE_DATE_EPOCH, else now); "
                    + "fix it to get byte-identical output")
    String buildEpoch;

    @Option(names = "--description", paramLabel = "T",
            description = "metadata description (default: \"Tendril GeoIP compiled from <in.csv file name>\")")
    String description;

    @Parameters(index = "0", paramLabel = "IN.csv", description = "the source CSV")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT.mmdb", description = "the database to write")
    Path target;

    private final PrintStream out;
    private final PrintStream err;
    private final String sourceDateEpoch;

    /** For picocli's tools (completion, man pages), which build the command from the class. */
    private CompileMain() {
        this(System.out, System.err, System.getenv("SOURCE_DATE_EPOCH"));
    }

    private CompileMain(PrintStream out, PrintStream err, String sourceDateEpoch) {
        this.out = out;
        this.err = err;
        this.sourceDateEpoch = sourceDateEpoch;
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return commandLine(System.out, System.err, System.getenv("SOURCE_DATE_EPOCH"));
    }

    private static CommandLine commandLine(PrintStream out, PrintStream err, String sourceDateEpoch) {
        return new CommandLine(new CompileMain(out, err, sourceDateEpoch))
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static int run(String[] args, PrintStream out, PrintStream err, String sourceDateEpoch) {
        return commandLine(out, err, sourceDateEpoch).execute(args);
    }

    @Override
    public Integer call() {
        MmdbFormat mmdb;
        Long epoch = null;
        try {
            mmdb = MmdbFormat.fromCliName(format);
            if (buildEpoch != null) {
                epoch = parseEpoch(buildEpoch, "--build-epoch");
            } else if (sourceDateEpoch != null && !sourceDateEpoch.isBlank()) {
                epoch = parseEpoch(sourceDateEpoch.strip(), "SOURCE_DATE_EPOCH");
            }
        } catch (IllegalArgumentException e) {
            err.println("tendril-geoip-compile: " + e.getMessage());
            return 2;
        }
        CityCsvParser.Result result = new CityCsvParser().parse(in);
        if (result instanceof CityCsvParser.Rejected rejected) {
            rejected.problems().forEach(err::println);
            err.println("tendril-geoip-compile: " + in + " is invalid, nothing written");
            return 1;
        }
        List<GeoEntry> entries = ((CityCsvParser.Parsed) result).entries();
        long epochSeconds = epoch != null ? epoch : Instant.now().getEpochSecond();
        String desc = description != null ? description : "Tendril GeoIP compiled from " + in.getFileName();
        List<GeoEntry> held = entries.stream().filter(mmdb::holds).toList();
        try {
            new MmdbWriter(mmdb, epochSeconds, desc).write(entries, target);
        } catch (IOException | RuntimeException e) {
            err.println("tendril-geoip-compile: writing " + target + " failed: " + e.getMessage());
            return 3;
        }
        out.println("wrote " + target + " (" + mmdb.databaseType() + "): " + held.size() + " networks"
                + (held.size() < entries.size() ? ", left out " + (entries.size() - held.size()) + " of the other address family" : ""));
        return 0;
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
