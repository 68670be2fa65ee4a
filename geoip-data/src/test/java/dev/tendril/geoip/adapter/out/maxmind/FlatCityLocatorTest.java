package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.Reader;
import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.testing.Fixtures;
import dev.tendril.geoip.testing.ReferenceResolver;
import dev.tendril.protocol.geo.GeoLocation;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The flat-schema locator over the world-flat-ipv4/ipv6 fixtures (written by MmdbWriter's flat formats). */
class FlatCityLocatorTest {
    private static final List<GeoEntry> WORLD = Fixtures.entries(Fixtures.WORLD_CSV);
    private static final ReferenceResolver MODEL = new ReferenceResolver(WORLD);

    @Test
    void pairsTheTwoFilesIntoOneLayerAndLocatesEveryRow() throws Exception {
        try (LayeredGeoLocator geo = GeoDatabases.open(List.of(Fixtures.WORLD_FLAT_V4, Fixtures.WORLD_FLAT_V6))) {
            assertEquals(1, geo.layers().size());
            FlatCityLocator flat = assertInstanceOf(FlatCityLocator.class, geo.layers().get(0));
            assertEquals(true, flat.hasIpv4() && flat.hasIpv6());
            for (GeoEntry row : WORLD) {
                InetAddress a = row.network().networkAddress();
                GeoEntry best = MODEL.best(a).orElseThrow();
                GeoLocation loc = geo.locate(a).orElseThrow(() -> new AssertionError(a + " not located"));
                // the flat schema stores float coordinates
                assertEquals((float) best.point().latitude(), (float) loc.point().latitude(), a.toString());
                assertEquals((float) best.point().longitude(), (float) loc.point().longitude(), a.toString());
                assertEquals(best.city(), loc.city());
                assertEquals(best.country(), loc.country());
                int expected = a instanceof Inet4Address ? MODEL.expectedPrefix(a, 0) : MODEL.expectedPrefix(a, 1);
                assertEquals(expected, loc.prefixLength(), a + " prefix");
            }
        }
    }

    @Test
    void routesByAddressFamily() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8:1:2::1");
        InetAddress v4 = InetAddress.getByName("8.8.8.8");
        // MaxMind's reader answers an IPv6 lookup in the IPv4 file with an unrelated record (GOTCHAS.md)
        try (Reader raw = new Reader(new File(Fixtures.WORLD_FLAT_V4.toString()))) {
            var wrong = raw.getRecord(v6, FlatCityRecord.class);
            assertNotEquals("Nairobi", wrong.data() == null ? null : wrong.data().city());
        }
        try (LayeredGeoLocator onlyV4 = GeoDatabases.open(List.of(Fixtures.WORLD_FLAT_V4));
             LayeredGeoLocator onlyV6 = GeoDatabases.open(List.of(Fixtures.WORLD_FLAT_V6));
             LayeredGeoLocator both = GeoDatabases.open(List.of(Fixtures.WORLD_FLAT_V6, Fixtures.WORLD_FLAT_V4))) {
            assertEquals(new GeoLookup.Unlocated(0), onlyV4.lookup(v6), "no IPv6 file: the whole family is unknown");
            assertEquals(new GeoLookup.Unlocated(0), onlyV6.lookup(v4));
            assertEquals("Mountain View", onlyV4.locate(v4).orElseThrow().city());
            assertEquals("Nairobi", onlyV6.locate(v6).orElseThrow().city());
            assertEquals("Nairobi", both.locate(v6).orElseThrow().city());
            assertEquals("Mountain View", both.locate(v4).orElseThrow().city());
        }
    }

    @Test
    void aMissReportsThePrefixOfTheEmptyNetwork() throws Exception {
        try (LayeredGeoLocator geo = GeoDatabases.open(List.of(Fixtures.WORLD_FLAT_V4, Fixtures.WORLD_FLAT_V6))) {
            InetAddress a = InetAddress.getByName("11.1.1.1");
            GeoLookup r = geo.lookup(a);
            assertInstanceOf(GeoLookup.Unlocated.class, r);
            assertEquals(MODEL.expectedPrefix(a, 0), r.prefixLength());
        }
    }
}
