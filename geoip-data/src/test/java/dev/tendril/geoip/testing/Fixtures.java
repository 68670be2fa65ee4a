package dev.tendril.geoip.testing;

import dev.tendril.geoip.adapter.in.csv.CityCsvParser;
import dev.tendril.geoip.domain.GeoEntry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Paths of the checked-in CSVs and databases (tests run with the module folder as working directory). */
public final class Fixtures {
    public static final Path CSV_DIR = Path.of("csv");
    public static final Path WORLD_CSV = CSV_DIR.resolve("world.csv");
    public static final Path DEMO_CSV = CSV_DIR.resolve("demo.csv");
    public static final Path RECIPES = CSV_DIR.resolve("recipes.txt");
    public static final Path MMDB_DIR = Path.of("src/test/resources/mmdb");
    public static final Path WORLD_MMDB = MMDB_DIR.resolve("world.mmdb");
    public static final Path WORLD_FLAT_V4 = MMDB_DIR.resolve("world-flat-ipv4.mmdb");
    public static final Path WORLD_FLAT_V6 = MMDB_DIR.resolve("world-flat-ipv6.mmdb");
    public static final Path DEMO_MMDB = Path.of("src/main/resources/dev/tendril/geoip/demo.mmdb");

    private Fixtures() {
    }

    public static List<GeoEntry> entries(Path csv) {
        if (!Files.exists(csv)) {
            throw new IllegalStateException("missing fixture " + csv.toAbsolutePath());
        }
        CityCsvParser.Result r = new CityCsvParser().parse(csv);
        if (r instanceof CityCsvParser.Parsed p) {
            return p.entries();
        }
        throw new IllegalStateException("fixture " + csv + " is invalid: " + ((CityCsvParser.Rejected) r).problems());
    }
}
