package dev.tendril.root.application.map;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.application.map.TopologyEvent.Kind;
import dev.tendril.root.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static dev.tendril.root.testing.Fixtures.MUNICH;
import static dev.tendril.root.testing.Fixtures.NEW_YORK;
import static dev.tendril.root.testing.Fixtures.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRecordingControlTest {
    private final MutableClock clock = new MutableClock(1_000_000);
    private final RecentEvents events = new RecentEvents(10);

    private EventRecordingControl control(Function<RootMessage, RootMessage> replies) {
        return new EventRecordingControl(replies::apply, events, clock);
    }

    private static Registered registered(String service, String node, String parent) {
        return new Registered(service, node, parent == null ? Optional.empty() : Optional.of(info(parent, MUNICH)));
    }

    @Test
    void eachAnsweredWriteRecordsOneEventAtTheAnswerTime() {
        EventRecordingControl c = control(r -> {
            if (r instanceof CreateTree t) {
                return registered(t.service(), t.node().nodeId(), null);
            } else if (r instanceof RegisterNode n) {
                return registered(n.service(), n.node().nodeId(), "munich");
            } else if (r instanceof OrphanReport o) {
                return registered(o.service(), o.nodeId(), "munich");
            } else if (r instanceof ConditionalSignOff s) {
                return new SignOffDecision(s.service(), s.nodeId(), true, 2, 2);
            }
            return new Ack();
        });
        c.handle(new CreateTree("web", info("munich", MUNICH)));
        clock.advance(Duration.ofMillis(5));
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK)));
        c.handle(new NodeState("web", "newyork", false));
        c.handle(new NodeState("web", "newyork", true));
        c.handle(new OrphanReport("web", "mtview", "newyork"));
        c.handle(new RecordMigration("web", List.of("10.3.0.0/16"), "munich", 60_000));
        c.handle(new SignOff("web", "mtview"));
        c.handle(new ConditionalSignOff("web", "newyork", 2));

        List<TopologyEvent> got = events.latest();
        assertEquals(List.of(Kind.TREE_CREATED, Kind.JOINED, Kind.NODE_DOWN, Kind.NODE_UP, Kind.ORPHAN_REPARENTED,
                Kind.MIGRATION_RECORDED, Kind.SIGNED_OFF, Kind.TERMINATED), got.stream().map(TopologyEvent::kind).toList());
        assertEquals(1_000_000, got.get(0).timeMillis());
        assertEquals(1_000_005, got.get(1).timeMillis());
        assertEquals("munich", got.get(0).nodeId());
        assertEquals("top node at " + MUNICH, got.get(0).detail());
        assertEquals("parent munich", got.get(1).detail());
        assertEquals("parent newyork dead; parent munich", got.get(4).detail());
        assertEquals("munich", got.get(5).nodeId(), "a migration names its target");
        assertEquals("10.3.0.0/16 for 60 s", got.get(5).detail());
        assertEquals("2 live instance(s) remain, minimum 2", got.get(7).detail());
    }

    @Test
    void aRefreshOfANodeInTheSamePlaceRecordsNothingAndAJoinAfterItLeftOrMovedDoes() {
        String[] parent = {"munich"};
        EventRecordingControl c = control(r -> r instanceof CreateTree t ? registered(t.service(), t.node().nodeId(), null)
                : r instanceof RegisterNode n ? registered(n.service(), n.node().nodeId(),
                        n.node().nodeId().equals("munich") ? null : parent[0]) : new Ack());
        c.handle(new CreateTree("web", info("munich", MUNICH)));
        c.handle(new RegisterNode("web", info("munich", MUNICH))); // the top node's own refresh
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK)));
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK))); // refreshes, every few seconds
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK)));
        c.handle(new RegisterNode("api", info("newyork", NEW_YORK))); // another tree: a join of its own
        parent[0] = "tokyo";
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK))); // re-joined under another parent
        c.handle(new NodeState("web", "newyork", false));
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK))); // back after it went down
        c.handle(new SignOff("web", "newyork"));
        c.handle(new RegisterNode("web", info("newyork", NEW_YORK))); // deployed again after it left

        assertEquals(List.of("TREE_CREATED web munich top node at " + MUNICH, "JOINED web newyork parent munich",
                        "JOINED api newyork parent munich", "JOINED web newyork parent tokyo", "NODE_DOWN web newyork ",
                        "JOINED web newyork parent tokyo", "SIGNED_OFF web newyork ", "JOINED web newyork parent tokyo"),
                events.latest().stream().map(e -> e.kind() + " " + e.service() + " " + e.nodeId() + " " + e.detail()).toList());
    }

    @Test
    void errorsReadsAndRefusedSignOffsRecordNothingAndRepliesPassUnchanged() {
        ErrorReply refused = new ErrorReply("NOT_FOUND", "no tree web");
        EventRecordingControl failing = control(r -> refused);
        assertSame(refused, failing.handle(new RegisterNode("web", info("newyork", NEW_YORK))));
        assertSame(refused, failing.handle(new RecordMigration("web", List.of("10.3.0.0/16"), "munich", 1_000)));

        TreeListing listing = new TreeListing(List.of());
        assertSame(listing, control(r -> listing).handle(new TreeQuery("")));
        control(r -> new SignOffDecision("web", "newyork", false, 2, 2)).handle(new ConditionalSignOff("web", "newyork", 2));

        assertTrue(events.latest().isEmpty(), events.latest().toString());
        assertEquals(0, events.recorded());
    }

    @Test
    void theRingKeepsTheLatest() {
        RecentEvents ring = new RecentEvents(3);
        for (int i = 0; i < 5; i++) {
            ring.add(new TopologyEvent(i, Kind.NODE_UP, "web", "n" + i, ""));
        }
        assertEquals(List.of("n2", "n3", "n4"), ring.latest().stream().map(TopologyEvent::nodeId).toList());
        assertEquals(5, ring.recorded());
    }
}
