package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeoDatabasesTest {
    @TempDir
    Path tmp;

    @Test
    void privateDatabaseFirstThenPublicFlatPair() throws Exception {
        try (LayeredGeoLocator geo = GeoDatabases.open(List.of(Fixtures.DEMO_MMDB, Fixtures.WORLD_FLAT_V4, Fixtures.WORLD_FLAT_V6))) {
            assertEquals(2, geo.layers().size());
            assertInstanceOf(MaxMindCityLocator.class, geo.layers().get(0));
            assertInstanceOf(FlatCityLocator.class, geo.layers().get(1));
            // 198.18.0.0/24 is Munich in demo.csv and "Berlin, Mitte" in world.csv: the first layer wins
            assertEquals("Munich", geo.locate(InetAddress.getByName("198.18.0.9")).orElseThrow().city());
            // not in demo.csv: the second layer answers
            assertEquals("Mountain View", geo.locate(InetAddress.getByName("8.8.8.8")).orElseThrow().city());
            assertEquals("Sydney", geo.locate(InetAddress.getByName("2400:cb00::1")).orElseThrow().city());
            // 2001:db8:1::/48 is Garching in demo.csv, the world file has Nairobi in 2001:db8:1:2::/64: private wins
            assertEquals("Garching", geo.locate(InetAddress.getByName("2001:db8:1:2::9")).orElseThrow().city());
            // 10.1.2.3: demo has 10.1.0.0/16 Munich, world has a /32 Tokyo; private still wins
            assertEquals("Munich", geo.locate(InetAddress.getByName("10.1.2.3")).orElseThrow().city());
        }
    }

    @Test
    void laterLayerHitIsScopedByTheEarlierMiss() throws Exception {
        try (LayeredGeoLocator geo = GeoDatabases.open(List.of(Fixtures.DEMO_MMDB, Fixtures.WORLD_FLAT_V4))) {
            // 10.200.0.1: demo has nothing near (10.128.0.0/9 is empty there), world has 10.0.0.0/8 Munich
            GeoLookup r = geo.lookup(InetAddress.getByName("10.200.0.1"));
            assertEquals("Munich", ((GeoLookup.Located) r).location().city());
            assertEquals(9, r.prefixLength());
            // 10.0.0.1: demo's empty network around it is 10.0.0.0/16 (10.1/16 is Munich there)
            assertEquals(16, geo.lookup(InetAddress.getByName("10.0.0.1")).prefixLength());
        }
    }

    @Test
    void concurrentLookupsThroughATinyContendedCacheAgreeWithSingleThreadedOnes() throws Exception {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 5000; i++) {
            byte[] b = i % 2 == 0 ? new byte[] {(byte) 198, 18, (byte) random.nextInt(12), (byte) random.nextInt(256)}
                    : new byte[] {10, (byte) random.nextInt(8), (byte) random.nextInt(256), 1};
            addresses.add(InetAddress.getByAddress(b));
        }
        List<Path> files = List.of(Fixtures.DEMO_MMDB, Fixtures.WORLD_FLAT_V4, Fixtures.WORLD_FLAT_V6);
        List<GeoLookup> expected = new java.util.ArrayList<>();
        try (LayeredGeoLocator reference = GeoDatabases.open(files, 0)) {
            addresses.forEach(a -> expected.add(reference.lookup(a)));
        }
        try (LayeredGeoLocator shared = GeoDatabases.open(files, 2)) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int offset = t;
                    results.add(pool.submit(() -> {
                        int wrong = 0;
                        for (int round = 0; round < 5; round++) {
                            for (int i = 0; i < addresses.size(); i++) {
                                int k = (i + offset * 997) % addresses.size();
                                if (!expected.get(k).equals(shared.lookup(addresses.get(k)))) {
                                    wrong++;
                                }
                            }
                        }
                        return wrong;
                    }));
                }
                for (var r : results) {
                    assertEquals(0, r.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void missingFileIsNamed() {
        Path missing = tmp.resolve("nope.mmdb");
        var e = assertThrows(GeoDatabaseException.class, () -> GeoDatabases.open(List.of(Fixtures.DEMO_MMDB, missing)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void directoryIsNotADatabase() {
        var e = assertThrows(GeoDatabaseException.class, () -> GeoDatabases.open(List.of(tmp)));
        assertTrue(e.getMessage().contains("is not a readable file"), e.getMessage());
    }

    @Test
    void corruptFileIsNamed() throws Exception {
        Path bad = tmp.resolve("bad.mmdb");
        Files.writeString(bad, "this is not a database");
        var e = assertThrows(GeoDatabaseException.class, () -> GeoDatabases.open(List.of(bad)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("not a valid MaxMind DB"), e.getMessage());
        Path empty = tmp.resolve("empty.mmdb");
        Files.write(empty, new byte[0]);
        assertThrows(GeoDatabaseException.class, () -> GeoDatabases.open(List.of(empty)));
    }

    @Test
    void unsupportedDatabaseTypeIsNamed() throws Exception {
        byte[] db = Files.readAllBytes(Fixtures.WORLD_MMDB);
        String text = new String(db, StandardCharsets.ISO_8859_1).replace("GeoIP2-City", "GeoLite2-AS");
        Path asn = tmp.resolve("asn.mmdb");
        Files.write(asn, text.getBytes(StandardCharsets.ISO_8859_1));
        var e = assertThrows(GeoDatabaseException.class, () -> GeoDatabases.open(List.of(asn)));
        assertTrue(e.getMessage().contains("database_type 'GeoLite2-AS'"), e.getMessage());
    }

    @Test
    void bundledDemoEqualsTheFileInTheSourceTree() throws Exception {
        try (var demo = GeoDatabases.demo(); var file = GeoDatabases.openCity(Fixtures.DEMO_MMDB)) {
            for (String a : List.of("198.18.6.1", "10.4.0.1", "fd00:0:6::1", "127.0.0.1")) {
                InetAddress address = InetAddress.getByName(a);
                assertEquals(file.lookup(address), demo.lookup(address), a);
            }
        }
    }

    @Test
    void namedDatabasesLayerFilesOverTheBuiltinDemo() throws Exception {
        // world.csv has a /32 Tokyo at 10.1.2.3 inside demo's 10.1.0.0/16 Munich: the first named layer wins
        try (LayeredGeoLocator geo = GeoDatabases.openNamed(List.of(Fixtures.WORLD_MMDB.toString(), GeoDatabases.BUILTIN_DEMO))) {
            assertEquals(2, geo.layers().size());
            assertEquals("Tokyo", geo.locate(InetAddress.getByName("10.1.2.3")).orElseThrow().city());
            // only demo.csv knows 198.18.11.0/24 (Apia): the demo layer answers what the file misses
            assertEquals("Apia", geo.locate(InetAddress.getByName("198.18.11.7")).orElseThrow().city());
        }
        try (LayeredGeoLocator geo = GeoDatabases.openNamed(List.of(GeoDatabases.BUILTIN_DEMO, Fixtures.WORLD_MMDB.toString()))) {
            assertEquals("Munich", geo.locate(InetAddress.getByName("10.1.2.3")).orElseThrow().city());
        }
        var e = assertThrows(GeoDatabaseException.class,
                () -> GeoDatabases.openNamed(List.of(tmp.resolve("nope.mmdb").toString(), GeoDatabases.BUILTIN_DEMO)));
        assertTrue(e.getMessage().contains("nope.mmdb"), e.getMessage());
    }
}
