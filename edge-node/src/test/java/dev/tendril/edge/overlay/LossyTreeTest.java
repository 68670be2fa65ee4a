package dev.tendril.edge.overlay;

import dev.tendril.edge.domain.AccrualDetector;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tree's failure detection over links that lose segments as TCP connections do
 * ({@link RetransmittingNetwork}: seeded loss, retransmission back-off, head-of-line blocking),
 * on a fake clock, with the {@code lan} preset (heartbeat 1 s, missedHeartbeats 3): the loss
 * starts after a clean stretch (the detector's history then says "no loss", the case that made
 * a live parent look dead); no healthy node is marked down; a crash is still found within the
 * detector's bound; a parent confirms a suspicion with a probe before it reports a child.
 */
class LossyTreeTest {
    static final NodePolicies LAN = NodePolicies.preset("lan");
    static final Duration HB = LAN.heartbeatInterval();
    static final int MAX_ROUNDS = LAN.missedHeartbeats() * AccrualDetector.DEFAULT_MAX_FACTOR;

    final MutableClock clock = new MutableClock();
    FakeRoot root;

    static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "127.0.0.1", new GeoPoint(lat, lon), List.of(), 7400);
    }

    static final NodeInfo[] NODES = {node("munich", 48.14, 11.58), node("berlin", 52.52, 13.40),
            node("hamburg", 53.55, 9.99), node("vienna", 48.21, 16.37)};

    /** Four memberships (Munich top; Berlin under it, Hamburg under Berlin, Vienna under Munich). */
    ServiceMembership[] tree(RetransmittingNetwork net) {
        root = new FakeRoot();
        ServiceMembership[] ms = new ServiceMembership[NODES.length];
        for (int i = 0; i < NODES.length; i++) {
            Overlay o = new Overlay();
            ms[i] = new ServiceMembership("web", NODES[i], i == 0, i == 0, root, net.from(NODES[i].nodeId()), clock, LAN);
            o.add(ms[i]);
            net.attach(NODES[i].nodeId(), o);
            ms[i].tick();
        }
        assertEquals("berlin", ms[2].view().parentId().orElseThrow(), "Hamburg under Berlin");
        return ms;
    }

    /** One round: each live membership ticks, then the interval passes (fixed delay, as the real schedule). */
    void round(ServiceMembership[] ms, int skip) {
        for (int i = 0; i < ms.length; i++) {
            if (i != skip) {
                ms[i].tick();
            }
        }
        clock.advance(HB);
    }

    /** A seeded generator without the linear-congruential patterns of java.util.Random. */
    static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    long refuted(ServiceMembership[] ms) {
        long n = 0;
        for (ServiceMembership m : ms) {
            n += m.refutedSuspicions();
        }
        return n;
    }

    @Test
    void tenSimulatedMinutesOfTwentyPercentLossAfterACleanStretchMarkNoHealthyNodeDown() {
        long rounds = 0;
        long refuted = 0;
        long[] segments = {0, 0};
        int seeds = Integer.getInteger("tendril.lossyTree.seeds", 20); // more for a measurement, e.g. 500
        for (long seed = 1; seed <= seeds; seed++) {
            RetransmittingNetwork net = new RetransmittingNetwork(clock, random(seed));
            ServiceMembership[] ms = tree(net);
            for (int r = 0; r < 120; r++) { // two clean minutes: the detectors' history holds no loss
                round(ms, -1);
            }
            net.loss(0.2);
            Instant end = clock.instant().plus(Duration.ofMinutes(10));
            for (int r = 1; clock.instant().isBefore(end); r++) {
                round(ms, -1);
                rounds++;
                for (NodeInfo n : NODES) {
                    assertTrue(root.entry("web", n.nodeId()).live(), "seed " + seed + ": " + n.nodeId() + " marked down in round "
                            + r + " of the loss");
                }
            }
            for (ServiceMembership m : ms) {
                assertEquals(0, m.view().orphanReports(), "seed " + seed + ": no orphan report");
                assertEquals(0, m.view().droppedChildren(), "seed " + seed + ": no child dropped");
            }
            assertEquals(List.of("berlin", "vienna"), ms[0].view().childIds(), "seed " + seed + ": the tree kept its shape");
            refuted += refuted(ms);
            long[] s = net.segments();
            segments[0] += s[0];
            segments[1] += s[1];
        }
        System.out.printf("20%% segment loss, 4 nodes, %d seeds x 10 simulated minutes (%d rounds, %.1f %% of %d segments lost):"
                + " 0 marked down, %d suspicions refuted by a probe%n", seeds, rounds, 100.0 * segments[1] / segments[0], segments[0], refuted);
    }

    @Test
    void aCrashUnderTwentyPercentLossIsFoundWithinTheDetectorsBound() {
        for (long seed = 1; seed <= 10; seed++) {
            RetransmittingNetwork net = new RetransmittingNetwork(clock, random(100 + seed));
            ServiceMembership[] ms = tree(net);
            net.loss(0.2);
            for (int r = 0; r < 300; r++) {
                round(ms, -1);
            }
            net.kill("berlin"); // Munich's child and Hamburg's parent
            Instant killed = clock.instant();
            int rounds = 0;
            while (root.entry("web", "berlin").live() && rounds <= MAX_ROUNDS + 1) {
                round(ms, 1);
                rounds++;
            }
            assertFalse(root.entry("web", "berlin").live(), "seed " + seed + ": the crash marked down after " + rounds + " rounds");
            assertTrue(rounds <= MAX_ROUNDS + 1, "seed " + seed + ": within the bound: " + rounds);
            int more = 0;
            while (!ms[2].view().parentId().equals(java.util.Optional.of("munich")) && more++ < 10) {
                round(ms, 1);
            }
            assertEquals(java.util.Optional.of("munich"), ms[2].view().parentId(), "seed " + seed + ": Hamburg re-attached");
            System.out.printf("20%% loss, seed %d: crash marked down after %d rounds (%d ms simulated; bound %d rounds)%n", seed,
                    rounds, Duration.between(killed, clock.instant()).toMillis(), MAX_ROUNDS + 1);
        }
    }

    @Test
    void onACleanLinkACrashIsFoundAfterMissedHeartbeatsRounds() {
        RetransmittingNetwork net = new RetransmittingNetwork(clock, random(7));
        ServiceMembership[] ms = tree(net);
        for (int r = 0; r < 20; r++) {
            round(ms, -1);
        }
        net.kill("hamburg"); // a leaf: only its parent notices
        int rounds = 0;
        while (root.entry("web", "hamburg").live() && rounds < 10) {
            round(ms, 2);
            rounds++;
        }
        // heard within the last interval and a half: the first round after the crash still counts as heard
        assertEquals(LAN.missedHeartbeats() + 1, rounds, "the parent drops and reports the dead leaf after missedHeartbeats rounds");
        assertEquals(1, ms[1].view().droppedChildren());
        assertEquals(0, ms[1].refutedSuspicions());

        // a dead parent: its child reports it after missedHeartbeats rounds, without the long probe
        // (the tries lost to the dead parent are not taken for loss)
        net.kill("munich");
        int orphanRounds = 0;
        Instant before = clock.instant();
        while (ms[3].view().orphanReports() == 0 && orphanRounds < 10) {
            round(new ServiceMembership[] {ms[3]}, -1);
            orphanRounds++;
        }
        assertEquals(LAN.missedHeartbeats(), orphanRounds, "Vienna reports its dead parent after missedHeartbeats rounds");
        Duration heartbeatTries = LAN.heartbeatInterval().dividedBy(3).multipliedBy(2);
        assertTrue(Duration.between(before, clock.instant()).compareTo(
                HB.plus(heartbeatTries).multipliedBy(LAN.missedHeartbeats()).plus(HB)) <= 0,
                "no long probe on a clean link: " + Duration.between(before, clock.instant()));
    }

    @Test
    void aChildThatStopsHeartbeatingButAnswersItsParentIsKeptAndNotReported() {
        RetransmittingNetwork net = new RetransmittingNetwork(clock, random(8));
        ServiceMembership[] ms = tree(net);
        for (int r = 0; r < 10; r++) {
            round(ms, 2); // Hamburg's schedule stalls (a blocked thread, a pause); its socket still answers
        }
        assertEquals(List.of("hamburg"), ms[1].view().childIds(), "kept");
        assertEquals(0, ms[1].view().droppedChildren());
        assertTrue(ms[1].refutedSuspicions() >= 1, "the suspicion was refuted by a probe");
        assertTrue(root.entry("web", "hamburg").live(), "never reported down");
    }

    @Test
    void aParentWhoseAttachIsLostButAnswersTheProbeIsNotReportedDead() {
        root = new FakeRoot();
        InMemoryNetwork net = new InMemoryNetwork();
        boolean[] attachLost = {true};
        OverlayLink lossyAttach = new OverlayLink() {
            @Override
            public java.util.Optional<dev.tendril.protocol.message.Message> send(NodeInfo peer, OverlayMessage message,
                                                                                   Duration timeout, int attempts) {
                return message instanceof OverlayMessage.Attach && attachLost[0] ? java.util.Optional.empty()
                        : net.send(peer, message, timeout, attempts);
            }
        };
        ServiceMembership[] ms = new ServiceMembership[2];
        for (int i = 0; i < 2; i++) {
            Overlay o = new Overlay();
            ms[i] = new ServiceMembership("web", NODES[i], i == 0, i == 0, root, i == 0 ? net : lossyAttach, clock, LAN);
            o.add(ms[i]);
            net.attach(NODES[i].nodeId(), o);
            ms[i].tick();
        }
        assertEquals(java.util.Optional.empty(), ms[1].view().parentId(), "the attach was lost");
        assertEquals(0, ms[1].view().orphanReports(), "Munich answered the probe: not reported");
        assertTrue(root.entry("web", "munich").live());
        attachLost[0] = false;
        for (int r = 0; r < ServiceMembership.REFRESH_ROUNDS; r++) {
            round(ms, -1);
        }
        assertEquals(java.util.Optional.of("munich"), ms[1].view().parentId(), "attached at the next refresh");
        assertEquals(List.of("berlin"), ms[0].view().childIds());
        assertEquals(0, ms[1].view().orphanReports());
    }

    @Test
    void aChildAttachedElsewhereIsForgottenWithoutADownReport() {
        RetransmittingNetwork net = new RetransmittingNetwork(clock, random(9));
        ServiceMembership[] ms = tree(net);
        // Hamburg once attached to Munich and left it with a Detach that was lost: Munich still holds it
        ms[0].onAttach(new OverlayMessage.Attach("web", NODES[2]));
        assertEquals(List.of("berlin", "vienna", "hamburg"), ms[0].view().childIds());
        for (int r = 0; r < 10; r++) {
            round(ms, -1);
        }
        assertEquals(List.of("berlin", "vienna"), ms[0].view().childIds(), "forgotten");
        assertEquals(0, ms[0].view().droppedChildren(), "not counted as dead");
        assertTrue(root.entry("web", "hamburg").live(), "Hamburg is alive under Berlin: never reported down");
        assertEquals(List.of("hamburg"), ms[1].view().childIds());
    }
}
