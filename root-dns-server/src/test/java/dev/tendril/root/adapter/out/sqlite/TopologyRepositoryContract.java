package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Behaviour every {@link TopologyRepository} must have; run over the fake and over SpatiaLite. */
abstract class TopologyRepositoryContract {
    protected TopologyRepository repo;

    protected abstract TopologyRepository create() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        repo = create();
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    @Test
    void treesAreCreatedOnceAndListedSorted() {
        assertTrue(repo.inTransaction(() -> repo.createTree("web", 5)));
        assertFalse(repo.inTransaction(() -> repo.createTree("web", 6)));
        repo.inTransaction(() -> repo.createTree("api", 7));
        assertTrue(repo.treeExists("web"));
        assertFalse(repo.treeExists("dns"));
        assertEquals(List.of("api", "web"), repo.services());
    }

    @Test
    void countsFollowEveryWriteAndARollback() {
        repo.inTransaction(() -> {
            repo.createTree("web", 1);
            repo.createTree("api", 1);
            repo.saveNode(new TreeNode("web", info("a", BERLIN), "", true, 1));
            repo.saveNode(new TreeNode("web", info("b", PARIS), "a", true, 1));
            repo.saveNode(new TreeNode("api", info("a", BERLIN), "", true, 1));
            for (int i = 0; i < 5; i++) {
                repo.saveMigration(new Migration("web", Cidr.parse("10.0." + i + ".0/24"), i < 2 ? "a" : "b", 1, 10 + i));
            }
            repo.saveMigration(new Migration("web", Cidr.parse("10.0.0.0/24"), "b", 2, 20)); // replaces, adds nothing
            repo.saveMigration(new Migration("api", Cidr.parse("10.9.0.0/24"), "a", 1, 100));
            return null;
        });
        assertEquals(2, repo.nodeCount("web"));
        assertEquals(2, repo.treesOf("a"));
        assertEquals(1, repo.treesOf("b"));
        assertEquals(0, repo.treesOf("zz"));
        assertEquals(5, repo.migrationCount("web"));
        assertEquals(6, repo.migrationCount(""));
        assertTrue(repo.hasMigration("web", Cidr.parse("10.0.4.0/24")));
        assertFalse(repo.hasMigration("api", Cidr.parse("10.0.4.0/24")));
        repo.inTransaction(() -> repo.removeMigration("web", Cidr.parse("10.0.4.0/24")));
        repo.inTransaction(() -> repo.removeMigrationsTargeting("web", "a")); // 10.0.1.0 (10.0.0.0 now targets b)
        repo.inTransaction(() -> repo.removeExpiredMigrations(12)); // 10.0.2.0 (expires 12)
        assertEquals(2, repo.migrationCount("web"));
        assertEquals(3, repo.migrationCount(""));
        assertThrows(IllegalStateException.class, () -> repo.inTransaction(() -> {
            repo.saveMigration(new Migration("api", Cidr.parse("10.9.1.0/24"), "a", 1, 100));
            assertEquals(2, repo.migrationCount("api"), "seen inside the transaction");
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(1, repo.migrationCount("api"), "a rolled-back write is not counted");
        assertEquals(3, repo.migrationCount(""));
        repo.inTransaction(() -> repo.removeNode("web", "b"));
        assertEquals(1, repo.nodeCount("web"));
        assertThrows(IllegalStateException.class, () -> repo.inTransaction(() -> {
            repo.saveNode(new TreeNode("web", info("c", MUNICH), "a", true, 1));
            assertEquals(2, repo.nodeCount("web"), "seen inside the transaction");
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(1, repo.nodeCount("web"), "a rolled-back node is not counted");
        assertEquals(0, repo.nodeCount("nope"));
    }

    @Test
    void nodeRoundTripsEveryField() {
        NodeInfo info = new NodeInfo("edge-7", "2001:db8::7", new GeoPoint(-33.869, 151.209),
                List.of(new ServicePort("http", "tcp", 80), new ServicePort("dns", "udp", 53)), 7100);
        TreeNode node = new TreeNode("web", info, "", false, 123_456_789L);
        repo.inTransaction(() -> {
            repo.saveNode(node);
            return null;
        });
        assertEquals(Optional.of(node), repo.node("web", "edge-7"));
        assertEquals(Optional.empty(), repo.node("api", "edge-7"));
        assertEquals(List.of(node), repo.nodes("web"));
    }

    @Test
    void nodeWithoutPortsRoundTrips() {
        TreeNode node = new TreeNode("web", new NodeInfo("bare", "10.0.0.1", BERLIN, List.of(), 0), "", true, 1);
        save(node);
        assertEquals(Optional.of(node), repo.node("web", "bare"));
    }

    @Test
    void childCountsFollowInsertsMovesAndRemovals() {
        save(node("web", "a", BERLIN, ""));
        save(node("web", "b", MUNICH, ""));
        save(node("web", "c", PARIS, "a"));
        save(node("web", "d", TOKYO, "a"));
        assertEquals(2, repo.childCount("web", "a"));
        assertEquals(0, repo.childCount("web", "b"));
        save(node("web", "d", TOKYO, "b")); // moved
        assertEquals(1, repo.childCount("web", "a"));
        assertEquals(1, repo.childCount("web", "b"));
        assertTrue(repo.inTransaction(() -> repo.removeNode("web", "c")));
        assertFalse(repo.inTransaction(() -> repo.removeNode("web", "c")));
        assertEquals(0, repo.childCount("web", "a"));
        assertEquals(List.of("d"), repo.children("web", "b").stream().map(TreeNode::nodeId).toList());
        assertEquals(0, repo.childCount("web", "unknown"));
    }

    @Test
    void sameNodeIdInTwoTreesIsTwoNodes() {
        save(node("web", "a", BERLIN, ""));
        save(node("api", "a", TOKYO, ""));
        save(node("api", "b", TOKYO, "a"));
        assertEquals(0, repo.childCount("web", "a"));
        assertEquals(1, repo.childCount("api", "a"));
        assertEquals(BERLIN, repo.node("web", "a").orElseThrow().info().position());
    }

    @Test
    void nearestIsByGreatCircleAndRespectsStateRoomExclusionAndService() {
        save(node("web", "berlin", BERLIN, ""));
        save(node("web", "paris", PARIS, "berlin"));
        save(node("web", "tokyo", TOKYO, "berlin"));
        save(node("api", "munich", MUNICH, ""));
        assertEquals("berlin", nearest("web", MUNICH, 4, Set.of()));
        assertEquals("paris", nearest("web", MUNICH, 2, Set.of()), "berlin is full at fan-out 2");
        assertEquals("paris", nearest("web", MUNICH, 4, Set.of("berlin")));
        save(node("web", "paris", PARIS, "berlin").withLive(false));
        assertEquals("tokyo", nearest("web", MUNICH, 4, Set.of("berlin")), "down nodes are never chosen");
        assertEquals("", nearest("web", MUNICH, 4, Set.of("berlin", "tokyo")));
        assertEquals("munich", nearest("api", SYDNEY, 4, Set.of()));
        assertEquals("", nearest("dns", SYDNEY, 4, Set.of()));
    }

    @Test
    void nearestLooksAcrossTheAntimeridianAndOverThePoles() {
        save(node("web", "samoa", SAMOA, ""));
        save(node("web", "sydney", SYDNEY, "samoa"));
        assertEquals("samoa", nearest("web", FIJI, 4, Set.of()), "Fiji-Samoa is ~1,100 km across 180 deg");
        save(node("web", "north", new GeoPoint(89.0, 0.0), "samoa"));
        save(node("web", "oslo", new GeoPoint(59.91, 10.75), "samoa"));
        assertEquals("north", nearest("web", new GeoPoint(88.0, 179.0), 4, Set.of()),
                "over the pole, not along the parallel");
    }

    @Test
    void nearestFindsTheOnlyNodeOnTheFarSideOfTheEarth() {
        save(node("web", "antipode", new GeoPoint(-52.52, -166.595), ""));
        assertEquals("antipode", nearest("web", BERLIN, 1, Set.of()));
    }

    @Test
    void nearestAgreesWithBruteForceOnRandomPoints() {
        SplittableRandom random = new SplittableRandom(42);
        List<TreeNode> all = new ArrayList<>();
        repo.inTransaction(() -> {
            for (int i = 0; i < 400; i++) {
                // clustered around a few centres plus a uniform background
                GeoPoint p = i % 3 == 0 ? randomPoint(random)
                        : jitter(List.of(BERLIN, TOKYO, NEW_YORK, FIJI).get(i % 4), random);
                TreeNode n = new TreeNode("web", info("n" + i, p), i < 40 ? "" : "n" + random.nextInt(40),
                        random.nextInt(5) != 0, 1);
                repo.saveNode(n);
                all.add(n);
            }
            return null;
        });
        Set<String> excluded = new HashSet<>(List.of("n1", "n2", "n3"));
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        all.forEach(n -> counts.put(n.nodeId(), repo.childCount("web", n.nodeId())));
        for (int q = 0; q < 200; q++) {
            GeoPoint near = q % 2 == 0 ? randomPoint(random) : jitter(FIJI, random);
            int fanOut = 1 + random.nextInt(4);
            String expected = all.stream()
                    .filter(n -> n.live() && !excluded.contains(n.nodeId()) && counts.get(n.nodeId()) < fanOut)
                    .min(Comparator.<TreeNode>comparingDouble(n -> near.distanceKm(n.info().position()))
                            .thenComparing(TreeNode::nodeId))
                    .map(TreeNode::nodeId).orElse("");
            assertEquals(expected, nearest("web", near, fanOut, excluded), "query " + q + " at " + near);
        }
    }

    @Test
    void migrationsAreReplacedPerSubnetListedAndRemoved() {
        Cidr net = Cidr.parse("198.51.100.0/24");
        saveMigration(new Migration("web", net, "a", 10, 100));
        saveMigration(new Migration("web", net, "b", 20, 200));
        saveMigration(new Migration("web", Cidr.parse("2001:db8::/48"), "a", 10, 50));
        saveMigration(new Migration("api", Cidr.parse("203.0.113.9"), "a", 10, 300));
        assertEquals(List.of(new Migration("web", net, "b", 20, 200),
                new Migration("web", Cidr.parse("2001:db8::/48"), "a", 10, 50)), repo.migrations("web"));
        assertEquals(3, repo.migrations("").size());
        assertEquals("api", repo.migrations("").get(0).service());
        assertTrue(repo.inTransaction(() -> repo.removeMigration("web", net)));
        assertFalse(repo.inTransaction(() -> repo.removeMigration("web", net)));
        assertEquals(1, repo.migrations("web").size());
    }

    @Test
    void expiredAndTargetingMigrationsAreRemovedAndReturned() {
        saveMigration(new Migration("web", Cidr.parse("10.1.0.0/16"), "a", 0, 100));
        saveMigration(new Migration("web", Cidr.parse("10.2.0.0/16"), "b", 0, 200));
        saveMigration(new Migration("web", Cidr.parse("10.3.0.0/16"), "a", 0, 300));
        saveMigration(new Migration("api", Cidr.parse("10.4.0.0/16"), "a", 0, 300));
        assertEquals(List.of(new Migration("web", Cidr.parse("10.1.0.0/16"), "a", 0, 100)),
                repo.inTransaction(() -> repo.removeExpiredMigrations(100)));
        assertEquals(List.of(new Migration("web", Cidr.parse("10.3.0.0/16"), "a", 0, 300)),
                repo.inTransaction(() -> repo.removeMigrationsTargeting("web", "a")));
        assertEquals(List.of("10.4.0.0/16", "10.2.0.0/16"),
                repo.migrations("").stream().map(m -> m.clients().toString()).toList());
    }

    @Test
    void aFailedTransactionKeepsNothing() {
        save(node("web", "a", BERLIN, ""));
        assertThrows(IllegalStateException.class, () -> repo.inTransaction(() -> {
            repo.createTree("web", 1);
            repo.saveNode(node("web", "b", PARIS, "a"));
            repo.saveMigration(new Migration("web", Cidr.parse("10.0.0.0/8"), "b", 1, 2));
            throw new IllegalStateException("boom");
        }));
        assertFalse(repo.treeExists("web"));
        assertEquals(Optional.empty(), repo.node("web", "b"));
        assertEquals(0, repo.childCount("web", "a"));
        assertEquals(List.of(), repo.migrations(""));
        save(node("web", "c", PARIS, "a")); // still usable
        assertEquals(1, repo.childCount("web", "a"));
    }

    protected void save(TreeNode node) {
        repo.inTransaction(() -> {
            repo.saveNode(node);
            return null;
        });
    }

    protected void saveMigration(Migration m) {
        repo.inTransaction(() -> {
            repo.saveMigration(m);
            return null;
        });
    }

    protected String nearest(String service, GeoPoint near, int fanOut, Set<String> excluded) {
        return repo.nearestLiveWithRoom(service, near, fanOut, excluded).map(TreeNode::nodeId).orElse("");
    }

    static GeoPoint randomPoint(SplittableRandom r) {
        return new GeoPoint(Math.toDegrees(Math.asin(r.nextDouble(-1, 1))), r.nextDouble(-180, 180));
    }

    static GeoPoint jitter(GeoPoint p, SplittableRandom r) {
        double lon = p.longitude() + r.nextDouble(-3, 3);
        lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
        return new GeoPoint(Math.max(-90, Math.min(90, p.latitude() + r.nextDouble(-2, 2))), lon);
    }
}
