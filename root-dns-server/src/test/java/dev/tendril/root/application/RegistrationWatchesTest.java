package dev.tendril.root.application;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.RegistrationSeen;
import dev.tendril.protocol.message.RootMessage.RegistrationWatch;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Registration watches: answered by a later registration of the watched node, else at the end of the hold; bounded. */
class RegistrationWatchesTest {
    private static final long LONG = 30_000;

    private static RegistrationSeen seen(CompletableFuture<RootMessage> reply) throws Exception {
        return assertInstanceOf(RegistrationSeen.class, reply.get(5, TimeUnit.SECONDS));
    }

    private static void registered(RegistrationWatches w, String service, NodeInfo node) {
        w.applied(new RegisterNode(service, node), new Registered(service, node.nodeId(), Optional.empty()));
    }

    @Test
    void aWatchIsAnsweredWithTheNodeAtItsRegistration() throws Exception {
        RegistrationWatches w = new RegistrationWatches("root-1");
        CompletableFuture<RootMessage> reply = w.hold("origin-key", new RegistrationWatch("web", "berlin", LONG));
        NodeInfo berlin = info("berlin", BERLIN);
        registered(w, "web", info("tokyo", TOKYO));          // another node
        registered(w, "api", berlin);                         // another tree
        w.applied(new RegisterNode("web", berlin), new ErrorReply(ControlErrors.LIMIT, "tree full")); // refused
        assertFalse(reply.isDone());
        assertEquals(1, w.size());
        registered(w, "web", berlin);
        RegistrationSeen s = seen(reply);
        assertEquals(Optional.of(berlin), s.node());
        assertEquals("web", s.service());
        assertEquals(0, w.size());
        assertEquals(1, w.answered());
    }

    @Test
    void aRegistrationBeforeTheWatchDoesNotAnswerIt() throws Exception {
        RegistrationWatches w = new RegistrationWatches("root-1");
        registered(w, "web", info("berlin", BERLIN));
        RegistrationSeen s = seen(w.hold("origin-key", new RegistrationWatch("web", "berlin", 50)));
        assertEquals(Optional.empty(), s.node());
        assertEquals("the hold ended", s.detail());
        assertEquals(1, w.expired());
        assertEquals(0, w.size());
    }

    @Test
    void oneCallerHoldsAtMostItsShareAndTheRootAtMostItsCapacity() throws Exception {
        RegistrationWatches w = new RegistrationWatches("root-1", 5, 3);
        List<CompletableFuture<RootMessage>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(w.hold("greedy", new RegistrationWatch("web", "n" + i, LONG)));
        }
        RegistrationSeen over = seen(w.hold("greedy", new RegistrationWatch("web", "n9", LONG)));
        assertTrue(over.detail().startsWith("not held: this caller holds 3"), over.detail());
        held.add(w.hold("other", new RegistrationWatch("web", "n3", LONG)));
        held.add(w.hold("third", new RegistrationWatch("web", "n4", LONG)));
        RegistrationSeen full = seen(w.hold("fourth", new RegistrationWatch("web", "n5", LONG)));
        assertTrue(full.detail().startsWith("not held: the root holds 5"), full.detail());
        assertEquals(2, w.refused());
        assertTrue(held.stream().noneMatch(CompletableFuture::isDone));
        registered(w, "web", info("n0", BERLIN)); // one of greedy's answered: room for one more of its own
        assertTrue(seen(held.get(0)).node().isPresent());
        CompletableFuture<RootMessage> again = w.hold("greedy", new RegistrationWatch("web", "n6", LONG));
        assertFalse(again.isDone());
        assertEquals(5, w.size());
    }

    @Test
    void twoWatchesOfOneNodeAreBothAnswered() throws Exception {
        RegistrationWatches w = new RegistrationWatches("root-1");
        CompletableFuture<RootMessage> a = w.hold("a", new RegistrationWatch("web", "berlin", LONG));
        CompletableFuture<RootMessage> b = w.hold("b", new RegistrationWatch("web", "berlin", LONG));
        registered(w, "web", info("berlin", BERLIN));
        assertTrue(seen(a).node().isPresent());
        assertTrue(seen(b).node().isPresent());
    }

    /** The writer tells the watches of its own requests' registrations, after their commit. */
    @Test
    void theWriterTellsTheWatchesOfACommittedRegistration() throws Exception {
        InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        DeferredDirectory deferred = new DeferredDirectory();
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, clock, 4, ControlDispatcher::noResolver);
        try (GroupCommitter c = new GroupCommitter("root-1", repo, deferred, new RecordingDirectory(), dispatcher,
                new PurgeExpiredMigrations(repo, deferred, clock), Duration.ofHours(1), 100)) {
            RegistrationWatches w = new RegistrationWatches("root-1");
            c.onApplied(w);
            c.start();
            CompletableFuture<RootMessage> reply = w.hold("origin", new RegistrationWatch("web", "berlin", LONG));
            assertInstanceOf(Registered.class, c.submit(new CreateTree("web", info("tokyo", TOKYO))).join());
            assertFalse(reply.isDone(), "the top node's CreateTree is not the watched registration");
            assertInstanceOf(Registered.class, c.submit(new RegisterNode("web", info("berlin", BERLIN))).join());
            assertEquals("berlin", seen(reply).node().orElseThrow().nodeId());
            assertTrue(repo.node("web", "berlin").isPresent(), "durable before the watch was answered");
        }
    }
}
