package dev.tendril.root.adapter.out.ratis;

import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.StorageImplUtils;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RememberedSnapshotStorageTest {
    @TempDir
    Path dir;

    private RaftStorage raftStorage() throws Exception {
        return raftStorage(RaftStorage.StartupOption.FORMAT);
    }

    private RaftStorage raftStorage(RaftStorage.StartupOption option) throws Exception {
        RaftStorage s = StorageImplUtils.newRaftStorage(dir.toFile(), SizeInBytes.ZERO, option,
                RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
        s.initialize();
        return s;
    }

    /** A snapshot file as takeSnapshot or an installation leaves it: the file and its MD5 beside it. */
    private static SingleFileSnapshotInfo write(RememberedSnapshotStorage storage, long term, long index) throws Exception {
        File file = storage.getSnapshotFile(term, index);
        Files.writeString(file.toPath(), "snapshot " + index);
        return new SingleFileSnapshotInfo(new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)), term, index);
    }

    @Test
    void noSnapshotIsRememberedUntilOneIsTakenOrTheFolderIsReadAgain() throws Exception {
        RememberedSnapshotStorage storage = new RememberedSnapshotStorage();
        RaftStorage raft = raftStorage();
        storage.init(raft);
        assertNull(storage.getLatestSnapshot());

        // a file that appears without this class knowing (an installation before its reinitialize) is not looked for
        write(storage, 1, 10);
        assertNull(storage.getLatestSnapshot(), "the folder is not listed again on each call");
        assertEquals(10, storage.loadLatestSnapshot().getIndex(), "reinitialize reads the folder");
        assertEquals(10, storage.getLatestSnapshot().getIndex());

        SingleFileSnapshotInfo taken = write(storage, 2, 20);
        storage.updateLatestSnapshot(taken); // takeSnapshot
        assertEquals(20, storage.getLatestSnapshot().getIndex());
        storage.updateLatestSnapshot(write(storage, 1, 15));
        assertEquals(20, storage.getLatestSnapshot().getIndex(), "an older snapshot never replaces a newer one");
        raft.close();
    }

    @Test
    void aRestartFindsTheSnapshotInTheFolder() throws Exception {
        try (RaftStorage before = raftStorage()) {
            RememberedSnapshotStorage first = new RememberedSnapshotStorage();
            first.init(before);
            first.updateLatestSnapshot(write(first, 3, 42));
        }
        RememberedSnapshotStorage restarted = new RememberedSnapshotStorage();
        restarted.init(raftStorage(RaftStorage.StartupOption.RECOVER));
        assertEquals(42, restarted.getLatestSnapshot().getIndex());
        assertEquals(3, restarted.getLatestSnapshot().getTerm());
    }
}
