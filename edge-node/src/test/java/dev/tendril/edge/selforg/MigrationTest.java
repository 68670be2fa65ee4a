package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.Timings;
import dev.tendril.edge.selforg.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.tendril.edge.selforg.Places.GARCHING;
import static dev.tendril.edge.selforg.Places.MOUNTAIN_VIEW;
import static dev.tendril.edge.selforg.Places.MUNICH;
import static dev.tendril.edge.selforg.Places.PALO_ALTO;
import static dev.tendril.edge.selforg.Places.TOKYO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad QoE: the cluster moves to a better instance, or to a new replica near it when the search finds none. */
class MigrationTest {
    private static final Duration LONG_IDLE = Duration.ofHours(1);

    private static SimWorld thesisWorld(long seed) {
        SimWorld w = new SimWorld(seed, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("mountain-view", MOUNTAIN_VIEW[0], MOUNTAIN_VIEW[1]);
        w.user("10.1.0.1", 48.140, 11.580);
        w.user("10.2.0.1", 48.250, 11.650);
        w.user("10.3.0.1", 37.390, -122.080);
        return w;
    }

    @Test
    void delayOnAUsersLinkMovesItToAnotherInstance() {
        SimWorld w = thesisWorld(1);
        w.start();
        for (String n : List.of("munich", "garching", "mountain-view")) {
            w.deploy(n, SimWorld.spec("web", 50, LONG_IDLE, 1));
        }
        assertEquals("munich", w.resolve("web", "10.1.0.1"));
        w.extraDelay("10.1.0.1", "munich", 100);
        w.runFor(Duration.ofSeconds(5));

        assertEquals("garching", w.resolve("web", "10.1.0.1"), "the delayed user is answered with the other Bavarian instance");
        assertEquals("garching", w.resolve("web", "10.2.0.1"));
        assertEquals("mountain-view", w.resolve("web", "10.3.0.1"));
        List<SelfOrgEvent> events = w.events();
        SelfOrgEvent decided = only(events, EventKind.MIGRATION_DECIDED);
        assertEquals("munich", decided.nodeId());
        assertTrue(decided.detail().contains("max 50 ms") && decided.detail().contains("101."), decided.detail());
        SelfOrgEvent offered = only(events, EventKind.SEARCH_OFFERED);
        assertEquals("garching", offered.nodeId());
        SelfOrgEvent recorded = only(events, EventKind.MIGRATION_RECORDED);
        assertEquals(decided.correlationId(), recorded.correlationId());
        assertTrue(events.stream().noneMatch(e -> e.kind() == EventKind.REPLICATION_DECIDED));
        List<Duration> ttm = Timings.of(events).toMigrate();
        assertEquals(1, ttm.size());
        assertTrue(ttm.get(0).toMillis() > 0 && ttm.get(0).toMillis() < 100, "two 5 ms hops and back: " + ttm);
    }

    @Test
    void aFarClusterMovesToTheInstanceNearIt() {
        SimWorld w = thesisWorld(2);
        w.user("10.4.0.1", PALO_ALTO[0], PALO_ALTO[1]);
        w.start();
        for (String n : List.of("munich", "garching", "mountain-view")) {
            w.deploy(n, SimWorld.spec("web", 50, LONG_IDLE, 1));
        }
        w.runFor(Duration.ofSeconds(3)); // grids climb one level per exchange interval
        w.root().pin("web", "10.4.0.1", "munich"); // a stale answer: Palo Alto served from Munich
        assertEquals("garching", w.root().parentOf("web", "mountain-view").orElseThrow(), "tree: munich <- garching <- mountain-view");
        w.runFor(Duration.ofSeconds(5));
        assertEquals("mountain-view", w.resolve("web", "10.4.0.1"));
        SelfOrgEvent decided = only(w.events(), EventKind.MIGRATION_DECIDED);
        assertEquals("munich", decided.nodeId());
        // the search descends through garching's subtree (its grid holds mountain-view) to mountain-view
        List<String> forwards = w.events().stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED)
                .map(e -> e.nodeId() + ">" + e.detail().split(" ")[3]).toList();
        assertEquals(List.of("munich>garching", "garching>mountain-view"), forwards);
        assertEquals("mountain-view", only(w.events(), EventKind.SEARCH_OFFERED).nodeId());
        assertEquals(0, w.root().hostedSetQueries());
    }

    @Test
    void whenNoInstanceIsNearTheClusterAReplicaIsDeployedNearItAndTheUsersMove() {
        SimWorld w = new SimWorld(3, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("mountain-view", MOUNTAIN_VIEW[0], MOUNTAIN_VIEW[1]);
        w.platform("tokyo", TOKYO[0], TOKYO[1]);
        w.user("10.4.0.1", PALO_ALTO[0], PALO_ALTO[1]);
        w.user("10.4.0.2", PALO_ALTO[0] + 0.01, PALO_ALTO[1]);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.deploy("garching", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(8));

        assertEquals("mountain-view", w.resolve("web", "10.4.0.1"));
        assertEquals("mountain-view", w.resolve("web", "10.4.0.2"));
        assertEquals(1, w.node("mountain-view").deploys("web"));
        assertEquals(0, w.node("tokyo").deploys("web"));
        assertEquals(1, w.root().hostedSetQueries(), "one hosted-set query per replication, not one per candidate");
        List<SelfOrgEvent> events = w.events();
        String origin = only(events, EventKind.MIGRATION_DECIDED).nodeId();
        SelfOrgEvent notFound = events.stream().filter(e -> e.kind() == EventKind.SEARCH_NOT_FOUND && e.nodeId().equals(origin))
                .findFirst().orElseThrow();
        assertTrue(notFound.detail().contains("top of the tree"), notFound.detail());
        SelfOrgEvent decided = only(events, EventKind.REPLICATION_DECIDED);
        assertTrue(decided.detail().contains("tokyo: further than the reach"), decided.detail());
        SelfOrgEvent registered = only(events, EventKind.REPLICA_REGISTERED);
        assertEquals(800, registered.containerStartMillis());
        SelfOrgEvent moved = events.stream().filter(e -> e.kind() == EventKind.MIGRATION_RECORDED).findFirst().orElseThrow();
        assertEquals(decided.correlationId(), moved.correlationId());
        assertTrue(moved.at().compareTo(registered.at()) >= 0, "users move after the replica is registered");
        Timings t = Timings.of(events);
        assertEquals(1, t.toReplicate().size());
        long ttr = t.toReplicate().get(0).toMillis();
        assertTrue(ttr >= 0 && ttr < 100, "time-to-replicate excludes the 800 ms container start: " + ttr);
        assertEquals(List.of(Duration.ofMillis(800)), t.containerStarts());
    }

    @Test
    void aDegradedProbeTakesNoQoeAction() {
        SimWorld w = thesisWorld(4);
        w.node("munich").degraded(true);
        w.start();
        for (String n : List.of("munich", "garching", "mountain-view")) {
            w.deploy(n, SimWorld.spec("web", 50, Duration.ofSeconds(2), 1));
        }
        w.extraDelay("10.1.0.1", "munich", 100);
        w.runFor(Duration.ofSeconds(10));
        assertEquals("munich", w.resolve("web", "10.1.0.1"));
        assertFalse(w.events().stream().anyMatch(e -> e.nodeId().equals("munich")), "no QoE and no idle decision at munich");
    }

    @Test
    void aRunIsReproducibleFromItsSeed() {
        List<String> first = replicationRun(77);
        assertEquals(first, replicationRun(77));
        assertTrue(first.size() > 5, first.toString());
    }

    private static List<String> replicationRun(long seed) {
        SimWorld w = new SimWorld(seed, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("mountain-view", MOUNTAIN_VIEW[0], MOUNTAIN_VIEW[1]);
        w.user("10.4.0.1", PALO_ALTO[0], PALO_ALTO[1]);
        w.network().dropRate(0.1);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(10));
        return w.events().stream().map(e -> e.at() + " " + e.nodeId() + " " + e.kind() + " " + e.correlationId() + " " + e.detail())
                .toList();
    }

    static SelfOrgEvent only(List<SelfOrgEvent> events, EventKind kind) {
        List<SelfOrgEvent> matching = events.stream().filter(e -> e.kind() == kind).toList();
        assertEquals(1, matching.size(), kind + " events: " + matching);
        return matching.get(0);
    }
}
