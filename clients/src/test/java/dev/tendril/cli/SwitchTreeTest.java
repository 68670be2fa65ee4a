package dev.tendril.cli;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwitchTreeTest {
    @Test
    void topologyAPutsPlatformAndUserIOnSwitchI() {
        SwitchTree t = SwitchTree.of(SwitchTree.A, 1);
        assertEquals(7, t.switches());
        for (int i = 1; i <= 7; i++) {
            assertEquals(i, t.platforms.get(i - 1).switchIndex());
            assertEquals(i, t.users.get(i - 1).switchIndex());
        }
        // p4 (s4) to p7 (s7): s4-s2-s1-s3-s7, 4 switch hops + 2 access links
        assertEquals(4, t.switchHops(4, 7));
        assertEquals(30, t.delayMs("p4", "p7"));
        assertEquals(15, t.delayMs("root", "p2"));
        assertEquals(10, t.delayMs("p5", "u5"));
    }

    @Test
    void depthFiveTreesPlacePlatformsAtEvenDepthSoNeighboursAreAnEvenNumberOfHopsApart() {
        for (SwitchTree.Layout layout : List.of(SwitchTree.B, SwitchTree.C, SwitchTree.D)) {
            for (long seed = 1; seed <= 5; seed++) {
                SwitchTree t = SwitchTree.of(layout, seed);
                assertEquals(31, t.switches());
                assertEquals(layout.platforms(), t.platforms.size());
                assertEquals(layout.users(), t.users.size());
                for (SwitchTree.Platform p : t.platforms) {
                    assertEquals(0, SwitchTree.depth(p.switchIndex()) % 2, p.toString());
                    for (SwitchTree.Platform q : t.platforms) {
                        assertEquals(0, t.switchHops(p.switchIndex(), q.switchIndex()) % 2, p + " " + q);
                    }
                }
                for (SwitchTree.User u : t.users) {
                    assertTrue(u.switchIndex() >= 1 && u.switchIndex() <= 31, u.toString());
                    assertTrue(u.lat() >= 48.06 && u.lat() <= 48.22 && u.lon() >= 11.45 && u.lon() <= 11.70, u.toString());
                }
                // the harness gets every switch, every host and a link per switch and per host
                String text = t.topology(2).text();
                assertEquals(31, text.lines().filter(l -> l.startsWith("switch ")).count());
                assertEquals(1 + layout.platforms() + layout.users(), text.lines().filter(l -> l.startsWith("host ")).count());
                assertEquals(30 + 1 + layout.platforms() + layout.users(), text.lines().filter(l -> l.startsWith("link ")).count());
            }
        }
        // leaves s16 and s31: up 4 to s1 and down 4, + 2 access links
        assertEquals(8, SwitchTree.of(SwitchTree.B, 1).switchHops(16, 31));
    }

    @Test
    void placementsFollowTheSeed() {
        assertEquals(SwitchTree.of(SwitchTree.C, 7).platforms, SwitchTree.of(SwitchTree.C, 7).platforms);
        assertNotEquals(SwitchTree.of(SwitchTree.C, 7).platforms, SwitchTree.of(SwitchTree.C, 8).platforms);
        assertNotEquals(SwitchTree.of(SwitchTree.C, 7).users, SwitchTree.of(SwitchTree.C, 8).users);
    }

    @Test
    void everyUserHasItsOwnSubnetAtItsPositionInTheGeoCsv() {
        SwitchTree t = SwitchTree.of(SwitchTree.D, 3);
        List<String> rows = t.geoCsv().lines().toList();
        assertEquals("cidr,lat,lon,city,country", rows.get(0));
        assertEquals(31, rows.size());
        Set<String> nets = new HashSet<>();
        for (SwitchTree.User u : t.users) {
            String row = rows.get(u.index());
            assertTrue(row.startsWith("10.1." + u.index() + ".0/24," + u.place() + ","), row);
            assertTrue(nets.add(row.split(",")[0]));
            assertTrue(u.address(0).startsWith("10.1." + u.index() + ".") && u.address(SwitchTree.MAX_RUNS).endsWith("." + (10 + SwitchTree.MAX_RUNS)));
        }
    }

    @Test
    void heterogeneousLinksFollowTheDistance() {
        SwitchTree t = SwitchTree.of(SwitchTree.H, 1);
        assertEquals(List.of("amd64", "amd64", "amd64", "arm64"), t.platforms.stream().map(SwitchTree.Platform::arch).toList());
        double potsdamMunichKm = SwitchTree.POTSDAM.distanceKm(SwitchTree.MUNICH);
        assertTrue(potsdamMunichKm > 450 && potsdamMunichKm < 520, "Potsdam-Munich " + potsdamMunichKm + " km");
        // user in Munich: 2 access links to the Munich platform, + the Munich-Potsdam link to Potsdam
        assertEquals(1.0, t.delayMs("u1", "p4"), 1e-9);
        assertEquals(1.0 + Math.round(potsdamMunichKm * 5) / 1000.0, t.delayMs("u1", "p2"), 1e-9);
        assertEquals(1.0, t.delayMs("u2", "p1"), 1e-9);
        // round trip to Potsdam over the spec's 4 ms, to Munich under it; the reach (4 x 100 km) misses Potsdam
        assertTrue(2 * t.delayMs("u1", "p1") > RealTopologyIT.H_MAX_LATENCY_MS && 2 * t.delayMs("u1", "p4") < RealTopologyIT.H_MAX_LATENCY_MS);
        assertTrue(RealTopologyIT.H_MAX_LATENCY_MS * 100 < potsdamMunichKm - 20);
        assertThrows(IllegalArgumentException.class, () -> SwitchTree.layout("E"));
    }
}
