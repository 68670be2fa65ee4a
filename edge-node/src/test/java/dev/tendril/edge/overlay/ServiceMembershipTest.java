package dev.tendril.edge.overlay;

import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.Thresholds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tree membership of several nodes over the in-memory network, on a fake clock. */
class ServiceMembershipTest {
    static final Duration HB = Duration.ofSeconds(1);
    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, HB, Duration.ofSeconds(10), Duration.ofSeconds(10), HB, 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final InMemoryNetwork net = new InMemoryNetwork();

    static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "127.0.0.1", new GeoPoint(lat, lon), List.of(), 7400);
    }

    final NodeInfo munich = node("munich", 48.14, 11.58);
    final NodeInfo berlin = node("berlin", 52.52, 13.40);
    final NodeInfo hamburg = node("hamburg", 53.55, 9.99);

    private ServiceMembership start(NodeInfo n, boolean create) {
        return start(n, create, create);
    }

    private ServiceMembership start(NodeInfo n, boolean create, boolean mayCreate) {
        Overlay o = new Overlay();
        ServiceMembership m = new ServiceMembership("web", n, create, mayCreate, root, net, clock, policies);
        o.add(m);
        net.attach(n.nodeId(), o);
        m.tick();
        return m;
    }

    private void round(ServiceMembership... ms) {
        clock.advance(HB);
        for (ServiceMembership m : ms) {
            m.tick();
        }
    }

    @Test
    void theTreeFormsByProximity() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false);
        assertEquals(Optional.empty(), a.view().parentId());
        assertEquals(Optional.of("munich"), b.view().parentId());
        assertEquals(Optional.of("berlin"), c.view().parentId(), "Hamburg is nearer Berlin than Munich");
        assertEquals(List.of("berlin"), a.view().childIds());
        assertEquals(List.of("hamburg"), b.view().childIds());
        round(a, b, c);
        round(a, b, c);
        assertEquals(List.of("hamburg"), b.view().childIds(), "heartbeats keep children");
    }

    @Test
    void aMemberOpensConnectionsToTheTreesMembersFromItsSecondRootRoundOn() {
        start(munich, true);
        start(berlin, false);
        Overlay o = new Overlay();
        ServiceMembership c = new ServiceMembership("web", hamburg, false, false, root, net, clock, policies);
        o.add(c);
        net.attach(hamburg.nodeId(), o);
        List<String> opened = new java.util.ArrayList<>();
        c.openAheadWith((ids, limit) -> opened.add(new java.util.TreeSet<>(ids) + " at most " + limit));
        c.tick();
        assertEquals(Optional.of("berlin"), c.view().parentId());
        assertEquals(List.of(), opened, "not in the registration's round (a new replica's ReplicaReady waits for it)");
        round(c);
        assertEquals(List.of("[berlin, hamburg, munich] at most " + ServiceMembership.MEMBERS_AHEAD), opened);
        for (int i = 1; i < ServiceMembership.MEMBERS_ROUNDS; i++) {
            round(c);
        }
        assertEquals(1, opened.size(), "once per " + ServiceMembership.MEMBERS_ROUNDS + " rounds");
        round(c);
        assertEquals(2, opened.size(), "refreshed: members come and go");
    }

    /**
     * The members round's list is kept for self-organization's replica decisions, for two
     * members periods (one lost answer does not matter); after that only a new round trip tells.
     */
    @Test
    void theMembersListIsKeptForTwoMembersPeriods() {
        start(munich, true);
        ServiceMembership b = start(berlin, false);
        assertEquals(Optional.empty(), b.recentMembers(), "nothing listed in the registration's round");
        round(b);
        java.time.Instant listedAt = clock.instant();
        assertEquals(java.util.Set.of("munich", "berlin"), b.recentMembers().orElseThrow().nodeIds());
        assertEquals(listedAt, b.recentMembers().orElseThrow().listedAt());
        start(hamburg, false);
        assertEquals(java.util.Set.of("munich", "berlin"), b.recentMembers().orElseThrow().nodeIds(),
                "a snapshot: a later member shows at the next members round");
        root.unreachable = true;                            // the next members rounds get no answer
        for (int i = 0; i < ServiceMembership.MEMBERS_ROUNDS; i++) {
            round(b);
        }
        assertEquals(listedAt, b.recentMembers().orElseThrow().listedAt(), "one lost answer: the list still holds");
        for (int i = 0; i <= ServiceMembership.MEMBERS_ROUNDS; i++) {
            round(b);
        }
        assertEquals(Optional.empty(), b.recentMembers(), "older than two members periods");
        root.unreachable = false;
        for (int i = 0; i < ServiceMembership.MEMBERS_ROUNDS; i++) {
            round(b);
        }
        assertEquals(java.util.Set.of("munich", "berlin", "hamburg"), b.recentMembers().orElseThrow().nodeIds());
    }

    @Test
    void childrenOfADeadParentReattachAndTheParentsParentDropsIt() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false);
        net.kill("berlin");
        round(a, c); // first missed heartbeat
        assertEquals(Optional.of("berlin"), c.view().parentId());
        round(a, c); // second: dead -> orphan report -> new parent
        assertEquals(Optional.of("munich"), c.view().parentId());
        assertFalse(root.entry("web", "berlin").live(), "the root dropped the dead node");
        assertEquals(1, c.view().orphanReports());
        round(a, c);
        assertEquals(List.of("hamburg"), a.view().childIds(), "munich dropped silent berlin, holds hamburg");
        assertEquals(1, a.view().droppedChildren());

        // berlin restarts: re-registers as a leaf (never creates), gets the nearest live parent
        ServiceMembership b2 = start(berlin, false);
        assertEquals(Optional.of("hamburg"), b2.view().parentId());
        assertTrue(root.entry("web", "berlin").live());
        assertEquals(List.of("berlin"), c.view().childIds());
        assertEquals(List.of(), b2.view().childIds(), "a restarted node is a leaf");
    }

    @Test
    void aParentThatForgotTheChildIsAttachedAgain() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        Overlay fresh = new Overlay(); // munich restarted: same service, no children
        ServiceMembership a2 = new ServiceMembership("web", munich, false, true, root, net, clock, policies);
        fresh.add(a2);
        net.attach("munich", fresh);
        round(b);
        assertEquals(List.of("berlin"), a2.view().childIds());
        assertEquals(Optional.of("munich"), b.view().parentId());
        assertTrue(a.view().childIds().contains("berlin"));
    }

    @Test
    void leavingDetachesFromParentTellsChildrenAndSignsOff() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false);
        b.leave();
        assertEquals(List.of(), a.view().childIds());
        assertNull(root.trees.get("web").get("berlin"));
        round(a, c); // hamburg learned from the detach: reports at once
        assertEquals(Optional.of("munich"), c.view().parentId());
        assertEquals(List.of("hamburg"), a.view().childIds());
    }

    @Test
    void leavingIfTheMinimumHoldsLeavesOnlyWhenTheRootGrantsIt() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false);
        RootMessage.SignOffDecision granted = b.leaveIfAtLeast(2).orElseThrow();
        assertTrue(granted.granted());
        assertEquals(2, granted.liveInstances());
        assertNull(root.trees.get("web").get("berlin"), "signed off by the grant");
        assertEquals(List.of(), a.view().childIds(), "detached from its parent");
        round(a, b, c); // berlin no longer registers or refreshes; hamburg re-attaches
        assertNull(root.trees.get("web").get("berlin"));
        assertEquals(Optional.of("munich"), c.view().parentId());
        for (int i = 0; i < 25; i++) {
            round(a, b, c); // past a refresh round: a node that left never registers again
        }
        assertNull(root.trees.get("web").get("berlin"));
        assertEquals(Optional.empty(), b.leaveIfAtLeast(2), "left already: nothing to ask");

        RootMessage.SignOffDecision refused = c.leaveIfAtLeast(2).orElseThrow();
        assertFalse(refused.granted(), "munich and hamburg are the minimum");
        assertEquals(2, refused.liveInstances());
        round(a, c);
        assertEquals(Optional.of("munich"), c.view().parentId(), "a refused node stays in the tree");
        assertTrue(root.entry("web", "hamburg").live());
        root.unreachable = true;
        assertEquals(Optional.empty(), a.leaveIfAtLeast(1), "no answer: no decision");
        root.unreachable = false;
        assertTrue(root.entry("web", "munich").live());
    }

    @Test
    void registrationWaitsForAnUnreachableRootAndCreatesAMissingTreeForARootSpec() {
        root.unreachable = true;
        ServiceMembership a = start(munich, false, true);
        assertFalse(a.view().registered());
        root.unreachable = false;
        round(a);
        assertTrue(a.view().registered(), "join of a root spec creates the tree the root does not know");
        assertEquals("", root.entry("web", "munich").parentId());
    }

    @Test
    void aNodeMarkedDownByMistakeBecomesLiveAgainOnItsNextRefresh() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        root.call("web", new RootMessage.NodeState("web", "berlin", false)); // a false death report
        assertFalse(root.entry("web", "berlin").live());
        for (int i = 0; i < ServiceMembership.REFRESH_ROUNDS; i++) {
            round(a, b);
        }
        assertTrue(root.entry("web", "berlin").live(), "the periodic re-registration revived it");
        assertEquals(Optional.of("munich"), b.view().parentId());
        assertEquals(List.of("berlin"), a.view().childIds());
    }

    @Test
    void anInstanceThatStopsServingLeavesDnsKeepsItsPlaceAndComesBack() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        b.serving(false);
        assertFalse(root.entry("web", "berlin").live(), "out of DNS at once");
        for (int i = 0; i < 2 * ServiceMembership.REFRESH_ROUNDS; i++) {
            round(a, b);
            assertFalse(root.entry("web", "berlin").live(), "the periodic refresh keeps it down, round " + i);
        }
        assertEquals(Optional.of("munich"), b.view().parentId(), "still in the tree");
        b.serving(true);
        assertTrue(root.entry("web", "berlin").live());
        assertEquals("munich", root.entry("web", "berlin").parentId());
    }

    @Test
    void aServingChangeTheRootMissedIsToldAgainNextRound() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        root.unreachable = true;
        b.serving(false);
        root.unreachable = false;
        assertTrue(root.entry("web", "berlin").live());
        round(a, b);
        assertFalse(root.entry("web", "berlin").live());
    }

    @Test
    void aRootThatLostEverythingLearnsEveryNodeAndParentAgain() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false, false); // a member without a root spec
        b.serving(false);
        root.trees.clear(); // the root restarted on an empty database
        for (int i = 0; i <= ServiceMembership.REFRESH_ROUNDS; i++) {
            round(a, b, c);
        }
        for (ServiceMembership m : List.of(a, b, c)) {
            String id = m == a ? "munich" : m == b ? "berlin" : "hamburg";
            assertTrue(root.entry("web", id) != null, id + " known again");
            assertEquals(root.entry("web", id).parentId(), m.view().parentId().orElse(""), id + ": node and root agree");
        }
        assertFalse(root.entry("web", "berlin").live(), "a node that does not serve is re-asserted as down");
        assertTrue(root.entry("web", "munich").live());
        assertTrue(root.entry("web", "hamburg").live());
        round(a, b, c);
        round(a, b, c);
        for (ServiceMembership m : List.of(a, b, c)) {
            m.view().childIds().forEach(child -> assertEquals(m == a ? "munich" : m == b ? "berlin" : "hamburg",
                    root.entry("web", child).parentId(), "children held by their root-assigned parent only"));
        }
    }

    @Test
    void twentyPercentLossOnEveryLinkMarksNoHealthyNodeDown() {
        NodePolicies lan = NodePolicies.preset("lan"); // missedHeartbeats 3
        ServiceMembership[] ms = new ServiceMembership[4];
        NodeInfo[] nodes = {munich, berlin, hamburg, node("vienna", 48.21, 16.37)};
        for (int i = 0; i < nodes.length; i++) {
            Overlay o = new Overlay();
            ms[i] = new ServiceMembership("web", nodes[i], i == 0, i == 0, root, net, clock, lan);
            o.add(ms[i]);
            net.attach(nodes[i].nodeId(), o);
            ms[i].tick();
        }
        net.lossy(0.2, 2026);
        for (int r = 0; r < 6 * 60 * 60; r++) { // six simulated hours of 1 s rounds
            clock.advance(HB);
            for (ServiceMembership m : ms) {
                m.tick();
            }
            for (NodeInfo n : nodes) {
                assertTrue(root.entry("web", n.nodeId()).live(), n.nodeId() + " marked down in round " + r);
            }
        }
        for (ServiceMembership m : ms) {
            assertEquals(0, m.view().orphanReports(), m.service() + ": no orphan reports");
            assertEquals(0, m.view().droppedChildren(), "no children dropped");
        }
        // a real crash under the same loss is still found, within the detector's bound
        net.kill("hamburg");
        int rounds = 0;
        while (root.entry("web", "hamburg").live() && rounds < 8 * 3 + 2) {
            clock.advance(HB);
            for (ServiceMembership m : ms) {
                if (m != ms[2]) {
                    m.tick();
                }
            }
            rounds++;
        }
        assertFalse(root.entry("web", "hamburg").live(), "the crashed node is marked down after " + rounds + " rounds");
        System.out.printf("20%% loss: 4 nodes, 6 simulated hours: 0 marked down; a crash marked down after %d rounds%n", rounds);
    }

    @Test
    void aRootOutageDropsNoChildAndMarksNobodyDown() {
        ServiceMembership a = start(munich, true);
        ServiceMembership b = start(berlin, false);
        ServiceMembership c = start(hamburg, false);
        root.unreachable = true;
        for (int i = 0; i < 20; i++) {
            round(a, b, c);
        }
        root.unreachable = false;
        round(a, b, c);
        assertEquals(List.of("berlin"), a.view().childIds());
        assertEquals(List.of("hamburg"), b.view().childIds());
        for (String id : List.of("munich", "berlin", "hamburg")) {
            assertTrue(root.entry("web", id).live(), id);
        }
        assertEquals(0, a.view().droppedChildren() + b.view().droppedChildren());
    }

    @Test
    void theTreeSocketAnswersUnknownServicesAndRepliesSafely() {
        Overlay o = new Overlay();
        assertInstanceOf(RootMessage.ErrorReply.class, o.handle(new OverlayMessage.Attach("web", berlin)));
        assertFalse(((OverlayMessage.HeartbeatAck) o.handle(new OverlayMessage.Heartbeat("web", "berlin"))).known());
        assertInstanceOf(RootMessage.ErrorReply.class, o.handle(new RootMessage.SignOff("web", "berlin")));
        assertEquals(2, o.unknownServiceCount());
    }

    @Test
    void aHeartbeatUnderWayWhenTheNodeLeavesAttachesNowhere() {
        ServiceMembership a = start(munich, true);
        List<String> attaches = new java.util.ArrayList<>();
        ServiceMembership[] self = new ServiceMembership[1];
        boolean[] leaveNow = {false};
        // berlin's link: the instance signs off (another thread) while a heartbeat to munich is under way
        OverlayLink berlinLink = (peer, message, timeout, attempts) -> {
            if (message instanceof OverlayMessage.Attach) {
                attaches.add(peer.nodeId());
            }
            if (leaveNow[0] && message instanceof OverlayMessage.Heartbeat) {
                leaveNow[0] = false;
                self[0].leave(); // munich takes the Detach first, so it answers the heartbeat "not known"
            }
            return net.send(peer, message, timeout, attempts);
        };
        Overlay o = new Overlay();
        ServiceMembership b = new ServiceMembership("web", berlin, false, false, root, berlinLink, clock, policies);
        self[0] = b;
        o.add(b);
        net.attach(berlin.nodeId(), o);
        b.tick();
        assertEquals(List.of("munich"), attaches);
        assertEquals(List.of("berlin"), a.view().childIds());

        leaveNow[0] = true;
        clock.advance(HB);
        b.heartbeatRound();
        assertEquals(List.of("munich"), attaches, "no Attach after the sign-off");
        assertEquals(List.of(), a.view().childIds(), "munich holds no ghost child");
        assertFalse(root.trees.get("web").containsKey("berlin"), "and the root no ghost node");
    }

    @Test
    void aParentThatMissesTheAttachIsShownAsAttachingToUntilItAcknowledges() {
        ServiceMembership a = start(munich, true);
        int[] attachesLost = {1};
        // berlin's first Attach is lost (a slow first contact); munich still answers the confirming probe
        OverlayLink berlinLink = (peer, message, timeout, attempts) -> {
            if (message instanceof OverlayMessage.Attach && attachesLost[0]-- > 0) {
                return Optional.empty();
            }
            return net.send(peer, message, timeout, attempts);
        };
        Overlay o = new Overlay();
        ServiceMembership b = new ServiceMembership("web", berlin, false, false, root, berlinLink, clock, policies);
        o.add(b);
        net.attach(berlin.nodeId(), o);
        b.tick();
        ServiceMembership.View v = b.view();
        assertTrue(v.registered());
        assertEquals(Optional.empty(), v.parentId(), "not attached");
        assertEquals(Optional.of("munich"), v.attachingTo(), "but attaching to the parent the root named");
        assertTrue(root.entry("web", "munich").live(), "munich was not reported dead: it answered the probe");

        for (int i = 0; i < ServiceMembership.REFRESH_ROUNDS && b.view().parentId().isEmpty(); i++) {
            round(a, b);
        }
        assertEquals(Optional.of("munich"), b.view().parentId(), "attached at a later round");
        assertEquals(Optional.empty(), b.view().attachingTo());
        assertEquals(List.of("berlin"), a.view().childIds());
    }
}
