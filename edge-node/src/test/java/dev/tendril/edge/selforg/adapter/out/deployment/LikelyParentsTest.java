package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A new replica opens its connections to its likely parents (the tree's members nearest to it,
 * as the membership check's root answer names them) before its instance starts, so that its
 * Attach after the registration is no first contact; a replica offered by a stranger opens none.
 */
class LikelyParentsTest {
    static final NodeInfo MUNICH = ReplicaHostFixture.MUNICH;
    final ReplicaHostFixture f = new ReplicaHostFixture();
    final FakeRoot root = f.root;
    final InMemoryContainerRuntime runtime = f.runtime;
    final List<ReplicaHostFixture.Opened> opened = f.opened;
    final List<RootMessage> asked = f.asked;

    static NodeInfo node(String id, double lat, double lon) {
        return ReplicaHostFixture.node(id, lat, lon);
    }

    ReplicaHost.Outcome replicate(NodeInfo offeredBy) {
        return f.replicate(offeredBy);
    }

    @Test
    void theReplicaOpensItsLikelyParentsBeforeItsInstanceStarts() {
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertEquals(List.of(new ReplicaHostFixture.Opened(Set.of("munich", "augsburg"), 3, 0)), opened,
                "the tree's members, the 3 nearest of them, while nothing ran yet");
        assertEquals(1, runtime.list().size(), "then the instance started");
    }

    @Test
    void inALargerTreeTheRootNamesOnlyTheThreeNearestAndNobodyAsksForTheWholeTree() {
        root.call("web", new RootMessage.RegisterNode("web", node("freising", 48.40, 11.75)));
        root.call("web", new RootMessage.RegisterNode("web", node("berlin", 52.52, 13.40)));
        root.call("web", new RootMessage.RegisterNode("web", node("paris", 48.86, 2.35)));
        root.call("web", new RootMessage.RegisterNode("web", node("tokyo", 35.68, 139.65)));
        asked.clear();

        assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertEquals(Set.of("munich", "freising", "augsburg"), opened.get(0).ids(), "garching's three nearest members");
        RootMessage.MembershipQuery check = assertInstanceOf(RootMessage.MembershipQuery.class, asked.get(0));
        assertEquals(new RootMessage.MembershipQuery("web", "munich", java.util.Optional.of(new GeoPoint(48.25, 11.65)), 3),
                check, "one node asked about, three likely parents asked for, near garching");
        assertEquals(List.of(), asked.stream().filter(RootMessage.HostedSetQuery.class::isInstance).toList(),
                "the tree's whole member list is never asked for");
    }

    @Test
    void aStrangersOfferIsNotRefusedToANodeTheTreeAlreadyHolds() {
        root.call("web", new RootMessage.RegisterNode("web", node("garching", 48.25, 11.65)));
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(node("evil-1", 48.0, 11.0)), "as with the whole hosted set");
        assertEquals(1, runtime.list().size());
    }

    @Test
    void aReplicaOfferedByAStrangerOpensNothing() {
        assertInstanceOf(ReplicaHost.Failed.class, replicate(node("evil-1", 48.0, 11.0)));
        assertEquals(List.of(), opened);
        assertEquals(List.of(), runtime.list());
    }
}
