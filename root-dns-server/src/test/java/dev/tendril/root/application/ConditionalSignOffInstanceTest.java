package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.root.domain.TreeNode;
import dev.tendril.root.testing.ControlHarness;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** Leaving only while the minimum holds, decided and applied in one step of the root's writer. */
class ConditionalSignOffInstanceTest {
    private final ControlHarness root = new ControlHarness(2);

    private void fourInstances() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.register("web", "munich", MUNICH);
        root.register("web", "paris", PARIS);
    }

    @Test
    void grantedWhileEnoughRemainAndThenItIsASignOff() {
        fourInstances();
        root.send(new RecordMigration("web", List.of("198.51.100.0/24"), "berlin", 60_000));
        assertEquals(new SignOffDecision("web", "berlin", true, 3, 2), root.send(new ConditionalSignOff("web", "berlin", 2)));
        assertTrue(root.repository.node("web", "berlin").isEmpty());
        assertNull(root.directory.instance("web", "berlin"), "DNS stops answering it");
        assertNull(root.directory.migration("web", "198.51.100.0/24"));
        TreeInvariants.check(root.repository, "web", 2);
        assertEquals(new SignOffDecision("web", "munich", true, 2, 2), root.send(new ConditionalSignOff("web", "munich", 2)));
    }

    @Test
    void refusedAtTheMinimumAndNothingChanges() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        assertEquals(new SignOffDecision("web", "berlin", false, 2, 2), root.send(new ConditionalSignOff("web", "berlin", 2)));
        assertTrue(root.repository.node("web", "berlin").isPresent());
        assertNotNull(root.directory.instance("web", "berlin"));
        assertEquals(new SignOffDecision("web", "tokyo", false, 2, 3), root.send(new ConditionalSignOff("web", "tokyo", 3)));
        assertEquals(2, root.repository.nodes("web").size());
    }

    @Test
    void aMinimumOfOneKeepsTheLastInstance() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        assertTrue(((SignOffDecision) root.send(new ConditionalSignOff("web", "tokyo", 1))).granted());
        assertEquals(new SignOffDecision("web", "berlin", false, 1, 1), root.send(new ConditionalSignOff("web", "berlin", 1)));
        assertEquals(1, root.repository.nodes("web").size());
    }

    @Test
    void downNodesDoNotCountTowardsTheMinimum() {
        fourInstances();
        root.send(new NodeState("web", "paris", false));
        // live: tokyo, berlin, munich; berlin leaving leaves 2
        assertTrue(((SignOffDecision) root.send(new ConditionalSignOff("web", "berlin", 2))).granted());
        assertEquals(new SignOffDecision("web", "munich", false, 2, 2), root.send(new ConditionalSignOff("web", "munich", 2)));
        // a down node may leave: the live count does not change
        assertEquals(new SignOffDecision("web", "paris", true, 2, 2), root.send(new ConditionalSignOff("web", "paris", 2)));
    }

    @Test
    void anUnknownNodeOrARetryAfterLeavingIsGranted() {
        fourInstances();
        assertTrue(((SignOffDecision) root.send(new ConditionalSignOff("web", "berlin", 3))).granted());
        assertEquals(new SignOffDecision("web", "berlin", true, 3, 3), root.send(new ConditionalSignOff("web", "berlin", 3)));
        assertEquals(new SignOffDecision("api", "berlin", true, 0, 1), root.send(new ConditionalSignOff("api", "berlin", 1)));
        assertEquals(3, root.repository.nodes("web").size());
    }

    /**
     * Every instance of a tree asks at the same moment, from its own thread, through the
     * root's real writer (batched transactions): exactly {@code min} stay, whatever the
     * interleaving and batching.
     */
    @Test
    void simultaneousRequestsNeverGoBelowTheMinimum() throws Exception {
        for (int round = 0; round < 20; round++) {
            int nodes = 12;
            int min = 1 + round % 5;
            InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
            RecordingDirectory directory = new RecordingDirectory();
            DeferredDirectory deferred = new DeferredDirectory();
            MutableClock clock = new MutableClock(1_700_000_000_000L);
            ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, clock, 3, ControlDispatcher::noResolver);
            try (GroupCommitter writer = new GroupCommitter("root-1", repo, deferred, directory, dispatcher,
                    new PurgeExpiredMigrations(repo, deferred, clock), Duration.ofHours(1), 1 + round % 4).start()) {
                writer.handle(new CreateTree("web", info("n0", TOKYO)));
                for (int i = 1; i < nodes; i++) {
                    writer.handle(new RegisterNode("web", info("n" + i, new GeoPoint(40 + i, 10 + i))));
                }
                ExecutorService pool = Executors.newFixedThreadPool(nodes);
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<RootMessage>> replies = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    String id = "n" + i;
                    replies.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return writer.handle(new ConditionalSignOff("web", id, min));
                    }, pool));
                }
                go.countDown();
                int granted = 0;
                List<Integer> remainingAfterGrants = new ArrayList<>();
                for (CompletableFuture<RootMessage> r : replies) {
                    SignOffDecision d = (SignOffDecision) r.join();
                    if (d.granted()) {
                        granted++;
                        remainingAfterGrants.add(d.liveInstances());
                    } else {
                        assertEquals(min, d.liveInstances(), "a refusal comes only at the minimum");
                    }
                }
                pool.shutdown();
                List<TreeNode> left = repo.nodes("web");
                assertEquals(min, left.size(), "round " + round + ": exactly the minimum stays");
                assertEquals(nodes - min, granted);
                assertTrue(remainingAfterGrants.stream().allMatch(n -> n >= min), remainingAfterGrants.toString());
                assertEquals(min, directory.instances("web").size(), "DNS answers exactly the ones that stayed");
                TreeInvariants.check(repo, "web", 3);
            }
        }
    }
}
