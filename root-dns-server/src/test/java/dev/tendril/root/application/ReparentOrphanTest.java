package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.testing.ControlHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class ReparentOrphanTest {
    private final ControlHarness root = new ControlHarness(3);
    // Munich's subtree is near Munich; Tokyo is far away.
    private static final GeoPoint AUGSBURG = new GeoPoint(48.37, 10.90);
    private static final GeoPoint SALZBURG = new GeoPoint(47.80, 13.04);

    @BeforeEach
    void tree() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);        // under tokyo
        root.register("web", "munich", MUNICH);        // under berlin
        root.register("web", "augsburg", AUGSBURG);    // under munich
        root.register("web", "salzburg", SALZBURG);    // under munich
        assertEquals("munich", root.node("web", "salzburg").parentId());
    }

    private String parentOf(RootMessage reply) {
        return ((Registered) reply).parent().map(p -> p.nodeId()).orElse("");
    }

    @Test
    void theDeadParentGoesDownAndTheNewParentIsOutsideTheOwnSubtree() {
        RootMessage reply = root.send(new OrphanReport("web", "munich", "berlin"));
        assertEquals("tokyo", parentOf(reply), "augsburg and salzburg are nearer but are munich's own subtree");
        assertFalse(root.node("web", "berlin").live());
        assertFalse(root.directory.instance("web", "berlin").live(), "DNS stops answering the dead parent");
        assertEquals("tokyo", root.node("web", "munich").parentId());
        assertEquals(0, root.repository.childCount("web", "berlin"));
    }

    @Test
    void aChildOfTheOrphanStillHasItsParent() {
        root.send(new OrphanReport("web", "munich", "berlin"));
        assertEquals("munich", root.node("web", "augsburg").parentId());
    }

    @Test
    void aRepeatedReportGetsTheSameParentAndTakesNothingElseDown() {
        RootMessage first = root.send(new OrphanReport("web", "munich", "berlin"));
        root.register("web", "berlin", BERLIN); // berlin comes back
        assertTrue(root.node("web", "berlin").live());
        RootMessage again = root.send(new OrphanReport("web", "munich", "berlin"));
        assertEquals(first, again);
        assertTrue(root.node("web", "berlin").live(), "a late report must not take a node that came back down");
    }

    @Test
    void theDeadParentIsNeverChosenEvenIfNearest() {
        RootMessage reply = root.send(new OrphanReport("web", "augsburg", "munich"));
        assertEquals("salzburg", parentOf(reply), "munich is dead; salzburg is the nearest other live node");
    }

    @Test
    void withNoCandidateTheOrphanBecomesATop() {
        ControlHarness small = new ControlHarness(2);
        small.createTree("web", "a", BERLIN);
        small.register("web", "b", MUNICH);
        RootMessage reply = small.send(new OrphanReport("web", "b", "a"));
        assertEquals("", parentOf(reply));
        assertTrue(small.node("web", "b").isTop());
    }

    @Test
    void unknownReporterIsNotFound() {
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new OrphanReport("web", "nobody", "berlin"))).code());
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new OrphanReport("api", "munich", "berlin"))).code());
    }
}
