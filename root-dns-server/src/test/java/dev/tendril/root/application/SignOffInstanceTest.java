package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.root.testing.ControlHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class SignOffInstanceTest {
    private final ControlHarness root = new ControlHarness(2);

    @Test
    void signingOffRemovesTheNodeItsMigrationsAndItsDnsEntryAndReParentsItsChildren() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.register("web", "munich", MUNICH);  // under berlin
        root.register("web", "paris", PARIS);    // under munich (nearer than berlin)
        root.send(new RecordMigration("web", List.of("198.51.100.0/24"), "berlin", 60_000));
        assertEquals(new Ack(), root.send(new SignOff("web", "berlin")));
        assertTrue(root.repository.node("web", "berlin").isEmpty());
        assertNull(root.directory.instance("web", "berlin"));
        assertNull(root.directory.migration("web", "198.51.100.0/24"));
        assertEquals(List.of(), root.repository.migrations("web"));
        assertEquals("tokyo", root.node("web", "munich").parentId(), "munich was berlin's child: nearest live with room");
        TreeInvariants.check(root.repository, "web", 2);
        assertEquals(new HostedSet("web", List.of("munich", "paris", "tokyo")), root.send(new HostedSetQuery("web")));
    }

    @Test
    void theChildLearnsItsNewParentFromItsOrphanReport() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.register("web", "munich", MUNICH);
        root.send(new SignOff("web", "berlin"));
        Registered r = (Registered) root.send(new OrphanReport("web", "munich", "berlin"));
        assertEquals("tokyo", r.parent().orElseThrow().nodeId());
        assertTrue(root.node("web", "tokyo").live());
    }

    @Test
    void signingOffTheTopLeavesOneTreeWithoutCycles() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.register("web", "sydney", SYDNEY);
        root.register("web", "munich", MUNICH);
        root.register("web", "fiji", FIJI);
        root.send(new SignOff("web", "tokyo"));
        TreeInvariants.check(root.repository, "web", 2);
        assertEquals(1, root.repository.nodes("web").stream().filter(n -> n.isTop()).count());
    }

    @Test
    void signingOffTwiceOrAnUnknownNodeIsAcknowledged() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        assertEquals(new Ack(), root.send(new SignOff("web", "berlin")));
        assertEquals(new Ack(), root.send(new SignOff("web", "berlin")));
        assertEquals(new Ack(), root.send(new SignOff("api", "berlin")));
    }

    @Test
    void aTreeWhoseNodesAllLeftCanBeCreatedAgain() {
        root.createTree("web", "tokyo", TOKYO);
        root.send(new SignOff("web", "tokyo"));
        assertNull(root.directory.instance("web", "tokyo"));
        root.createTree("web", "berlin", BERLIN);
        assertTrue(root.node("web", "berlin").isTop());
    }
}
