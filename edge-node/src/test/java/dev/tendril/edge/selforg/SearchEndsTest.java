package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.selforg.sim.SimWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A migration search always ends: hop limit, deadline, nodes that vanish mid-search, lossy links. */
class SearchEndsTest {
    private static final Duration LONG_IDLE = Duration.ofHours(1);

    private static SelfOrgPolicy hopLimit(int limit) {
        SelfOrgPolicy p = SimWorld.testPolicy();
        return new SelfOrgPolicy(p.gridSize(), p.exchangeInterval(), p.gridStaleAfter(), p.clusterRadiusKm(),
                p.clusterScoreThreshold(), p.kmPerRttMs(), limit, p.searchTimeout(), p.migrationLifetime(), p.replyTimeout(),
                p.replicateAttempts(), p.readyTimeout(), p.idleJitter(), p.migrationHoldDown());
    }

    /** n0 <- n1 <- ... <- n9 along the equator, 900 km apart; a user at n9 is served by n0 (a stale record). */
    private static SimWorld chain(long seed, SelfOrgPolicy policy) {
        SimWorld w = new SimWorld(seed, policy);
        for (int i = 0; i < 10; i++) {
            w.platform("n" + i, 0, i * 8.1);
        }
        w.user("10.7.0.1", 0, 9 * 8.1);
        w.start();
        for (int i = 0; i < 10; i++) {
            w.deploy("n" + i, SimWorld.spec("web", 50, LONG_IDLE, 1));
        }
        w.runFor(Duration.ofSeconds(12)); // grids climb the chain, one level per second
        w.root().pin("web", "10.7.0.1", "n0");
        return w;
    }

    @Test
    void theSearchDescendsTheChainToTheNearestInstance() {
        SimWorld w = chain(31, hopLimit(12));
        w.runFor(Duration.ofSeconds(4));
        assertEquals("n9", w.resolve("web", "10.7.0.1"));
        assertEquals(9, w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED).count());
    }

    @Test
    void atTheHopLimitAQualifiedHopOffersItself() {
        SimWorld w = chain(32, hopLimit(6));
        w.runFor(Duration.ofSeconds(4));
        assertEquals("n6", w.resolve("web", "10.7.0.1"), "n6 is 2700 km from the user, within the 5000 km reach");
    }

    @Test
    void theHopLimitEndsASearchThatFindsNothingInReach() {
        SimWorld w = chain(33, hopLimit(2));
        w.runFor(Duration.ofSeconds(4));
        SelfOrgEvent end = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_NOT_FOUND && e.nodeId().equals("n0"))
                .findFirst().orElseThrow();
        assertTrue(end.detail().contains("hop limit 2 reached"), end.detail());
        SelfOrgEvent decided = w.events().stream().filter(e -> e.kind() == EventKind.MIGRATION_DECIDED).findFirst().orElseThrow();
        assertTrue(Duration.between(decided.at(), end.at()).toMillis() < 100, "ended at once, not by the deadline");
    }

    @Test
    void aNodeThatVanishesMidSearchDoesNotStopItFromEnding() {
        SimWorld w = chain(34, hopLimit(12));
        w.vanish("n4"); // crashes; the root and n3 do not know yet
        w.runFor(Duration.ofSeconds(6));
        SelfOrgEvent decided = w.events().stream().filter(e -> e.kind() == EventKind.MIGRATION_DECIDED).findFirst().orElseThrow();
        SelfOrgEvent end = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_NOT_FOUND && e.nodeId().equals("n0")
                && e.correlationId().equals(decided.correlationId())).findFirst().orElseThrow();
        assertTrue(end.detail().contains("deadline"), end.detail());
        long ms = Duration.between(decided.at(), end.at()).toMillis();
        assertTrue(ms >= 2000 && ms <= 3000 + SimWorld.TICK.toMillis(), "ended by the deadline (2 s) plus grace: " + ms);
    }

    /** Random trees, random users, lossy links and random crashes: every search its origin survives ends in time. */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20).map(i -> i * 7919);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everySearchEnds(long seed) {
        Random r = new Random(seed);
        SelfOrgPolicy policy = hopLimit(1 + r.nextInt(6));
        SimWorld w = new SimWorld(seed, policy);
        int n = 6 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            w.platform("p" + i, -60 + r.nextDouble() * 120, -180 + r.nextDouble() * 360);
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String a = "10.8.0." + (i + 1);
            w.user(a, -60 + r.nextDouble() * 120, -180 + r.nextDouble() * 360);
            addresses.add(a);
        }
        w.network().dropRate(r.nextDouble() * 0.2);
        w.start();
        for (int i = 0; i < n; i++) {
            if (i == 0 || r.nextDouble() < 0.7) {
                w.deploy("p" + i, SimWorld.spec("web", 20 + r.nextInt(60), LONG_IDLE, 1));
            }
        }
        List<String> hosts = new ArrayList<>(w.root().hosts("web"));
        for (String a : addresses) {
            w.root().pin("web", a, hosts.get(r.nextInt(hosts.size())));
        }
        List<String> crashed = new ArrayList<>();
        for (int step = 0; step < 20; step++) {
            w.runFor(Duration.ofMillis(500 + r.nextInt(1000)));
            if (r.nextDouble() < 0.15) {
                String victim = "p" + r.nextInt(n);
                w.vanish(victim);
                crashed.add(victim);
            }
        }
        w.runFor(Duration.ofSeconds(5));

        List<SelfOrgEvent> events = w.events();
        Map<String, List<SelfOrgEvent>> byId = events.stream().filter(e -> !e.correlationId().isEmpty())
                .collect(Collectors.groupingBy(SelfOrgEvent::correlationId));
        Duration limit = policy.searchTimeout().plus(policy.searchTimeout().dividedBy(2)).plus(SimWorld.TICK);
        int searches = 0;
        for (SelfOrgEvent d : events) {
            if (d.kind() != EventKind.MIGRATION_DECIDED || crashed.contains(d.nodeId())
                    || d.at().plus(limit).isAfter(w.scheduler().now())) {
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
            long forwards = same.stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED).count();
            assertTrue(forwards <= policy.hopLimit(), forwards + " forwards > hop limit " + policy.hopLimit());
        }
        System.out.println("seed " + seed + ": " + searches + " searches, " + crashed.size() + " crashes, "
                + w.network().dropped() + " dropped, " + w.network().lost() + " lost");
    }
}
