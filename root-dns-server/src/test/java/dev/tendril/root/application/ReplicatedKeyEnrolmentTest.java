package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.root.application.GroupCommitter.LogEntry;
import dev.tendril.root.application.port.out.GroupMembership;
import dev.tendril.root.application.port.out.LogPosition;
import dev.tendril.root.application.port.out.LogPosition.Applied;
import dev.tendril.root.application.port.out.TopologyLog;
import dev.tendril.root.application.security.KeyEnrolment;
import dev.tendril.root.testing.InMemoryKeyStore;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Enrolled keys on a replicated root: an operator's EnrolKey and RevokeKey are authorised at the
 * endpoint and go to the log; each root applies the committed entry in log order at the entry's
 * time, to its store and its in-memory allowlist.
 */
class ReplicatedKeyEnrolmentTest {
    private final MutableClock localClock = new MutableClock(1_700_000_000_000L);
    private final LogClock logClock = new LogClock(localClock);
    private final InMemoryTopologyRepository repo = new InMemoryTopologyRepository();
    private final InMemoryKeyStore store = new InMemoryKeyStore();
    private final String alice = CurveKeyPair.generate().publicKey();
    private final String munich = CurveKeyPair.generate().publicKey();
    private final KeyEnrolment keys = KeyEnrolment.replicated("r1", store, Map.of("alice", alice));
    private final Caller operator = Caller.operator("alice", alice);
    private GroupCommitter committer;

    private GroupCommitter start() {
        DeferredDirectory deferred = new DeferredDirectory();
        ControlDispatcher dispatcher = new ControlDispatcher(repo, deferred, logClock, 4, ControlDispatcher::noResolver,
                ControlLimits.defaults(), ControlLimits.quietRefusals(), keys);
        committer = new GroupCommitter("r1", repo, deferred, new RecordingDirectory(), dispatcher,
                new PurgeExpiredMigrations(repo, deferred, localClock), Duration.ofHours(1), 100,
                new GroupCommitter.Replication(logClock, new Position(), a -> { })).start();
        return committer;
    }

    private static final class Position implements LogPosition {
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

    @AfterEach
    void stop() {
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void anOperatorsEnrolmentIsLeftForTheLogAndAPlatformsIsRefused() {
        EnrolKey enrol = new EnrolKey(KeyRole.PLATFORM, "munich", munich);
        assertEquals(Optional.empty(), keys.handle(enrol, operator), "the operator's request goes on to the log");
        assertEquals(Optional.empty(), keys.handle(new RevokeKey(KeyRole.PLATFORM, "munich", ""), operator));
        ErrorReply refused = (ErrorReply) keys.handle(enrol, Caller.platform("munich", munich)).orElseThrow();
        assertEquals(RequestServer.FORBIDDEN, refused.code());
        assertTrue(store.all().isEmpty(), "nothing is enrolled before the entry is committed");
        assertTrue(keys.callerOf(munich).isEmpty());
        assertTrue(ReplicatedControl.isChange(enrol));
        assertTrue(ReplicatedControl.isChange(new RevokeKey(KeyRole.PLATFORM, "munich", "")));
        assertFalse(ReplicatedControl.isChange(new KeysQuery()));
    }

    @Test
    void aCommittedEnrolmentIsAppliedAtTheEntrysTimeAndARevocationRemovesIt() {
        GroupCommitter c = start();
        long leaderTime = 1_800_000_000_000L; // this root's clock is far behind
        assertEquals(new Ack(), c.apply(new LogEntry(new EnrolKey(KeyRole.PLATFORM, "munich", munich), leaderTime, 1, 1)).join());

        assertEquals(List.of(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, leaderTime)), store.all());
        assertEquals(Optional.of(Caller.platform("munich", munich)), keys.callerOf(munich), "admitted at once");
        KeyListing listing = (KeyListing) keys.handle(new KeysQuery(), operator).orElseThrow();
        assertTrue(listing.keys().contains(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, leaderTime)), listing.toString());

        assertEquals(new Ack(), c.apply(new LogEntry(new RevokeKey(KeyRole.PLATFORM, "munich", ""), leaderTime + 10, 1, 2)).join());
        assertTrue(store.all().isEmpty());
        assertTrue(keys.callerOf(munich).isEmpty(), "refused at once");
        ErrorReply again = (ErrorReply) c.apply(new LogEntry(new RevokeKey(KeyRole.PLATFORM, "munich", ""), leaderTime + 20, 1, 3)).join();
        assertEquals(ControlErrors.NOT_FOUND, again.code(), "the same answer on every root that applies it");
    }

    @Test
    void aReloadTakesTheStoresKeysAfterASnapshotReplacedThem() {
        store.enrol(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 5));
        assertTrue(keys.callerOf(munich).isEmpty(), "the store changed under the allowlist (a restored snapshot)");
        keys.reload();
        assertEquals(Optional.of(Caller.platform("munich", munich)), keys.callerOf(munich));
        store.revoke(KeyRole.PLATFORM, "munich", "");
        keys.reload();
        assertTrue(keys.callerOf(munich).isEmpty());
    }

    @Test
    void aFollowerAnswersNotLeaderForAKeyChange() {
        List<RootMessage> logged = new CopyOnWriteArrayList<>();
        TopologyLog log = command -> {
            logged.add(command);
            return CompletableFuture.completedFuture(new ErrorReply("NOT_LEADER", "root r1 is not the leader"));
        };
        ReplicatedControl control = new ReplicatedControl(log, start(), new GroupMembership() {
            @Override
            public RootsStatus status() {
                return new RootsStatus("r1", "FOLLOWER", "r2", 3, 10, 10, List.of());
            }

            @Override
            public RootMessage change(ChangeRoots request) {
                return new ErrorReply("NOT_LEADER", "root r1 is not the leader");
            }
        });
        EnrolKey enrol = new EnrolKey(KeyRole.PLATFORM, "munich", munich);
        assertEquals("NOT_LEADER", ((ErrorReply) control.handle(enrol)).code());
        assertEquals(List.of(enrol), logged);
        assertTrue(store.all().isEmpty());
    }
}
