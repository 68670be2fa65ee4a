package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.testing.ControlHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class ListTopologyTest {
    private final ControlHarness root = new ControlHarness(4);

    @Test
    void treeListingShowsParentsStatesAndRegistrationTimes() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.createTree("api", "paris", PARIS);
        root.send(new NodeState("web", "berlin", false));
        long t = root.clock.millis();
        TreeListing web = (TreeListing) root.send(new TreeQuery("web"));
        assertEquals(List.of(new TreeNodeView("web", info("berlin", BERLIN), "tokyo", false, t),
                new TreeNodeView("web", info("tokyo", TOKYO), "", true, t)), web.nodes());
        assertEquals(3, ((TreeListing) root.send(new TreeQuery(""))).nodes().size());
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new TreeQuery("dns"))).code());
    }

    @Test
    void hostedSetListsLiveAndDownNodesAndIsEmptyForAnUnknownService() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.send(new NodeState("web", "tokyo", false));
        assertEquals(new HostedSet("web", List.of("berlin", "tokyo")), root.send(new HostedSetQuery("web")));
        assertEquals(new HostedSet("api", List.of()), root.send(new HostedSetQuery("api")));
    }

    @Test
    void nodeStateIsIdempotentAndReachesDns() {
        root.createTree("web", "tokyo", TOKYO);
        assertEquals(new Ack(), root.send(new NodeState("web", "tokyo", false)));
        assertEquals(new Ack(), root.send(new NodeState("web", "tokyo", false)));
        assertFalse(root.directory.instance("web", "tokyo").live());
        root.send(new NodeState("web", "tokyo", true));
        assertTrue(root.directory.instance("web", "tokyo").live());
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new NodeState("web", "nobody", true))).code());
    }

    @Test
    void resolveIsUnsupportedWithoutAQueryPathAndRepliesAreNotRequests() {
        assertEquals("UNSUPPORTED", ((ErrorReply) root.send(new ResolveQuery("web", "198.51.100.7"))).code());
        assertEquals("UNSUPPORTED", ((ErrorReply) root.send(new Ack())).code());
    }
}
