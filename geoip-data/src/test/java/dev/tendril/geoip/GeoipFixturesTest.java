package dev.tendril.geoip;

import dev.tendril.geoip.adapter.out.mmdb.MmdbFormat;
import dev.tendril.geoip.adapter.out.mmdb.MmdbWriter;
import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.geoip.testing.Fixtures;
import dev.tendril.protocol.net.Cidr;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in databases are exactly what their recipes (geoip-data/csv/recipes.txt, run by
 * scripts/geoip-fixtures.sh) make from the CSVs today, and the demo table in docs/geoip.md
 * matches demo.csv. If this fails after a CSV change: run scripts/geoip-fixtures.sh.
 */
class GeoipFixturesTest {
    private static final Path REPO = Path.of("..");

    record Recipe(MmdbFormat format, long epoch, Path input, Path output) {
    }

    static List<Recipe> recipes() throws Exception {
        List<Recipe> out = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.RECIPES)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            out.add(new Recipe(MmdbFormat.fromCliName(f[0]), Long.parseLong(f[1]), REPO.resolve(f[2]), REPO.resolve(f[3])));
        }
        return out;
    }

    @Test
    void everyCheckedInDatabaseIsReproducedByteForByte() throws Exception {
        List<Recipe> recipes = recipes();
        assertEquals(4, recipes.size());
        for (Recipe r : recipes) {
            List<GeoEntry> entries = Fixtures.entries(r.input());
            byte[] made = new MmdbWriter(r.format(), r.epoch(),
                    "Tendril GeoIP compiled from " + r.input().getFileName()).toBytes(entries);
            assertTrue(Files.exists(r.output()), "missing " + r.output() + ": run scripts/geoip-fixtures.sh");
            assertArrayEquals(Files.readAllBytes(r.output()), made,
                    r.output() + " is stale or was not made by its recipe: run scripts/geoip-fixtures.sh");
        }
    }

    @Test
    void fixturesStayTiny() throws Exception {
        for (Recipe r : recipes()) {
            assertTrue(Files.size(r.output()) < 16 * 1024, r.output() + " should stay a tiny fixture");
        }
    }

    @Test
    void demoTableInTheDocsMatchesDemoCsv() throws Exception {
        Map<Cidr, String> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REPO.resolve("docs/geoip.md"), StandardCharsets.UTF_8)) {
            String[] cells = line.split("\\|");
            if (cells.length >= 5 && cells[1].strip().matches("[0-9a-f:.]+/\\d+")) {
                documented.put(Cidr.parse(cells[1].strip()), cells[2].strip() + "," + cells[3].strip()
                        + "," + cells[4].strip().replace(" ", ""));
            }
        }
        Map<Cidr, String> csv = new LinkedHashMap<>();
        for (GeoEntry e : Fixtures.entries(Fixtures.DEMO_CSV)) {
            csv.put(e.network(), e.city() + "," + e.country() + "," + String.format(java.util.Locale.ROOT, "%.4f,%.4f",
                    e.point().latitude(), e.point().longitude()));
        }
        assertFalse(csv.isEmpty());
        assertEquals(csv, documented, "docs/geoip.md demo table and geoip-data/csv/demo.csv differ");
    }

    @Test
    void demoCoversFourCitiesOnThreeContinentsInTheBenchmarkRangeAndPrivateRanges() {
        List<GeoEntry> demo = Fixtures.entries(Fixtures.DEMO_CSV);
        Cidr benchmark = Cidr.parse("198.18.0.0/15");
        long benchmarkCities = demo.stream().filter(e -> benchmark.contains(e.network())).map(GeoEntry::city).distinct().count();
        assertTrue(benchmarkCities >= 4, "cities in 198.18.0.0/15: " + benchmarkCities);
        List<Cidr> privateRanges = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"),
                Cidr.parse("100.64.0.0/10"), Cidr.parse("fc00::/7"));
        long privateCities = demo.stream().filter(e -> privateRanges.stream().anyMatch(p -> p.contains(e.network())))
                .map(GeoEntry::city).distinct().count();
        assertTrue(privateCities >= 4, "cities in private ranges: " + privateCities);
        // continents by rough longitude/latitude: Europe, Americas, Asia/Oceania, Africa
        long continents = demo.stream().map(e -> e.point().longitude() < -30 ? "americas"
                : e.point().longitude() > 60 ? "asia-oceania" : e.point().latitude() < 20 ? "africa" : "europe")
                .distinct().count();
        assertTrue(continents >= 3);
    }
}
