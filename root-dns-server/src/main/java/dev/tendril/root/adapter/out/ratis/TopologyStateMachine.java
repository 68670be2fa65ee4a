package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.GroupCommitter.LogEntry;
import dev.tendril.root.application.port.out.LogPosition.Applied;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The topology as a Raft state machine. Each committed entry is a root control request with
 * the leader's time; it is handed, in log order, to the root's one applier (the
 * {@link GroupCommitter} writer), which runs it with the use cases' clock pinned to that time
 * and records the entry's position in the same SQLite transaction. So the store always says
 * which entries it holds: after a restart, entries up to that position are skipped, the
 * rest are applied again.
 *
 * <p>The snapshot is the SpatiaLite database itself ({@code VACUUM INTO} a file named after
 * its term and index); a root too far behind the leader's log installs it and restores its
 * store and DNS directory from it.
 */
public final class TopologyStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(TopologyStateMachine.class);
    static final long LAG_REPORT_EVERY_MILLIS = 10_000;

    private final String rootId;
    private final SpatialiteTopologyRepository store;
    private final Runnable reloadDirectory;
    private final SimpleStateMachineStorage storage = new RememberedSnapshotStorage();
    private final LongAdder undecodable = new LongAdder();
    private final Clock clock;
    private final ApplyLag lag = new ApplyLag();
    private long nextLagReport;
    private volatile GroupCommitter applier;
    /** Entries up to this index are in the store (updater thread). */
    private long inStore = -1;
    /** The last index handed to the applier (updater thread). */
    private long submitted = -1;

    /**
     * @param reloadDirectory refills the DNS directory from the store (after a snapshot was restored)
     */
    public TopologyStateMachine(String rootId, SpatialiteTopologyRepository store, Runnable reloadDirectory, Clock clock) {
        this.rootId = rootId;
        this.clock = clock;
        this.store = store;
        this.reloadDirectory = reloadDirectory;
    }

    /** The applier; set before the Raft server starts. */
    public void attach(GroupCommitter applier) {
        this.applier = applier;
    }

    /** Told by the applier, in log order, once an entry's changes are committed to the store. */
    public void applied(Applied at) {
        if (at.index() > getLastAppliedTermIndex().getIndex()) {
            updateLastAppliedTermIndex(at.term(), at.index());
        }
    }

    /** Entries whose bytes were not a root control request (applied as no-ops). */
    public long undecodable() {
        return undecodable.sum();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> {
            Applied stored = store.applied();
            SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
            if (snapshot != null && snapshot.getIndex() > stored.index()) {
                // the log before the snapshot may be purged: the store must start from the snapshot
                log.info("{}: the store holds log index {}, the latest snapshot {}: restoring it", rootId,
                        stored.index(), snapshot.getTermIndex());
                stored = restore(snapshot);
            }
            position(stored);
            log.info("{}: state machine starts at log index {} (term {})", rootId, stored.index(), stored.term());
        });
    }

    private void position(Applied stored) {
        inStore = stored.index();
        submitted = stored.index();
        setLastAppliedTermIndex(stored.index() < 0 ? TermIndex.valueOf(0, -1) : TermIndex.valueOf(stored.term(), stored.index()));
    }

    private Applied restore(SingleFileSnapshotInfo snapshot) throws IOException {
        Path file = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
        }
        Applied[] restored = new Applied[1];
        applier.runAlone(() -> {
            restored[0] = store.restoreFrom(file);
            reloadDirectory.run();
        }).join();
        return restored[0];
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        if (index <= inStore) {
            return CompletableFuture.completedFuture(CommandCodec.reply(new ErrorReply(ControlErrors.INTERNAL,
                    "log entry " + index + " was applied before this root restarted"), rootId));
        }
        submitted = index;
        CommandCodec.Commands commands = CommandCodec.commands(entry.getStateMachineLogEntry().getLogData());
        if (commands == null) {
            undecodable.increment();
            log.warn("{}: log entry {} is not a root control request; applied as a no-op", rootId, index);
            return applier.apply(LogEntry.empty(entry.getTerm(), index)).thenApply(r -> CommandCodec.reply(
                    new ErrorReply(ControlErrors.INVALID, "log entry " + index + " is not a root control request"), rootId));
        }
        if (commands.requests().isEmpty()) { // a commit notice: nothing to apply but the position
            return applier.apply(LogEntry.empty(entry.getTerm(), index)).thenApply(r -> CommandCodec.replies(List.of(), rootId));
        }
        reportLag();
        long proposedAt = commands.atMillis();
        return applier.applyAll(new LogEntry(commands.requests(), proposedAt, entry.getTerm(), index))
                .thenApply(replies -> {
                    lag.record(clock.millis() - proposedAt, replies.size());
                    return CommandCodec.replies(replies, rootId);
                });
    }

    /** Once per {@link #LAG_REPORT_EVERY_MILLIS} while entries are applied: how far behind the leader's proposals this root applies. */
    private void reportLag() {
        long now = clock.millis();
        if (now >= nextLagReport) {
            if (nextLagReport != 0) {
                log.info("{}: applied {} (since proposal; role {})", rootId, lag.take(),
                        getServer().isDone() ? roleName() : "?");
            }
            nextLagReport = now + LAG_REPORT_EVERY_MILLIS;
        }
    }

    private String roleName() {
        try {
            return getServer().join().getDivision(getGroupId()).getInfo().getCurrentRole().name();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The figures of the lag window so far (and a new window). */
    public String takeLag() {
        return lag.take().toString();
    }

    /** Entries without a command (elections' no-ops, configurations) move the position in log order too. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        if (index <= Math.max(inStore, submitted)) {
            return;
        }
        submitted = index;
        applier.apply(LogEntry.empty(term, index));
    }

    @Override
    public long takeSnapshot() throws IOException {
        Applied at = store.snapshotTo(a -> a.index() < 0 || storage.getSnapshotFile(a.term(), a.index()).exists() ? null
                : storage.getSnapshotFile(a.term(), a.index()).toPath());
        if (at.index() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(at.term(), at.index());
        FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, at.term(), at.index()));
        log.info("{}: snapshot at log index {} (term {}): {} ({} bytes)", rootId, at.index(), at.term(), file,
                Files.size(file.toPath()));
        return at.index();
    }

    @Override
    public void pause() {
        LifeCycle lc = getLifeCycle();
        if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
            lc.transition(LifeCycle.State.PAUSING);
            lc.transition(LifeCycle.State.PAUSED);
        }
    }

    /** After a snapshot was installed from the leader: the store and the directory become the snapshot's. */
    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot != null) {
            Applied restored = restore(snapshot);
            position(restored);
            log.info("{}: installed the snapshot at log index {} (term {})", rootId, restored.index(), restored.term());
        }
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().startAndTransition(() -> { });
        }
    }
}
