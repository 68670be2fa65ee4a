package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.testing.ControlHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class RegisterInstanceTest {
    private final ControlHarness root = new ControlHarness(2);

    @Test
    void createTreeMakesTheTopNodeLiveInTheDirectory() {
        RootMessage reply = root.send(new CreateTree("web", info("berlin", BERLIN)));
        assertEquals(new Registered("web", "berlin", Optional.empty()), reply);
        assertTrue(root.node("web", "berlin").isTop());
        assertTrue(root.directory.instance("web", "berlin").live());
    }

    @Test
    void createTreeAgainWithTheSameTopIsTheSameAnswerAndWithAnotherNodeAConflict() {
        root.createTree("web", "berlin", BERLIN);
        int writes = root.directory.writes();
        assertEquals(new Registered("web", "berlin", Optional.empty()), root.send(new CreateTree("web", info("berlin", BERLIN))));
        assertEquals(writes, root.directory.writes(), "a retry changes nothing");
        RootMessage conflict = root.send(new CreateTree("web", info("tokyo", TOKYO)));
        assertEquals("CONFLICT", ((ErrorReply) conflict).code());
        assertTrue(((ErrorReply) conflict).message().contains("berlin"), ((ErrorReply) conflict).message());
        assertTrue(root.repository.node("web", "tokyo").isEmpty());
    }

    @Test
    void registeringIntoAnUnknownTreeIsNotFound() {
        RootMessage reply = root.send(new RegisterNode("web", info("berlin", BERLIN)));
        assertEquals("NOT_FOUND", ((ErrorReply) reply).code());
        assertNull(root.directory.instance("web", "berlin"));
    }

    @Test
    void theParentIsTheNearestLiveNodeWithRoom() {
        root.createTree("web", "tokyo", TOKYO);
        assertEquals("tokyo", root.register("web", "berlin", BERLIN));
        assertEquals("berlin", root.register("web", "munich", MUNICH), "Berlin is nearer to Munich than Tokyo");
        assertEquals("munich", root.register("web", "paris", PARIS), "Munich is nearer to Paris than Berlin");
        assertEquals("tokyo", root.register("web", "sydney", SYDNEY));
        // fan-out 2: Berlin (munich + ...) and Munich (paris) still have room; Tokyo (berlin, sydney) is full
        assertEquals("sydney", root.register("web", "fiji", FIJI));
        assertEquals(2, root.repository.childCount("web", "tokyo"));
        assertTrue(root.directory.instance("web", "fiji").live());
    }

    @Test
    void fullNodesAreSkippedForTheNextNearest() {
        root.createTree("web", "berlin", BERLIN);
        GeoPoint near = new GeoPoint(52.5, 13.4);
        assertEquals("berlin", root.register("web", "b1", near));
        assertEquals("berlin", root.register("web", "b2", new GeoPoint(52.6, 13.5)));
        String third = root.register("web", "b3", new GeoPoint(52.51, 13.41));
        assertEquals("b1", third, "Berlin is full at fan-out 2; b1 is the nearest with room");
    }

    @Test
    void downNodesAreNeverParents() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.send(new NodeState("web", "berlin", false));
        assertEquals("tokyo", root.register("web", "munich", MUNICH));
    }

    @Test
    void aRetriedRegistrationKeepsItsPlaceAndChangesNothing() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        RootMessage first = root.send(new RegisterNode("web", info("munich", MUNICH)));
        long registeredAt = root.node("web", "munich").registeredAtMillis();
        int writes = root.directory.writes();
        root.clock.advance(java.time.Duration.ofSeconds(5));
        assertEquals(first, root.send(new RegisterNode("web", info("munich", MUNICH))));
        assertEquals(writes, root.directory.writes());
        assertEquals(registeredAt, root.node("web", "munich").registeredAtMillis());
    }

    @Test
    void aLiveNodeRegisteringWithANewAddressKeepsItsParentAndUpdatesDns() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        NodeInfo moved = new NodeInfo("berlin", "203.0.113.50", BERLIN, List.of(), 7001);
        RootMessage reply = root.send(new RegisterNode("web", moved));
        assertEquals("tokyo", ((Registered) reply).parent().orElseThrow().nodeId());
        assertEquals(moved, root.directory.instance("web", "berlin").node());
        assertEquals(moved, root.node("web", "berlin").info());
    }

    @Test
    void aNodeThatComesBackRejoinsAsALeafOutsideItsSubtreeAndKeepsItsChildren() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.register("web", "munich", MUNICH);   // under berlin
        root.register("web", "paris", PARIS);     // under munich
        root.send(new NodeState("web", "berlin", false));
        long before = root.node("web", "berlin").registeredAtMillis();
        root.clock.advance(java.time.Duration.ofMinutes(1));
        // Berlin's nearest nodes are its own descendants; it must not hang below them
        assertEquals("tokyo", root.register("web", "berlin", BERLIN));
        assertTrue(root.node("web", "berlin").live());
        assertTrue(root.directory.instance("web", "berlin").live());
        assertEquals("berlin", root.node("web", "munich").parentId(), "old children are not moved");
        assertTrue(root.node("web", "berlin").registeredAtMillis() > before);
    }

    @Test
    void whenNoLiveNodeHasRoomTheNodeBecomesATop() {
        root.createTree("web", "tokyo", TOKYO);
        root.send(new NodeState("web", "tokyo", false));
        assertEquals("", root.register("web", "berlin", BERLIN));
        assertTrue(root.node("web", "berlin").isTop());
    }

    @Test
    void theTopNodeReRegisteringStaysTheTop() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        assertEquals("", root.register("web", "tokyo", TOKYO));
        root.send(new NodeState("web", "tokyo", false));
        assertEquals("", root.register("web", "tokyo", TOKYO), "its whole tree is its subtree");
        assertTrue(root.node("web", "tokyo").live());
    }

    @Test
    void theSamePlatformInTwoTreesIsTwoIndependentNodes() {
        root.createTree("web", "tokyo", TOKYO);
        root.createTree("api", "berlin", BERLIN);
        assertEquals("tokyo", root.register("web", "berlin", BERLIN));
        assertTrue(root.node("api", "berlin").isTop());
        assertEquals(2, root.directory.instances("web").size());
        assertEquals(1, root.directory.instances("api").size());
    }
}
