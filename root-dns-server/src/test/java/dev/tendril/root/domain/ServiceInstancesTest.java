package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceInstancesTest {

    private static Instance at(String id, double lat, double lon, boolean live) {
        return Instance.of(World.node(id, "10.9.0.1", new GeoPoint(lat, lon)), live);
    }

    private static ServiceInstances of(Instance... instances) {
        Map<String, Instance> m = new LinkedHashMap<>();
        for (Instance i : instances) {
            m.put(i.nodeId(), i);
        }
        return ServiceInstances.EMPTY.with(m);
    }

    private static List<String> ids(List<Instance> l) {
        return l.stream().map(Instance::nodeId).toList();
    }

    @Test
    void nearestAcrossTheAntimeridianIsByGreatCircleNotByDegrees() {
        // Suva (Fiji) 178.44 E and a point at 150 E; client in Apia (Samoa) at 171.76 W.
        // By degree difference 150 E looks nearer (38 deg vs 350 deg); on the sphere Suva is ~1,150 km away.
        ServiceInstances s = of(at("suva", -18.14, 178.44, true), at("east150", -13.83, 150.0, true));
        assertEquals(List.of("suva"), ids(s.nearest(new GeoPoint(-13.83, -171.76), 1, true)));
    }

    @Test
    void nearestNearThePole() {
        ServiceInstances s = of(at("a", 89.0, 0.0, true), at("b", 80.0, 179.0, true));
        // a point at 85 N, 180: a is 6 deg of arc away over the pole... b is 5 deg away along the meridian
        assertEquals(List.of("b", "a"), ids(s.nearest(new GeoPoint(85.0, 180.0), 2, true)));
    }

    @Test
    void kNearestInOrderAndLiveOnly() {
        ServiceInstances s = of(Instance.of(World.FRA, true), Instance.of(World.NYC, true),
                Instance.of(World.TYO, false), Instance.of(World.SYD, true));
        assertEquals(List.of("syd1", "fra1", "nyc1"), ids(s.nearest(World.TOKYO, 3, true)));
        assertEquals(List.of("tyo1", "syd1"), ids(s.nearest(World.TOKYO, 2, false)));
        assertEquals(3, s.liveCount());
        assertEquals(4, s.size());
    }

    @Test
    void changesOverlayAndRebuildAgreeWithBruteForce() {
        SplittableRandom rnd = new SplittableRandom(42);
        Map<String, Instance> truth = new HashMap<>();
        ServiceInstances s = ServiceInstances.EMPTY;
        Map<String, Instance> initial = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            Instance in = randomInstance(rnd, "n" + i);
            initial.put(in.nodeId(), in);
        }
        s = s.with(initial);
        truth.putAll(initial);
        for (int step = 0; step < 600; step++) {
            String id = "n" + rnd.nextInt(2300);
            Map<String, Instance> change = new HashMap<>();
            int op = rnd.nextInt(3);
            Instance now = op == 0 ? null : op == 1 ? randomInstance(rnd, id)
                    : truth.containsKey(id) ? truth.get(id).withLive(!truth.get(id).live()) : null;
            change.put(id, now);
            s = s.with(change);
            if (now == null) {
                truth.remove(id);
            } else {
                truth.put(id, now);
            }
            if (step % 20 == 0) {
                for (int q = 0; q < 20; q++) {
                    GeoPoint p = new GeoPoint(rnd.nextDouble(-90, 90), rnd.nextDouble(-180, 180));
                    int k = 1 + rnd.nextInt(5);
                    assertEquals(bruteForce(truth, p, k), ids(s.nearest(p, k, true)), "step " + step + " at " + p);
                }
                assertEquals(truth.size(), s.size());
                assertEquals(truth.values().stream().filter(Instance::live).count(), s.liveCount());
            }
        }
        for (String id : List.of("n1", "n7", "n2299")) {
            Instance expected = truth.get(id);
            Instance got = s.get(id);
            if (expected == null) {
                assertNull(got);
            } else {
                assertEquals(expected, got);
            }
        }
    }

    private static Instance randomInstance(SplittableRandom rnd, String id) {
        NodeInfo n = World.node(id, "10.9.0.1", new GeoPoint(Math.toDegrees(Math.asin(rnd.nextDouble(-1, 1))),
                rnd.nextDouble(-180, 180)));
        return Instance.of(n, rnd.nextInt(4) != 0);
    }

    private static List<String> bruteForce(Map<String, Instance> all, GeoPoint p, int k) {
        Map<Instance, Double> d = new HashMap<>();
        all.values().stream().filter(Instance::live).forEach(i -> d.put(i, i.node().position().distanceKm(p)));
        List<Instance> live = new ArrayList<>(d.keySet());
        live.sort(Comparator.<Instance>comparingDouble(d::get).thenComparing(Instance::nodeId));
        return ids(live.subList(0, Math.min(k, live.size())));
    }

    @Test
    void largeIndexRebuiltOffTheWritePathCarriesOverTheChangesMadeMeanwhile() {
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, Instance> truth = new HashMap<>();
        for (int i = 0; i < 6000; i++) {
            Instance in = randomInstance(rnd, "n" + i);
            truth.put(in.nodeId(), in);
        }
        ServiceInstances s = ServiceInstances.EMPTY.with(new HashMap<>(truth));
        ServiceInstances base = null;
        ServiceInstances fresh = null;
        int rebases = 0;
        for (int step = 0; step < 1500; step++) {
            String id = "n" + rnd.nextInt(6300);
            int op = rnd.nextInt(3);
            Instance now = op == 0 ? null : op == 1 ? randomInstance(rnd, id)
                    : truth.containsKey(id) ? truth.get(id).withLive(!truth.get(id).live()) : null;
            Map<String, Instance> change = new HashMap<>();
            change.put(id, now);
            s = s.with(change);
            if (now == null) {
                truth.remove(id);
            } else {
                truth.put(id, now);
            }
            if (base == null && s.needsRebuild()) {
                base = s;            // the snapshot a background rebuild starts from
                fresh = s.rebuilt();
                assertFalse(fresh.needsRebuild());
            } else if (base != null && rnd.nextInt(40) == 0) { // the rebuild lands some writes later
                s = s.rebasedOnto(base, fresh);
                base = null;
                rebases++;
            }
            if (step % 25 == 0) {
                GeoPoint p = new GeoPoint(rnd.nextDouble(-90, 90), rnd.nextDouble(-180, 180));
                int k = 1 + rnd.nextInt(4);
                assertEquals(bruteForce(truth, p, k), ids(s.nearest(p, k, true)), "step " + step + " at " + p);
                assertEquals(truth.size(), s.size());
                assertEquals(truth.values().stream().filter(Instance::live).count(), s.liveCount());
            }
        }
        assertTrue(rebases > 0, "the test exercised rebases");
        for (int i = 0; i < 6300; i += 37) {
            assertEquals(truth.get("n" + i), s.get("n" + i), "n" + i);
        }
        ServiceInstances stale = s.rebuilt();
        assertNull(s.rebasedOnto(stale, stale.rebuilt()), "a rebuild from another tree is not carried over");
    }

    @Test
    void portsAndProtocolsAreTracked() {
        ServiceInstances s = of(Instance.of(World.FRA, true));
        assertTrue(s.hasPort("http", "tcp"));
        assertTrue(s.hasProtocol("tcp"));
        assertFalse(s.hasProtocol("udp"));
        Map<String, Instance> rm = new HashMap<>();
        rm.put("fra1", null);
        ServiceInstances empty = s.with(rm);
        assertFalse(empty.hasPort("http", "tcp"));
        assertEquals(0, empty.size());
        assertTrue(empty.nearest(World.TOKYO, 1, false).isEmpty());
    }
}
