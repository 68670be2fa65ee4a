package dev.tendril.geoip.bootstrap;

import dev.tendril.geoip.adapter.out.mmdb.MmdbReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompileMainTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String sourceDateEpoch, String... args) {
        return CompileMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), sourceDateEpoch);
    }

    private Path csv(String... lines) throws Exception {
        Path p = tmp.resolve("in.csv");
        Files.write(p, java.util.List.of(lines), StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void compilesAndReportsTheCount() throws Exception {
        Path in = csv("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,A,DE", "fd00::/8,3,4,B,DE");
        Path db = tmp.resolve("out/db.mmdb");
        assertEquals(0, run(null, "--build-epoch", "5", in.toString(), db.toString()));
        assertTrue(out.toString().contains("2 networks"), out.toString());
        assertEquals(5, MmdbReader.open(db).metadata().buildEpoch());
        assertEquals("GeoIP2-City", MmdbReader.open(db).metadata().databaseType());
    }

    @Test
    void sourceDateEpochMakesRebuildsIdentical() throws Exception {
        Path in = csv("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,A,DE");
        Path a = tmp.resolve("a.mmdb");
        Path b = tmp.resolve("b.mmdb");
        assertEquals(0, run("1700000000", in.toString(), a.toString()));
        assertEquals(0, run("1700000000", in.toString(), b.toString()));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(1700000000L, MmdbReader.open(a).metadata().buildEpoch());
    }

    @Test
    void flatFormatKeepsOneFamily() throws Exception {
        Path in = csv("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,A,DE", "fd00::/8,3,4,B,DE");
        Path db = tmp.resolve("v6.mmdb");
        assertEquals(0, run(null, "--format", "flat-city-ipv6", in.toString(), db.toString()));
        assertTrue(out.toString().contains("1 networks, left out 1"), out.toString());
        assertEquals("city ipv6", MmdbReader.open(db).metadata().databaseType());
    }

    @Test
    void invalidCsvPrintsEveryProblemAndWritesNothing() throws Exception {
        Path in = csv("cidr,lat,lon,city,country", "10.0.0.0/8,91,2,A,DE", "10.1.0.1/16,1,2,A,DE");
        Path db = tmp.resolve("db.mmdb");
        assertEquals(1, run(null, in.toString(), db.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(in + ":2: latitude '91' is out of range"), e);
        assertTrue(e.contains(in + ":3: network '10.1.0.1/16' has host bits set"), e);
        assertFalse(Files.exists(db));
    }

    @Test
    void badUsageExitsWithTwo() throws Exception {
        assertEquals(2, run(null, "only-one.csv"));
        assertEquals(2, run(null, "--format", "csv", "a", "b"));
        assertTrue(err.toString().contains("unknown format 'csv': allowed are geoip2-city, flat-city-ipv4, flat-city-ipv6"));
        assertEquals(2, run(null, "--build-epoch", "-1", "a", "b"));
        assertEquals(2, run("yesterday", "a", "b"));
        assertTrue(err.toString().contains("SOURCE_DATE_EPOCH must be whole seconds since 1970"), err.toString());
    }
}
