package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search is routed by the grids across the whole tree (flow 6): it reaches a target deep
 * in another branch, tries the next branch when a grid led it into one with nothing there,
 * and ends whatever the grids claim.
 */
class SearchRoutingTest {
    private static final Duration LONG_IDLE = Duration.ofHours(1);
    private static final double STEP = 8.1; // degrees of longitude on the equator, ~900 km

    /** The search policy of a real node (hop limit and deadline as shipped), the test's quick cadence otherwise. */
    private static SelfOrgPolicy shippedSearch() {
        SelfOrgPolicy p = SimWorld.testPolicy();
        SelfOrgPolicy d = SelfOrgPolicy.defaults();
        return new SelfOrgPolicy(p.gridSize(), p.exchangeInterval(), p.gridStaleAfter(), p.clusterRadiusKm(),
                p.clusterScoreThreshold(), p.kmPerRttMs(), d.hopLimit(), d.searchTimeout(), p.migrationLifetime(),
                p.replyTimeout(), p.replicateAttempts(), p.readyTimeout(), p.idleJitter(), p.migrationHoldDown());
    }

    /**
     * top with two branches along the equator, a1..a6 east and b1..b6 west, 900 km apart. A user
     * next to b6 is served by a6 (the far end of the other branch); reach 500 km (5 ms), so only
     * b6 qualifies, six levels down the other branch: 11 hops from a6, past the old limit of 8.
     */
    @Test
    void aTargetDeepInAnotherBranchIsFound() {
        SimWorld w = new SimWorld(51, shippedSearch());
        w.platform("top", 0, 0);
        for (int i = 1; i <= 6; i++) {
            w.platform("a" + i, 0, i * STEP);
            w.platform("b" + i, 0, -i * STEP);
        }
        w.user("10.7.0.1", 0.05, -6 * STEP);
        w.start();
        w.deploy("top", SimWorld.spec("web", 5, LONG_IDLE, 1));
        for (int i = 1; i <= 6; i++) {
            w.deploy("a" + i, SimWorld.spec("web", 5, LONG_IDLE, 1));
            w.deploy("b" + i, SimWorld.spec("web", 5, LONG_IDLE, 1));
        }
        assertEquals("a5", w.root().parentOf("web", "a6").orElseThrow());
        assertEquals("top", w.root().parentOf("web", "b1").orElseThrow());
        w.runFor(Duration.ofSeconds(10)); // grids climb six levels
        w.root().pin("web", "10.7.0.1", "a6");
        w.runFor(Duration.ofSeconds(4));

        assertEquals("b6", w.resolve("web", "10.7.0.1"));
        SelfOrgEvent offered = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_OFFERED).findFirst().orElseThrow();
        assertEquals("b6", offered.nodeId());
        // a6 -> a5 -> ... -> a1 (5 up), a1 -> b1 (its sibling, by top's grids), b1 -> ... -> b6 (5 down)
        assertTrue(offered.detail().endsWith("hop 11"), offered.detail());
        assertEquals(0, w.events().stream().filter(e -> e.kind() == EventKind.REPLICATION_DECIDED).count(), "migrated, not replicated");
    }

    /**
     * A sibling's grid lies (it claims free capacity right at the users; the sibling, far away,
     * has none there): the search goes there first, comes back, and finds the real instance
     * near the users in the next branch instead of giving up and replicating.
     */
    @Test
    void aBranchThatLiesSendsTheSearchBackToTheNextBranch() {
        SimWorld w = new SimWorld(52, shippedSearch());
        w.platform("top", 0, 0);
        w.platform("origin", 0, 10);
        w.platform("liar", -30, 0);
        w.platform("good", 0, -31);
        GeoPoint users = new GeoPoint(0, -30);
        w.user("10.7.0.2", users.latitude(), users.longitude());
        w.start();
        for (String n : List.of("top", "origin", "liar", "good")) {
            w.deploy(n, SimWorld.spec("web", 5, LONG_IDLE, 1));
        }
        assertEquals("top", w.root().parentOf("web", "liar").orElseThrow());
        assertEquals("top", w.root().parentOf("web", "good").orElseThrow());
        CapacityGrid lie = CapacityGrid.merge(8, List.of(), List.of(new GridPoint(users, Capacity.of(64, 256L << 30, 0, 1L << 40))));
        w.scheduler().every(Duration.ofMillis(50), Duration.ofMillis(1), () -> w.network().send("liar", "top", new SubtreeGrid("web", "liar", lie)));
        w.runFor(Duration.ofSeconds(4));
        w.root().pin("web", "10.7.0.2", "origin");
        w.runFor(Duration.ofSeconds(4));

        List<String> path = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED)
                .map(e -> e.nodeId() + ":" + e.detail().replaceAll(": .*", "")).toList();
        assertEquals(List.of("origin:hop 1 -> liar (down)", "liar:hop 2 -> origin (back)", "origin:hop 3 -> good (down)"), path);
        assertEquals("good", w.resolve("web", "10.7.0.2"));
    }

    /**
     * "near" could serve the users but its child's grid (a lie) shows capacity nearer still:
     * near opens its connection to the origin before it sends the search down, so when the
     * branch comes back empty its offer is no first contact.
     */
    @Test
    void aQualifiedHopThatTriesABranchFirstPreparesItsOfferToTheOrigin() {
        SimWorld w = new SimWorld(53, shippedSearch());
        w.platform("top", 0, 0);
        w.platform("origin", 0, 10);
        w.platform("mid", 0, -15);
        w.platform("near", 0, -28);
        w.platform("liar", -8, -28);
        GeoPoint users = new GeoPoint(0, -30);
        w.user("10.7.0.3", users.latitude(), users.longitude());
        w.start();
        for (String n : List.of("top", "origin", "mid", "near", "liar")) {
            w.deploy(n, SimWorld.spec("web", 5, LONG_IDLE, 1));
        }
        assertEquals("mid", w.root().parentOf("web", "near").orElseThrow());
        assertEquals("near", w.root().parentOf("web", "liar").orElseThrow());
        CapacityGrid lie = CapacityGrid.merge(8, List.of(), List.of(new GridPoint(users, Capacity.of(64, 256L << 30, 0, 1L << 40))));
        w.scheduler().every(Duration.ofMillis(50), Duration.ofMillis(1), () -> w.network().send("liar", "near", new SubtreeGrid("web", "liar", lie)));
        w.runFor(Duration.ofSeconds(5));
        assertTrue(w.network().prepared().stream().noneMatch("near>origin"::equals),
                "near is no neighbour of the origin: nothing prepared before a search: " + w.network().prepared());
        w.root().pin("web", "10.7.0.3", "origin");
        w.runFor(Duration.ofSeconds(4));

        List<String> path = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED)
                .map(e -> e.nodeId() + ":" + e.detail().replaceAll(": .*", "")).toList();
        assertEquals(List.of("origin:hop 1 -> mid (down)", "mid:hop 2 -> near (down)", "near:hop 3 -> liar (down)",
                "liar:hop 4 -> near (back)"), path);
        assertEquals("near", w.resolve("web", "10.7.0.3"));
        assertEquals(1, w.network().prepared().stream().filter("near>origin"::equals).count(), w.network().prepared().toString());
        assertTrue(w.network().prepared().stream().noneMatch("liar>origin"::equals),
                "only a hop that could serve prepares (mid>origin: siblings, by the grid exchange): " + w.network().prepared());
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12).map(i -> i * 104729);
    }

    /**
     * Random trees where a third of the nodes send their parents grids that claim capacity
     * in random places (lying, and stale the moment they are sent), on lossy links with
     * copies: every search ends in time, within the hop limit, and no node sends one search
     * down the same link twice (no loops).
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void searchesEndOnLyingGrids(long seed) {
        Random r = new Random(seed);
        SelfOrgPolicy policy = shippedSearch();
        SimWorld w = new SimWorld(seed, policy);
        int n = 10 + r.nextInt(15);
        for (int i = 0; i < n; i++) {
            w.platform("p" + i, -50 + r.nextDouble() * 100, -120 + r.nextDouble() * 240);
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            addresses.add("10.9.0." + (i + 1));
            w.user(addresses.get(i), -50 + r.nextDouble() * 100, -120 + r.nextDouble() * 240);
        }
        w.network().dropRate(r.nextDouble() * 0.05);
        w.network().duplicateRate(r.nextDouble() * 0.1);
        w.start();
        for (int i = 0; i < n; i++) {
            w.deploy("p" + i, SimWorld.spec("web", 5 + r.nextInt(20), LONG_IDLE, 1));
        }
        for (int i = 1; i < n; i++) {
            if (r.nextInt(3) == 0) {
                String liar = "p" + i;
                String parent = w.root().parentOf("web", liar).orElseThrow();
                List<GridPoint> claims = new ArrayList<>();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    claims.add(new GridPoint(new GeoPoint(-50 + r.nextDouble() * 100, -120 + r.nextDouble() * 240),
                            Capacity.of(32, 64L << 30, 0, 1L << 40)));
                }
                CapacityGrid lie = CapacityGrid.merge(8, List.of(), claims);
                w.scheduler().every(Duration.ofMillis(300), Duration.ofMillis(r.nextInt(300)),
                        () -> w.network().send(liar, parent, new SubtreeGrid("web", liar, lie)));
            }
        }
        w.runFor(Duration.ofSeconds(6));
        List<String> hosts = new ArrayList<>(w.root().hosts("web"));
        for (String a : addresses) {
            w.root().pin("web", a, hosts.get(r.nextInt(hosts.size())));
        }
        w.runFor(Duration.ofSeconds(15));

        List<SelfOrgEvent> events = w.events();
        Map<String, List<SelfOrgEvent>> byId = events.stream().filter(e -> !e.correlationId().isEmpty())
                .collect(Collectors.groupingBy(SelfOrgEvent::correlationId));
        Duration limit = policy.searchTimeout().plus(policy.searchTimeout().dividedBy(2)).plus(SimWorld.TICK);
        int searches = 0;
        for (SelfOrgEvent d : events) {
            if (d.kind() != EventKind.MIGRATION_DECIDED || d.at().plus(limit).isAfter(w.scheduler().now())) {
                continue;
            }
            searches++;
            List<SelfOrgEvent> same = byId.get(d.correlationId());
            SelfOrgEvent end = same.stream().filter(e -> e.nodeId().equals(d.nodeId())
                            && (e.kind() == EventKind.MIGRATION_RECORDED || e.kind() == EventKind.SEARCH_NOT_FOUND
                            || e.kind() == EventKind.MIGRATION_FAILED))
                    .findFirst().orElseThrow(() -> new AssertionError("search " + d.correlationId() + " never ended: " + same));
            assertTrue(Duration.between(d.at(), end.at()).compareTo(limit) <= 0, "search " + d.correlationId() + " took "
                    + Duration.between(d.at(), end.at()));
            List<String> links = same.stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED)
                    .map(e -> e.nodeId() + e.detail().replaceAll("^hop \\d+ (-> \\S+ \\(\\w+\\)).*", "$1")).toList();
            assertTrue(links.size() <= policy.hopLimit(), links.size() + " forwards > hop limit " + policy.hopLimit() + ": " + same);
            Set<String> distinct = new HashSet<>(links);
            assertEquals(distinct.size(), links.size(), "a link used twice by one search: " + links);
        }
        assertTrue(searches > 0, "no search was decided");
    }
}
