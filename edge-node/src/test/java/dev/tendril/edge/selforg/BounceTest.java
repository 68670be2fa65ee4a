package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.tendril.edge.selforg.Places.GARCHING;
import static dev.tendril.edge.selforg.Places.MUNICH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user whose own access link is slow is slow at every instance: it is migrated once and
 * then held where it arrived for the hold-down, instead of bouncing between instances.
 */
class BounceTest {
    private static final Duration LONG_IDLE = Duration.ofHours(1);

    private static SimWorld twoBavarianInstances(long seed) {
        SimWorld w = new SimWorld(seed, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.user("10.1.0.1", 48.140, 11.580);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.deploy("garching", SimWorld.spec("web", 50, LONG_IDLE, 1));
        return w;
    }

    private static List<SelfOrgEvent> of(List<SelfOrgEvent> events, EventKind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void aUserSlowEverywhereIsMovedOnceAndNotSentBackWithinTheHoldDown() {
        SimWorld w = twoBavarianInstances(11);
        assertEquals("munich", w.resolve("web", "10.1.0.1"));
        w.extraDelay("10.1.0.1", "munich", 100);   // the delay is on the user's own link:
        w.extraDelay("10.1.0.1", "garching", 100); // every instance sees it
        w.runFor(Duration.ofSeconds(5));
        assertEquals("garching", w.resolve("web", "10.1.0.1"), "moved once, as for any bad-QoE cluster");

        // most of the hold-down (10 min in the test policy): garching sees the user slow all along
        w.runFor(Duration.ofMinutes(9));
        assertEquals("garching", w.resolve("web", "10.1.0.1"), "not sent back within the hold-down");
        assertEquals(1, w.root().migrationsRecorded(), "exactly one redirect at the root");
        List<SelfOrgEvent> events = w.events();
        SelfOrgEvent decided = MigrationTest.only(events, EventKind.MIGRATION_DECIDED);
        assertEquals("munich", decided.nodeId());
        assertEquals(1, of(events, EventKind.MIGRATION_RECORDED).size());
        SelfOrgEvent held = MigrationTest.only(events, EventKind.MIGRATION_HELD);
        assertEquals("garching", held.nodeId());
        assertTrue(held.detail().contains("10.1.0.1") && held.detail().contains("hold-down 600 s"), held.detail());
        assertTrue(held.at().isAfter(decided.at()));
    }

    @Test
    void aUserThatIsGoodAtTheNewInstanceStaysThereAndNothingIsHeld() {
        SimWorld w = twoBavarianInstances(12);
        w.extraDelay("10.1.0.1", "munich", 100); // only the link to munich is slow
        w.runFor(Duration.ofMinutes(2));
        assertEquals("garching", w.resolve("web", "10.1.0.1"));
        assertEquals(1, w.root().migrationsRecorded());
        assertEquals(1, of(w.events(), EventKind.MIGRATION_DECIDED).size());
        assertTrue(of(w.events(), EventKind.MIGRATION_HELD).isEmpty(), w.events().toString());
    }

    @Test
    void afterAShortHoldDownTheUserMayMoveAgainButDoesNotBounce() {
        var p = SimWorld.testPolicy();
        SimWorld w = new SimWorld(13, p.withMigrationHoldDown(Duration.ofSeconds(30)));
        w.platform("munich", MUNICH[0], MUNICH[1]);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.user("10.1.0.1", 48.140, 11.580);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.deploy("garching", SimWorld.spec("web", 50, LONG_IDLE, 1));
        w.extraDelay("10.1.0.1", "munich", 100);
        w.extraDelay("10.1.0.1", "garching", 100);
        w.runFor(Duration.ofSeconds(20));
        assertEquals(1, w.root().migrationsRecorded(), "held for 30 s at garching");
        w.runFor(Duration.ofMinutes(3));
        // after 30 s garching may send it back; munich then ignores the user it redirected
        // (for the redirect's lifetime), so there is no third move
        assertEquals(2, w.root().migrationsRecorded(), w.events().toString());
        assertEquals("munich", w.resolve("web", "10.1.0.1"));
    }
}
