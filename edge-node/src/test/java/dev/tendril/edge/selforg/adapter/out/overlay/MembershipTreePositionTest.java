package dev.tendril.edge.selforg.adapter.out.overlay;

import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.overlay.InMemoryNetwork;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.edge.selforg.adapter.out.root.RootControlDirectory;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.Thresholds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parent and children of a node's tree position, over the in-memory network and the fake root. */
class MembershipTreePositionTest {
    static final Duration HB = Duration.ofSeconds(1);
    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, HB, Duration.ofSeconds(10), Duration.ofSeconds(10), HB, 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final InMemoryNetwork net = new InMemoryNetwork();
    /** What the self-organization side asked the root (a TreeQuery would block its thread for a round trip). */
    final List<String> asked = new ArrayList<>();

    final NodeInfo munich = new NodeInfo("munich", "10.0.0.1", new GeoPoint(48.14, 11.58), List.of(), 7401);
    final NodeInfo berlin = new NodeInfo("berlin", "10.0.0.2", new GeoPoint(52.52, 13.40), List.of(), 7402);
    final NodeInfo hamburg = new NodeInfo("hamburg", "10.0.0.3", new GeoPoint(53.55, 9.99), List.of(), 7403);

    private Overlay join(NodeInfo n, boolean create) {
        Overlay o = new Overlay();
        ServiceMembership m = new ServiceMembership("web", n, create, create, root, net, clock, policies);
        o.add(m);
        net.attach(n.nodeId(), o);
        m.tick();
        return o;
    }

    private MembershipTreePosition position(Overlay o) {
        RootControlDirectory directory = new RootControlDirectory((service, request) -> {
            asked.add(request.type().name());
            return root.call(service, request);
        });
        return new MembershipTreePosition(o, null, null, directory, clock);
    }

    @Test
    void childrenAreKnownFromTheirAttachAndTheParentFromTheRegistrationWithoutAskingTheRoot() {
        Overlay top = join(munich, true);
        Overlay middle = join(berlin, false);
        join(hamburg, false);

        MembershipTreePosition atMunich = position(top);
        MembershipTreePosition atBerlin = position(middle);

        assertEquals(List.of(berlin), atMunich.children("web"), "address and tree port as berlin attached");
        assertEquals(Optional.empty(), atMunich.parent("web"));
        assertEquals(Optional.of(munich), atBerlin.parent("web"));
        assertEquals(List.of(hamburg), atBerlin.children("web"));
        assertEquals(List.of(), asked, "no root call on the self-organization thread");
    }

    @Test
    void theMembersAreThoseTheMembershipsLastMembersRoundListedWithoutAskingTheRoot() {
        Overlay top = join(munich, true);
        join(berlin, false);
        MembershipTreePosition atMunich = position(top);
        assertEquals(Optional.empty(), atMunich.recentMembers("web"), "no members round yet");

        clock.advance(HB);
        top.get("web").orElseThrow().tick();                 // the second round lists the members

        TreePosition.Members m = atMunich.recentMembers("web").orElseThrow();
        assertEquals(java.util.Set.of("munich", "berlin"), m.nodeIds());
        assertEquals(clock.instant(), m.listedAt());
        assertEquals(Optional.empty(), atMunich.recentMembers("api"), "a service this node is no member of");
        assertEquals(List.of(), asked, "no root call on the self-organization thread");
    }

    @Test
    void aServiceWithoutMembershipHasNoParentNorChildren() {
        MembershipTreePosition nowhere = position(new Overlay());

        assertEquals(Optional.empty(), nowhere.parent("web"));
        assertEquals(List.of(), nowhere.children("web"));
        assertEquals(List.of(), asked);
    }

    @Test
    void aChildThatDetachedIsNoLongerListed() {
        Overlay top = join(munich, true);
        join(berlin, false);
        MembershipTreePosition atMunich = position(top);
        assertEquals(List.of(berlin), atMunich.children("web"));

        top.get("web").orElseThrow().onDetach(new dev.tendril.protocol.message.OverlayMessage.Detach("web", "berlin"));

        assertEquals(List.of(), atMunich.children("web"));
    }
}
