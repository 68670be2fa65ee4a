package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.domain.TreeNode;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class GroupCommitterTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final RecordingDirectory directory = new RecordingDirectory();
    private final DeferredDirectory deferred = new DeferredDirectory();
    private GroupCommitter committer;

    /** Fails saving node "boom", to show that one bad request cannot fail its batch. */
    private static final class FlakyRepository extends ForwardingRepository {
        FlakyRepository() {
            super(new InMemoryTopologyRepository());
        }

        @Override
        public void saveNode(TreeNode node) {
            if (node.nodeId().equals("boom")) {
                throw new IllegalStateException("disk on fire");
            }
            super.saveNode(node);
        }
    }

    private GroupCommitter committer(dev.tendril.root.application.port.out.TopologyRepository repo, Duration purgeEvery) {
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, clock, 4, ControlDispatcher::noResolver);
        committer = new GroupCommitter("root-1", repo, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repo, deferred, clock), purgeEvery, 100);
        return committer;
    }

    @AfterEach
    void stop() {
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void requestsQueuedTogetherCommitInOneTransaction() {
        InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
        GroupCommitter c = committer(repo, Duration.ofHours(1));
        List<CompletableFuture<RootMessage>> replies = new ArrayList<>();
        replies.add(c.submit(new CreateTree("web", info("tokyo", TOKYO))));
        for (int i = 0; i < 20; i++) {
            replies.add(c.submit(new RegisterNode("web", info("n" + i, BERLIN))));
        }
        int before = repo.commits();
        c.start();
        for (CompletableFuture<RootMessage> r : replies) {
            assertInstanceOf(Registered.class, r.join());
        }
        assertEquals(2, repo.commits() - before, "one purge when the writer starts, then one transaction for the batch");
        assertEquals(21, c.requests());
        assertEquals(21, directory.instances("web").size());
    }

    /**
     * A query that arrived with changes is answered in a transaction of its own, before the
     * changes' commit (their fsync) ends: it is ordered before them, as concurrent requests may be.
     */
    @Test
    void aQueryQueuedWithChangesIsAnsweredBeforeTheirCommit() throws Exception {
        java.util.concurrent.CountDownLatch commitMayEnd = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean wrote = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingRepository repo = new ForwardingRepository(new InMemoryTopologyRepository()) {
            @Override
            public void saveNode(TreeNode node) {
                wrote.set(true);
                super.saveNode(node);
            }

            @Override
            public <T> T inTransaction(java.util.function.Supplier<T> work) {
                wrote.set(false);
                T result = super.inTransaction(work);
                if (wrote.get()) { // a transaction with changes: its commit "takes" until released
                    try {
                        commitMayEnd.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return result;
            }
        };
        GroupCommitter c = committer(repo, Duration.ofHours(1));
        CompletableFuture<RootMessage> tree = c.submit(new CreateTree("web", info("tokyo", TOKYO)));
        CompletableFuture<RootMessage> query = c.submit(new RootMessage.HostedSetQuery("web"));
        CompletableFuture<RootMessage> join = c.submit(new RegisterNode("web", info("berlin", BERLIN)));
        c.start();

        RootMessage.HostedSet hosted = (RootMessage.HostedSet) query.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of(), hosted.nodeIds(), "answered as before the changes it arrived with");
        assertFalse(tree.isDone() || join.isDone(), "the changes wait for their commit");
        commitMayEnd.countDown();
        assertInstanceOf(Registered.class, tree.join());
        assertInstanceOf(Registered.class, join.join());
        RootMessage after = c.handle(new RootMessage.HostedSetQuery("web"));
        assertEquals(java.util.Set.of("tokyo", "berlin"), java.util.Set.copyOf(((RootMessage.HostedSet) after).nodeIds()));
    }

    @Test
    void oneFailingRequestIsAnsweredInternalAndTheOthersStillCommit() {
        FlakyRepository repo = new FlakyRepository();
        GroupCommitter c = committer(repo, Duration.ofHours(1));
        CompletableFuture<RootMessage> tree = c.submit(new CreateTree("web", info("tokyo", TOKYO)));
        CompletableFuture<RootMessage> boom = c.submit(new RegisterNode("web", info("boom", BERLIN)));
        CompletableFuture<RootMessage> fine = c.submit(new RegisterNode("web", info("fine", BERLIN)));
        c.start();
        assertInstanceOf(Registered.class, tree.join());
        assertEquals("INTERNAL", ((ErrorReply) boom.join()).code());
        assertInstanceOf(Registered.class, fine.join());
        assertNull(directory.instance("web", "boom"), "nothing of a rolled-back request reaches DNS");
        assertNotNull(directory.instance("web", "fine"));
        assertTrue(repo.node("web", "boom").isEmpty());
    }

    @Test
    void theDirectoryIsWrittenOnlyAfterTheCommit() {
        List<Integer> writesSeenAtCommit = new ArrayList<>();
        ForwardingRepository repo = new ForwardingRepository(new InMemoryTopologyRepository()) {
            @Override
            public <T> T inTransaction(java.util.function.Supplier<T> work) {
                T result = super.inTransaction(work);
                writesSeenAtCommit.add(directory.writes());
                return result;
            }
        };
        GroupCommitter c = committer(repo, Duration.ofHours(1)).start();
        c.handle(new CreateTree("web", info("tokyo", TOKYO)));
        assertEquals(0, writesSeenAtCommit.get(writesSeenAtCommit.size() - 1));
        assertNotNull(directory.instance("web", "tokyo"));
    }

    @Test
    void expiredMigrationsArePurgedByTheWriter() throws Exception {
        InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
        GroupCommitter c = committer(repo, Duration.ofMillis(20)).start();
        c.handle(new CreateTree("web", info("tokyo", TOKYO)));
        c.handle(new RecordMigration("web", List.of("198.51.100.0/24"), "tokyo", 1_000));
        assertNotNull(directory.migration("web", "198.51.100.0/24"));
        clock.advance(Duration.ofSeconds(2));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (directory.migration("web", "198.51.100.0/24") != null && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        assertNull(directory.migration("web", "198.51.100.0/24"));
        assertEquals(List.of(), c.handle(new RootMessage.MigrationsQuery("")) instanceof RootMessage.MigrationListing l
                ? l.migrations() : null);
    }

    @Test
    void afterCloseRequestsAreRefused() {
        GroupCommitter c = committer(new InMemoryTopologyRepository(), Duration.ofHours(1)).start();
        c.close();
        assertEquals("INTERNAL", ((ErrorReply) c.handle(new CreateTree("web", info("tokyo", TOKYO)))).code());
    }
}
