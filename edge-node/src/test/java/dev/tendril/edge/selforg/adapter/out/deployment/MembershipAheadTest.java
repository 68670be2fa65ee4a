package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A candidate told by an origin that a Replicate may follow (ReplicateSoon) asks the root about
 * the origin's membership at once; the Replicate then uses that answer instead of a round trip
 * of its own, while it is fresh and only when the root counted the origin in the tree.
 */
class MembershipAheadTest {
    static final NodeInfo MUNICH = ReplicaHostFixture.MUNICH;
    final ReplicaHostFixture f = new ReplicaHostFixture();
    final MutableClock clock = f.clock;
    final InMemoryContainerRuntime runtime = f.runtime;
    final HostedReplicaHost garching = f.garching;

    static NodeInfo node(String id, double lat, double lon) {
        return ReplicaHostFixture.node(id, lat, lon);
    }

    ReplicaHost.Outcome replicate(NodeInfo offeredBy) {
        return f.replicate(offeredBy);
    }

    long membershipQueries() {
        return f.membershipQueries();
    }

    @Test
    void aReplicateAfterTheHintAsksTheRootNothingMoreAboutTheOrigin() {
        garching.expect("web", "munich");
        assertEquals(1, membershipQueries(), "asked at the hint");
        assertEquals(0, runtime.list().size(), "a hint deploys nothing");
        assertEquals(List.of(Set.of("munich", "augsburg")), f.opened.stream().map(ReplicaHostFixture.Opened::ids).toList(),
                "its likely parents came with that answer and are connected at the hint, off the Replicate's path");
        clock.advance(Duration.ofSeconds(5)); // a load window later

        ReplicaHost.Deployed d = assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertTrue(d.membershipAhead());
        assertEquals(1, membershipQueries(), "the Replicate used the answer fetched ahead");
        assertEquals(1, f.opened.size(), "the Replicate opens nothing again");
        assertEquals(1, runtime.list().size());
    }

    @Test
    void anAnswerServesOneReplicateAndOnlyWhileItIsFresh() {
        garching.expect("web", "munich");
        clock.advance(MembershipsAhead.FRESH);
        ReplicaHost.Deployed d = assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertFalse(d.membershipAhead(), "stale: asked again");
        assertEquals(2, membershipQueries());
    }

    @Test
    void aStrangersHintIsCountedAndItsReplicateIsStillRefused() {
        garching.expect("web", "evil-1");
        assertEquals(Map.of("replicate-soon-not-a-member", 1L), garching.refusals());
        assertEquals(List.of(), f.opened, "a stranger's hint has this node connect to no one");

        assertInstanceOf(ReplicaHost.Failed.class, replicate(node("evil-1", 48.0, 11.0)));
        assertEquals(List.of(), runtime.list());
        assertTrue(membershipQueries() >= 2, "the negative answer is not reused: the Replicate asks the root itself");
        assertEquals(1L, garching.refusals().get("replicate-not-a-member"));
    }

    @Test
    void aHintForAServiceHostedHereAsksNothing() {
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        long before = membershipQueries();
        garching.expect("web", "munich");
        assertEquals(before, membershipQueries());
    }

    @Test
    void hintsBeyondTheBoundAreRefusedUntilTheHeldAnswersGoStale() {
        for (int i = 0; i < MembershipsAhead.MAX_ENTRIES; i++) {
            garching.expect("svc-" + i, "munich");
        }
        long queries = membershipQueries();
        garching.expect("web", "munich");
        assertEquals(queries, membershipQueries(), "no root query for a hint over the bound");
        assertEquals(1L, garching.refusals().get("replicate-soon-over-limit"));
        garching.expect("svc-0", "munich");
        assertEquals(queries, membershipQueries(), "a hint already answered is not asked again");

        clock.advance(MembershipsAhead.FRESH);
        garching.expect("web", "munich");
        assertEquals(queries + 1, membershipQueries());
    }

    @Test
    void aReplicateWaitsForTheAnswerStillInFlight() throws Exception {
        MembershipsAhead ahead = new MembershipsAhead(clock);
        List<Runnable> held = new ArrayList<>();
        RootMessage.Membership yes = new RootMessage.Membership("web", "munich", true, true, List.of("munich"));
        assertEquals(MembershipsAhead.Fetch.STARTED, ahead.fetch("web", "munich", held::add, () -> Optional.of(yes)));
        assertEquals(MembershipsAhead.Fetch.HELD_ALREADY, ahead.fetch("web", "munich", held::add, () -> Optional.of(yes)));
        assertEquals(1, held.size());

        CompletableFuture<Optional<RootMessage.Membership>> taken = CompletableFuture.supplyAsync(() -> ahead.take("web", "munich"));
        Thread.sleep(50);
        assertFalse(taken.isDone(), "waits for the root's answer");
        held.get(0).run();
        assertEquals(Optional.of(yes), taken.get(10, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), ahead.take("web", "munich"), "one Replicate per answer");
        assertEquals(0, ahead.size());
    }
}
