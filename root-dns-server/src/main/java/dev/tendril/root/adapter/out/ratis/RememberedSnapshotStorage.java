package dev.tendril.root.adapter.out.ratis;

import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The state machine's snapshot folder, remembering that it holds none. Ratis asks for the latest
 * snapshot on every append a root sends or receives ({@code LogAppenderBase},
 * {@code ServerState.getLastEntry}); {@link SimpleStateMachineStorage} remembers a snapshot once
 * it knows one, but while there is none it lists the folder on each of those calls: 1.3-1.9 % of
 * every root's CPU under a write load (async-profiler over {@code RootClusterBench}), for a group
 * that has not taken its first snapshot yet. Every way a snapshot comes to exist goes through this
 * class: {@code takeSnapshot} hands it to {@link #updateLatestSnapshot}, and the start and an
 * installed snapshot's {@code reinitialize} read the folder with {@link #loadLatestSnapshot}.
 */
final class RememberedSnapshotStorage extends SimpleStateMachineStorage {
    private final AtomicReference<SingleFileSnapshotInfo> latest = new AtomicReference<>();
    private volatile boolean folderRead;

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        SingleFileSnapshotInfo known = latest.get();
        return known != null || folderRead ? known : loadLatestSnapshot();
    }

    /** Reads the folder (at the start, and after a snapshot was installed from the leader). */
    @Override
    public SingleFileSnapshotInfo loadLatestSnapshot() {
        SingleFileSnapshotInfo found = super.loadLatestSnapshot(); // hands what it found to updateLatestSnapshot
        folderRead = true;
        return found;
    }

    @Override
    public SingleFileSnapshotInfo updateLatestSnapshot(SingleFileSnapshotInfo info) {
        if (info == null) {
            return latest.get(); // a folder read that found none changes nothing known
        }
        SingleFileSnapshotInfo now = super.updateLatestSnapshot(info);
        return latest.updateAndGet(previous -> previous == null || now.getIndex() > previous.getIndex() ? now : previous);
    }
}
