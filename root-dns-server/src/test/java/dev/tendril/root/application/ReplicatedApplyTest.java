package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.application.GroupCommitter.LogEntry;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.RootsQuery;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.root.application.port.out.GroupMembership;
import dev.tendril.root.application.port.out.LogPosition;
import dev.tendril.root.application.port.out.LogPosition.Applied;
import dev.tendril.root.application.port.out.TopologyLog;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The writer as the applier of a replicated log: entry time, recorded position, order, and the control split. */
class ReplicatedApplyTest {
    private final MutableClock localClock = new MutableClock(1_700_000_000_000L);
    private final LogClock logClock = new LogClock(localClock);
    private final InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
    private final RecordingDirectory directory = new RecordingDirectory();
    private final DeferredDirectory deferred = new DeferredDirectory();
    private final List<Applied> told = new CopyOnWriteArrayList<>();
    private final Position position = new Position();
    private GroupCommitter committer;

    /** The log position kept beside the in-memory repository; counts writes made inside its transactions. */
    private final class Position implements LogPosition {
        volatile Applied applied = Applied.NONE;

        @Override
        public Applied applied() {
            return applied;
        }

        @Override
        public void saveApplied(Applied a) {
            applied = a;
        }
    }

    private GroupCommitter start() {
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, logClock, 4, ControlDispatcher::noResolver);
        committer = new GroupCommitter("r1", repo, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repo, deferred, localClock), Duration.ofHours(1), 100,
                new GroupCommitter.Replication(logClock, position, told::add)).start();
        return committer;
    }

    @AfterEach
    void stop() {
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void anEntryRunsAtTheTimeWrittenInTheLogNotAtThisRootsClock() {
        GroupCommitter c = start();
        long leaderTime = 1_800_000_000_000L; // this root's clock is far behind
        assertInstanceOf(Registered.class, c.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), leaderTime, 1, 1)).join());
        assertEquals(new Ack(), c.apply(new LogEntry(
                new RecordMigration("web", List.of("10.0.0.0/24"), "tokyo", 60_000), leaderTime + 5, 1, 2)).join());

        Migration m = repo.migrations("web").get(0);
        assertEquals(leaderTime + 5, m.createdAtMillis());
        assertEquals(leaderTime + 5 + 60_000, m.expiresAtMillis());
        assertEquals(leaderTime, repo.node("web", "tokyo").orElseThrow().registeredAtMillis());
        assertEquals(localClock.millis(), logClock.millis(), "outside an entry the clock is the root's own again");
        assertEquals(new Applied(1, 2), position.applied());
        assertEquals(new Applied(1, 2), told.get(told.size() - 1));
        assertEquals(leaderTime + 5 + 60_000, directory.migration("web", "10.0.0.0/24").expiresAtMillis());
    }

    /** Every root of a group answers its registration watches when it applies the entry, not only the leader. */
    @Test
    void aRegistrationInALogEntryAnswersThisRootsWatches() throws Exception {
        GroupCommitter c = start();
        RegistrationWatches watches = new RegistrationWatches("r1");
        c.onApplied(watches);
        CompletableFuture<RootMessage> watch = watches.hold("origin", new RootMessage.RegistrationWatch("web", "berlin", 30_000));
        c.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 1, 1)).join();
        assertFalse(watch.isDone());
        c.applyAll(new LogEntry(List.of(new RecordMigration("web", List.of("10.0.0.0/24"), "tokyo", 60_000),
                new RootMessage.RegisterNode("web", info("berlin", BERLIN))), 1_005, 1, 2)).join();
        RootMessage.RegistrationSeen seen = assertInstanceOf(RootMessage.RegistrationSeen.class,
                watch.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("berlin", seen.node().orElseThrow().nodeId());
    }

    @Test
    void entriesQueuedTogetherAreAppliedInLogOrderAndThePositionIsTheLast() {
        List<CompletableFuture<RootMessage>> replies = new ArrayList<>();
        // queued before the writer starts: one batch
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, logClock, 4, ControlDispatcher::noResolver);
        committer = new GroupCommitter("r1", repo, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repo, deferred, localClock), Duration.ofHours(1), 100,
                new GroupCommitter.Replication(logClock, position, told::add));
        replies.add(committer.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 2, 10)));
        replies.add(committer.apply(LogEntry.empty(3, 11))); // an election's entry: no command
        for (int i = 0; i < 5; i++) {
            replies.add(committer.apply(new LogEntry(
                    new RecordMigration("web", List.of("10.0." + i + ".0/24"), "tokyo", 60_000), 2_000 + i, 3, 12 + i)));
        }
        committer.start();
        replies.forEach(CompletableFuture::join);

        assertNull(replies.get(1).join(), "an entry without a command has no reply");
        assertEquals(new Applied(3, 16), position.applied());
        assertEquals(new Applied(3, 16), told.get(told.size() - 1));
        assertEquals(5, repo.migrations("web").size());
    }

    @Test
    void theCommandsOfOneEntryApplyTogetherInOrderAtTheEntrysTimeWithOnePosition() {
        GroupCommitter c = start();
        c.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 1, 1)).join();
        long commitsBefore = repo.commits();
        List<RootMessage> replies = c.applyAll(new LogEntry(List.of(
                new RecordMigration("web", List.of("10.0.1.0/24"), "tokyo", 60_000),
                new RecordMigration("web", List.of("10.0.2.0/24"), "tokyo", 60_000),
                new RecordMigration("web", List.of("10.0.3.0/24"), "nowhere", 60_000)), 5_000, 1, 2)).join();

        assertEquals(3, replies.size());
        assertEquals(new Ack(), replies.get(0));
        assertEquals(new Ack(), replies.get(1));
        assertInstanceOf(ErrorReply.class, replies.get(2), "a refused command is refused alone");
        assertEquals(commitsBefore + 1, repo.commits(), "one transaction for the whole entry");
        assertEquals(List.of(5_000L, 5_000L), repo.migrations("web").stream().map(Migration::createdAtMillis).toList());
        assertEquals(new Applied(1, 2), position.applied());
        assertEquals(new Applied(1, 2), told.get(told.size() - 1));
    }

    @Test
    void aCommandThatFailsInsideAnEntryIsAnsweredInternalAndTheEntryIsAppliedWithoutIt() {
        ForwardingRepository flaky = new ForwardingRepository(repo) {
            @Override
            public void saveMigration(Migration m) {
                if (m.clients().toString().equals("10.0.2.0/24")) {
                    throw new IllegalStateException("disk on fire");
                }
                super.saveMigration(m);
            }
        };
        ControlDispatcher dispatcher = new ControlDispatcher(flaky, deferred, logClock, 4, ControlDispatcher::noResolver);
        committer = new GroupCommitter("r1", flaky, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(flaky, deferred, localClock), Duration.ofHours(1), 100,
                new GroupCommitter.Replication(logClock, position, told::add)).start();
        committer.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 1, 1)).join();

        List<RootMessage> replies = committer.applyAll(new LogEntry(List.of(
                new RecordMigration("web", List.of("10.0.1.0/24"), "tokyo", 60_000),
                new RecordMigration("web", List.of("10.0.2.0/24"), "tokyo", 60_000),
                new RecordMigration("web", List.of("10.0.3.0/24"), "tokyo", 60_000)), 5_000, 1, 2)).join();

        assertEquals(new Ack(), replies.get(0));
        assertEquals("INTERNAL", ((ErrorReply) replies.get(1)).code());
        assertEquals(new Ack(), replies.get(2));
        assertEquals(List.of("10.0.1.0/24", "10.0.3.0/24"),
                repo.migrations("web").stream().map(m -> m.clients().toString()).sorted().toList());
        assertEquals(new Applied(1, 2), position.applied());
        assertNull(directory.migration("web", "10.0.2.0/24"), "DNS holds nothing of the failed command");
        assertNotNull(directory.migration("web", "10.0.3.0/24"));
    }

    @Test
    void aTaskRunsAloneAfterWhatWasQueuedBeforeIt() {
        GroupCommitter c = start();
        CompletableFuture<RootMessage> created = c.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 1, 1));
        List<Boolean> seen = new ArrayList<>();
        c.runAlone(() -> seen.add(repo.treeExists("web"))).join();
        assertInstanceOf(Registered.class, created.join());
        assertEquals(List.of(true), seen);
    }

    @Test
    void changesGoToTheLogAndQueriesAreAnsweredHere() {
        GroupCommitter c = start();
        c.apply(new LogEntry(new CreateTree("web", info("tokyo", TOKYO)), 1_000, 1, 1)).join();
        List<RootMessage> logged = new CopyOnWriteArrayList<>();
        TopologyLog log = command -> {
            logged.add(command);
            return CompletableFuture.completedFuture(new ErrorReply("NOT_LEADER", "root r1 is not the leader"));
        };
        ReplicatedControl control = new ReplicatedControl(log, c, new GroupMembership() {
            @Override
            public RootsStatus status() {
                return new RootsStatus("r1", "FOLLOWER", "r2", 3, 10, 10, List.of());
            }

            @Override
            public RootMessage change(ChangeRoots request) {
                return new ErrorReply("NOT_LEADER", "root r1 is not the leader");
            }
        });

        RecordMigration write = new RecordMigration("web", List.of("10.1.0.0/16"), "tokyo", 60_000);
        assertEquals("NOT_LEADER", ((ErrorReply) control.handle(write)).code());
        assertEquals(new HostedSet("web", List.of("tokyo")), control.handle(new HostedSetQuery("web")));
        assertEquals(List.of(write), logged, "only the change went to the log");
        assertEquals("r2", ((RootsStatus) control.handle(new RootsQuery())).leaderId(), "the group answers its own status");
        assertTrue(repo.migrations("web").isEmpty(), "a refused change writes nothing here");
    }
}
