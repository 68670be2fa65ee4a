package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage.Membership;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.testing.ControlHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MembershipQuery: one node's membership and the likely parents near a position, answered
 * without listing the tree; run over the in-memory repository and over SpatiaLite
 * ({@link SpatialiteCheckMembershipTest}). web (fan-out 2): tokyo on top, berlin under it,
 * paris and munich under berlin, so berlin is full.
 */
abstract class CheckMembershipContract {
    private TopologyRepository repository;
    private ControlHarness root;

    protected abstract TopologyRepository create();

    @BeforeEach
    void tree() {
        repository = create();
        root = new ControlHarness(repository, 2);
        root.createTree("web", "tokyo", TOKYO);
        assertEquals("tokyo", root.register("web", "berlin", BERLIN));
        assertEquals("berlin", root.register("web", "paris", PARIS));
        assertEquals("berlin", root.register("web", "munich", MUNICH));
    }

    @AfterEach
    void close() {
        repository.close();
    }

    private Membership ask(String service, String nodeId, GeoPoint near, int nearest) {
        return (Membership) root.send(new MembershipQuery(service, nodeId, Optional.ofNullable(near), nearest));
    }

    @Test
    void aLiveMemberADownMemberAndAStranger() {
        root.send(new NodeState("web", "paris", false));
        assertEquals(new Membership("web", "munich", true, true, List.of()), ask("web", "munich", null, 0));
        assertEquals(new Membership("web", "paris", true, false, List.of()), ask("web", "paris", null, 0),
                "down, but still a node of the tree (as the hosted set lists it)");
        assertEquals(new Membership("web", "evil-1", false, false, List.of()), ask("web", "evil-1", null, 0));
    }

    @Test
    void aNodeThatSignedOffIsNoLongerAMember() {
        root.send(new SignOff("web", "paris"));
        assertEquals(new Membership("web", "paris", false, false, List.of("munich", "berlin", "tokyo")),
                ask("web", "paris", MUNICH, 3), "and berlin has room again");
    }

    @Test
    void anUnknownServiceHasNoMembersAndNoLikelyParents() {
        assertEquals(new Membership("api", "munich", false, false, List.of()), ask("api", "munich", MUNICH, 3));
    }

    @Test
    void theLikelyParentsAreTheLiveNodesWithRoomNearestFirstAndNoMoreThanAsked() {
        // nearest to Munich: munich, berlin (full: 2 children), paris, tokyo
        assertEquals(List.of("munich", "paris", "tokyo"), ask("web", "berlin", MUNICH, 3).nearest());
        assertEquals(List.of("munich", "paris"), ask("web", "berlin", MUNICH, 2).nearest());
        assertEquals(List.of("munich", "paris", "tokyo"), ask("web", "berlin", MUNICH, MembershipQuery.MAX_NEAREST).nearest(),
                "all there are");
        assertEquals(List.of(), ask("web", "berlin", MUNICH, 0).nearest());
        assertEquals(List.of(), ask("web", "berlin", null, 3).nearest(), "no position, no likely parents");
        root.send(new NodeState("web", "paris", false));
        assertEquals(List.of("munich", "tokyo"), ask("web", "berlin", MUNICH, 3).nearest(), "a down node is no parent");
    }

    @Test
    void theFirstLikelyParentIsTheParentTheRootThenAssigns() {
        GeoPoint augsburg = new GeoPoint(48.37, 10.90);
        String first = ask("web", "munich", augsburg, 3).nearest().get(0);
        assertEquals(first, root.register("web", "augsburg", augsburg));
    }
}
