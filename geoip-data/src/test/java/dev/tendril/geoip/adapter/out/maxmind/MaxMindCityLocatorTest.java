package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.testing.Fixtures;
import dev.tendril.geoip.testing.ReferenceResolver;
import dev.tendril.protocol.geo.GeoLocation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GeoIP2-City locator over the checked-in world.mmdb and the bundled demo database. */
class MaxMindCityLocatorTest {
    private static MaxMindCityLocator world;
    private static ReferenceResolver model;

    @BeforeAll
    static void open() {
        world = GeoDatabases.openCity(Fixtures.WORLD_MMDB);
        model = new ReferenceResolver(Fixtures.entries(Fixtures.WORLD_CSV));
    }

    @AfterAll
    static void close() throws Exception {
        world.close();
    }

    @Test
    void locatesEveryRowWithItsIpv4OrIpv6Prefix() throws Exception {
        for (GeoEntry e : Fixtures.entries(Fixtures.WORLD_CSV)) {
            InetAddress a = e.network().networkAddress();
            GeoEntry best = model.best(a).orElseThrow();
            GeoLocation loc = world.locate(a).orElseThrow(() -> new AssertionError(a + " not located"));
            assertEquals(best.point(), loc.point(), a.toString());
            assertEquals(best.city(), loc.city(), a.toString());
            assertEquals(best.country(), loc.country(), a.toString());
            int expected = model.expectedPrefix(a, a instanceof Inet4Address ? 0 : 1);
            assertEquals(expected, loc.prefixLength(), a + " prefix");
            if (a instanceof Inet4Address) {
                assertTrue(loc.prefixLength() <= 32, "IPv4 prefix, not the IPv6-mapped one: " + loc.prefixLength());
            }
        }
    }

    @Test
    void ipv4PrefixIsCountedInIpv4Bits() throws Exception {
        assertEquals(24, world.locate(InetAddress.getByName("8.8.8.8")).orElseThrow().prefixLength());
        assertEquals(8, world.locate(InetAddress.getByName("127.0.0.53")).orElseThrow().prefixLength());
    }

    @Test
    void aMissReportsTheWidthOfTheEmptyNetwork() throws Exception {
        // 11.0.0.0/8 holds no row; its widest empty aligned network around 11.0.0.1 is 11.0.0.0/8... or wider
        InetAddress a = InetAddress.getByName("11.0.0.1");
        GeoLookup miss = world.lookup(a);
        assertInstanceOf(GeoLookup.Unlocated.class, miss);
        assertEquals(model.expectedPrefix(a, 0), miss.prefixLength());
        assertEquals(Optional.empty(), world.locate(a));
    }

    @Test
    void rowWithoutCityOrCountryIsLocatedWithEmptyNames() throws Exception {
        GeoLocation loc = world.locate(InetAddress.getByName("198.18.1.7")).orElseThrow();
        assertEquals("", loc.city());
        assertEquals("", loc.country());
        assertEquals(0.0, loc.point().latitude());
    }

    @Test
    void bundledDemoDatabasePlacesTheBenchmarkRangeInCities() throws Exception {
        try (MaxMindCityLocator demo = GeoDatabases.demo()) {
            for (var c : List.of(
                    List.of("198.18.0.1", "Munich", "DE"), List.of("198.18.3.1", "New York", "US"),
                    List.of("198.18.5.1", "São Paulo", "BR"), List.of("198.18.6.1", "Tokyo", "JP"),
                    List.of("198.18.7.1", "Sydney", "AU"), List.of("198.18.8.1", "Nairobi", "KE"),
                    List.of("10.2.0.1", "New York", "US"), List.of("fd00:0:3::1", "Tokyo", "JP"))) {
                GeoLocation loc = demo.locate(InetAddress.getByName(c.get(0))).orElseThrow(() -> new AssertionError(c));
                assertEquals(c.get(1), loc.city(), c.get(0));
                assertEquals(c.get(2), loc.country(), c.get(0));
            }
            assertEquals(24, demo.locate(InetAddress.getByName("198.18.9.200")).orElseThrow().prefixLength());
            assertEquals(Optional.empty(), demo.locate(InetAddress.getByName("127.0.0.1")));
            assertEquals(Optional.empty(), demo.locate(InetAddress.getByName("192.0.2.1")));
        }
    }
}
