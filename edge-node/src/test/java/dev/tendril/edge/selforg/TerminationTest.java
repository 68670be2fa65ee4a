package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.selforg.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.tendril.edge.selforg.Places.GARCHING;
import static dev.tendril.edge.selforg.Places.MOUNTAIN_VIEW;
import static dev.tendril.edge.selforg.Places.MUNICH;
import static dev.tendril.edge.selforg.Places.TOKYO;
import static dev.tendril.edge.selforg.ReplicationTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No demand for the idle timeout: instances terminate, never below the minimum. */
class TerminationTest {
    @Test
    void idleInstancesTerminateDownToTheMinimum() {
        SimWorld w = new SimWorld(21, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("mountain-view", MOUNTAIN_VIEW[0], MOUNTAIN_VIEW[1]);
        w.platform("tokyo", TOKYO[0], TOKYO[1]);
        w.user("10.3.0.1", 37.39, -122.08); // keeps mountain-view busy
        w.start();
        for (String n : List.of("munich", "garching", "mountain-view", "tokyo")) {
            w.deploy(n, SimWorld.spec("web", 0, Duration.ofSeconds(20), 2));
        }
        w.runFor(Duration.ofSeconds(19));
        assertEquals(4, w.root().hosts("web").size(), "nothing goes before the idle timeout");
        w.runFor(Duration.ofSeconds(40));

        Set<String> left = w.root().hosts("web");
        assertEquals(2, left.size(), "down to the minimum of 2: " + left);
        assertTrue(left.contains("mountain-view"), "the instance with demand stays");
        assertEquals(2, events(w, EventKind.TERMINATED).size());
        assertTrue(events(w, EventKind.TERMINATION_SKIPPED).size() >= 1);
        assertTrue(events(w, EventKind.TERMINATION_DECIDED).get(0).detail().contains("the root granted the sign-off"),
                events(w, EventKind.TERMINATION_DECIDED).get(0).detail());
        assertTrue(events(w, EventKind.TERMINATION_SKIPPED).get(0).detail().contains("min 2"));
        for (String n : left) {
            w.root().parentOf("web", n).ifPresent(p -> assertTrue(left.contains(p), n + "'s parent " + p + " is gone"));
        }
        assertEquals(List.of(), w.node("munich").agent().services().stream()
                .filter(s -> !left.contains("munich")).toList(), "a terminated instance's agent stops");
    }

    /**
     * Six instances without demand, no idle jitter, every node ticking at the same instants:
     * all six reach the idle timeout in the same round and ask to leave. The root decides one
     * request after the other, so exactly the minimum stays (a node that counted the live
     * instances first and signed off later would see six and leave: none would stay).
     */
    @Test
    void instancesIdleOnTheSameTickLeaveExactlyTheMinimum() {
        SelfOrgPolicy p = SimWorld.testPolicy();
        SelfOrgPolicy noJitter = new SelfOrgPolicy(p.gridSize(), p.exchangeInterval(), p.gridStaleAfter(), p.clusterRadiusKm(),
                p.clusterScoreThreshold(), p.kmPerRttMs(), p.hopLimit(), p.searchTimeout(), p.migrationLifetime(),
                p.replyTimeout(), p.replicateAttempts(), p.readyTimeout(), 0.0, p.migrationHoldDown());
        SimWorld w = new SimWorld(24, noJitter);
        w.simultaneousTicks();
        List<String> all = List.of("munich", "garching", "mountain-view", "tokyo", "sydney", "berlin");
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("mountain-view", MOUNTAIN_VIEW[0], MOUNTAIN_VIEW[1]);
        w.platform("tokyo", TOKYO[0], TOKYO[1]);
        w.platform("sydney", -33.87, 151.21);
        w.platform("berlin", 52.52, 13.40);
        w.start();
        for (String n : all) {
            w.deploy(n, SimWorld.spec("web", 0, Duration.ofSeconds(10), 2));
        }
        w.runFor(Duration.ofSeconds(11));

        List<SelfOrgEvent> decided = events(w, EventKind.TERMINATION_DECIDED);
        List<SelfOrgEvent> skipped = events(w, EventKind.TERMINATION_SKIPPED);
        assertEquals(4, decided.size());
        assertEquals(2, skipped.size());
        Set<Instant> when = new HashSet<>();
        decided.forEach(e -> when.add(e.at()));
        skipped.forEach(e -> when.add(e.at()));
        assertEquals(1, when.size(), "all six decided on the same tick: " + when);
        assertEquals(2, w.root().hosts("web").size(), "exactly the minimum stays: " + w.root().hosts("web"));
        assertTrue(skipped.stream().allMatch(e -> e.detail().contains("root refused the sign-off: 2 live instance(s)")
                && e.detail().contains("min 2")), skipped.toString());
        assertTrue(decided.stream().allMatch(e -> e.detail().contains(">= min 2")), decided.toString());
        assertEquals(4, all.stream().mapToInt(n -> w.node(n).terminations()).sum());

        w.runFor(Duration.ofSeconds(40)); // the two that stayed ask again after each idle timeout
        assertEquals(2, w.root().hosts("web").size());
        assertTrue(events(w, EventKind.TERMINATION_SKIPPED).size() >= 4);
        assertEquals(4, events(w, EventKind.TERMINATED).size());
    }

    @Test
    void minimumOfOneKeepsTheLastInstanceEvenWithoutDemand() {
        SimWorld w = new SimWorld(22, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, Duration.ofSeconds(10), 1));
        w.deploy("garching", SimWorld.spec("web", 0, Duration.ofSeconds(10), 1));
        w.runFor(Duration.ofSeconds(60));
        assertEquals(1, w.root().hosts("web").size());
    }
}
