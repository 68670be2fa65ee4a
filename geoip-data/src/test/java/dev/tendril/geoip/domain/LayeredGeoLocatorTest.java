package dev.tendril.geoip.domain;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class LayeredGeoLocatorTest {
    private static final GeoPoint MUNICH = new GeoPoint(48.14, 11.58);
    private static final GeoPoint TOKYO = new GeoPoint(35.68, 139.65);

    /** A layer that answers a fixed outcome and records that it was asked. */
    private record Fixed(String name, GeoLookup outcome, List<String> asked) implements ScopedGeoLocator {
        @Override
        public GeoLookup lookup(InetAddress address) {
            asked.add(name);
            return outcome;
        }
    }

    private static GeoLookup hit(GeoPoint p, int prefix, String city) {
        return new GeoLookup.Located(new GeoLocation(p, prefix, city, "XX"));
    }

    @Test
    void firstHitWinsAndLaterLayersAreNotAsked() throws Exception {
        List<String> asked = new ArrayList<>();
        var layered = new LayeredGeoLocator(List.of(
                new Fixed("private", hit(MUNICH, 16, "Munich"), asked),
                new Fixed("public", hit(TOKYO, 24, "Tokyo"), asked)));
        GeoLookup r = layered.lookup(InetAddress.getByName("10.1.2.3"));
        assertEquals("Munich", ((GeoLookup.Located) r).location().city());
        assertEquals(16, r.prefixLength());
        assertEquals(List.of("private"), asked);
    }

    @Test
    void aMissFallsThroughAndNarrowsTheScopeOfTheLaterHit() throws Exception {
        List<String> asked = new ArrayList<>();
        var layered = new LayeredGeoLocator(List.of(
                new Fixed("private", new GeoLookup.Unlocated(26), asked),
                new Fixed("public", hit(TOKYO, 16, "Tokyo"), asked)));
        GeoLookup r = layered.lookup(InetAddress.getByName("203.0.113.9"));
        GeoLocation loc = ((GeoLookup.Located) r).location();
        assertEquals("Tokyo", loc.city());
        assertEquals(26, loc.prefixLength(), "the hit holds only where the private layer misses too");
        assertEquals(List.of("private", "public"), asked);
    }

    @Test
    void aWiderMissKeepsTheHitsOwnScope() throws Exception {
        var layered = new LayeredGeoLocator(List.of(
                new Fixed("private", new GeoLookup.Unlocated(8), new ArrayList<>()),
                new Fixed("public", hit(TOKYO, 20, "Tokyo"), new ArrayList<>())));
        assertEquals(20, layered.lookup(InetAddress.getByName("203.0.113.9")).prefixLength());
    }

    @Test
    void missEverywhereAnswersTheLongestMissPrefix() throws Exception {
        var layered = new LayeredGeoLocator(List.of(
                new Fixed("a", new GeoLookup.Unlocated(8), new ArrayList<>()),
                new Fixed("b", new GeoLookup.Unlocated(12), new ArrayList<>())));
        GeoLookup r = layered.lookup(InetAddress.getByName("10.0.0.1"));
        assertInstanceOf(GeoLookup.Unlocated.class, r);
        assertEquals(12, r.prefixLength());
        assertEquals(Optional.empty(), layered.locate(InetAddress.getByName("10.0.0.1")));
    }

    @Test
    void plainGeoLocatorLayersWork() throws Exception {
        GeoLocator none = a -> Optional.empty();
        GeoLocator tokyo = a -> Optional.of(new GeoLocation(TOKYO, 24, "Tokyo", "JP"));
        var layered = new LayeredGeoLocator(List.of(none, tokyo));
        assertEquals("Tokyo", layered.locate(InetAddress.getByName("192.0.2.1")).orElseThrow().city());
    }

    @Test
    void noLayersLocateNothing() throws Exception {
        var layered = new LayeredGeoLocator(List.of());
        assertEquals(new GeoLookup.Unlocated(0), layered.lookup(InetAddress.getByName("192.0.2.1")));
    }
}
