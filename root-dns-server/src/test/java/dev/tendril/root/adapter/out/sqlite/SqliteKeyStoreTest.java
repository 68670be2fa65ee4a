package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The enrolled keys survive a restart; revocation by name or by one key. */
class SqliteKeyStoreTest {
    @TempDir
    Path dir;

    @Test
    void keysAreDurableAndRevokedByNameOrKey() {
        Path db = dir.resolve("topology.db");
        String k1 = CurveKeyPair.generate().publicKey();
        String k2 = CurveKeyPair.generate().publicKey();
        String k3 = CurveKeyPair.generate().publicKey();
        try (SpatialiteTopologyRepository repo = SpatialiteTopologyRepository.open(db, SpatialiteTopologyRepository.Sync.FULL);
             SqliteKeyStore store = SqliteKeyStore.open(db, SpatialiteTopologyRepository.Sync.FULL)) {
            store.enrol(new EnrolledKey(KeyRole.PLATFORM, "munich", k1, 1L));
            store.enrol(new EnrolledKey(KeyRole.PLATFORM, "munich", k2, 2L));
            store.enrol(new EnrolledKey(KeyRole.OPERATOR, "alice", k3, 3L));
            store.enrol(new EnrolledKey(KeyRole.OPERATOR, "alice", k3, 4L)); // already there: unchanged
            assertEquals(repo.services(), List.of(), "the topology is untouched");
        }
        try (SqliteKeyStore store = SqliteKeyStore.open(db, SpatialiteTopologyRepository.Sync.FULL)) {
            assertEquals(3, store.all().size());
            assertEquals(1, store.revoke(KeyRole.PLATFORM, "munich", k1));
            assertEquals(List.of(new EnrolledKey(KeyRole.OPERATOR, "alice", k3, 3L),
                    new EnrolledKey(KeyRole.PLATFORM, "munich", k2, 2L)), store.all());
            assertEquals(0, store.revoke(KeyRole.OPERATOR, "munich", ""));
            assertEquals(1, store.revoke(KeyRole.PLATFORM, "munich", ""));
            assertEquals(List.of(new EnrolledKey(KeyRole.OPERATOR, "alice", k3, 3L)), store.all());
        }
    }
}
