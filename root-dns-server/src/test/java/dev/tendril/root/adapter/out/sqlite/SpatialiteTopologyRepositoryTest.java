package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.LogPosition.Applied;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repository contract over SpatiaLite, plus what only a file can show: reopening. */
class SpatialiteTopologyRepositoryTest extends TopologyRepositoryContract {
    @TempDir
    Path dir;

    @Override
    protected TopologyRepository create() {
        return SpatialiteTopologyRepository.open(dir.resolve("topology.db"), SpatialiteTopologyRepository.Sync.FULL);
    }

    @Test
    void aVersion1DatabaseIsUpgradedInPlace() throws Exception {
        repo.close();
        Path old = dir.resolve("v1.db");
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.enableLoadExtension(true);
        try (var conn = config.createConnection("jdbc:sqlite:" + old); var s = conn.createStatement()) {
            s.execute("SELECT load_extension('mod_spatialite')");
            s.execute("SELECT InitSpatialMetadata(1, 'WGS84')");
            s.execute("CREATE TABLE trees(service TEXT PRIMARY KEY, created_at INTEGER NOT NULL)");
            s.execute("CREATE TABLE nodes(id INTEGER PRIMARY KEY, service TEXT NOT NULL, node_id TEXT NOT NULL, "
                    + "address TEXT NOT NULL, ports TEXT NOT NULL, overlay_port INTEGER NOT NULL, parent_id TEXT NOT NULL, "
                    + "live INTEGER NOT NULL, registered_at INTEGER NOT NULL, child_count INTEGER NOT NULL, UNIQUE(service, node_id))");
            s.execute("SELECT AddGeometryColumn('nodes', 'position', 4326, 'POINT', 'XY', 1)");
            s.execute("SELECT CreateSpatialIndex('nodes', 'position')");
            s.execute("CREATE INDEX nodes_by_parent ON nodes(service, parent_id)");
            s.execute("CREATE TABLE migrations(service TEXT NOT NULL, clients TEXT NOT NULL, target_id TEXT NOT NULL, "
                    + "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY(service, clients))");
            s.execute("INSERT INTO trees VALUES ('web', 1)");
            s.execute("INSERT INTO nodes(service, node_id, address, ports, overlay_port, parent_id, live, registered_at, "
                    + "child_count, position) VALUES ('web', 'tokyo', '192.0.2.1', 'http/tcp/80', 7000, '', 1, 5, 0, "
                    + "MakePoint(139.65, 35.676, 4326)), ('web', 'berlin', '192.0.2.2', '', 0, 'tokyo', 1, 6, 0, "
                    + "MakePoint(13.405, 52.52, 4326))");
            s.execute("PRAGMA user_version = 1");
        }
        repo = SpatialiteTopologyRepository.open(old, SpatialiteTopologyRepository.Sync.FULL);
        assertEquals("berlin", nearest("web", MUNICH, 4, Set.of()));
        assertEquals("tokyo", nearest("web", SYDNEY, 4, Set.of()));
        save(node("web", "paris", PARIS, "berlin"));
        assertEquals("paris", nearest("web", new dev.tendril.protocol.geo.GeoPoint(48.0, 2.0), 4, Set.of()));
    }

    /** SpatiaLite's geometry check and spatial index triggers on {@code nodes}, without its timestamp triggers. */
    private static final Set<String> SPATIALITE_TRIGGERS_KEPT = Set.of("ggi_nodes_position", "ggu_nodes_position",
            "gii_nodes_position", "giu_nodes_position", "gid_nodes_position");

    @Test
    void nodeWritesLeaveSpatiaLitesTimestampsAloneAndKeepItsIndexAndGeometryChecks() throws Exception {
        repo.inTransaction(() -> repo.createTree("web", 1));
        save(node("web", "berlin", BERLIN, ""));
        save(node("web", "paris", PARIS, "berlin")); // also updates berlin's child count
        repo.removeNode("web", "paris");
        repo.close();
        Path file = dir.resolve("topology.db");
        assertEquals(SPATIALITE_TRIGGERS_KEPT, nodeTriggers(file));
        assertEquals(List.of("0000-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z"),
                rawRow(file, "SELECT last_insert, last_update, last_delete FROM geometry_columns_time "
                        + "WHERE f_table_name = 'nodes'"));

        // a database written before: the timestamp triggers go at the next open, the rest stays
        rawExec(file, "CREATE TRIGGER tmu_nodes_position AFTER UPDATE ON nodes FOR EACH ROW BEGIN "
                + "UPDATE geometry_columns_time SET last_update = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                + "WHERE f_table_name = 'nodes'; END");
        repo = create();
        repo.close();
        assertEquals(SPATIALITE_TRIGGERS_KEPT, nodeTriggers(file));
        repo = create();
        assertEquals("berlin", nearest("web", MUNICH, 4, Set.of()));
    }

    private static Set<String> nodeTriggers(Path file) throws Exception {
        Set<String> names = new java.util.TreeSet<>();
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = conn.createStatement();
             var rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'nodes'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<String> rawRow(Path file, String sql) throws Exception {
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = conn.createStatement();
             var rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), "a row for " + sql);
            List<String> row = new java.util.ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            return row;
        }
    }

    private static void rawExec(Path file, String sql) throws Exception {
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aDamagedDatabaseIsRefusedAtOpenAndNothingIsWritten() throws Exception {
        repo.inTransaction(() -> repo.createTree("web", 1));
        for (int i = 0; i < 200; i++) {
            save(node("web", "n" + i, MUNICH, ""));
        }
        repo.close();
        Path file = dir.resolve("topology.db");
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        assertTrue(bytes.length > 8 * 4096, "a database of several pages: " + bytes.length);
        java.util.Random random = new java.util.Random(7);
        for (int page = 2; page * 4096 < bytes.length; page += 2) {
            for (int b = page * 4096 + 16; b < page * 4096 + 1024; b++) {
                bytes[b] = (byte) random.nextInt(256);
            }
        }
        java.nio.file.Files.write(file, bytes);
        long modified = java.nio.file.Files.getLastModifiedTime(file).toMillis();
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.tendril.root.application.port.out.CorruptTopologyException.class,
                () -> SpatialiteTopologyRepository.open(file, SpatialiteTopologyRepository.Sync.FULL));
        assertTrue(e.getMessage().contains("is damaged (PRAGMA quick_check:"), e.getMessage());
        assertTrue(e.getMessage().contains("Move it aside"), e.getMessage());
        assertEquals(modified, java.nio.file.Files.getLastModifiedTime(file).toMillis(), "not written");

        Path garbage = dir.resolve("garbage.db");
        java.nio.file.Files.writeString(garbage, "this is not a database, but long enough to look like one ".repeat(200));
        org.junit.jupiter.api.Assertions.assertThrows(dev.tendril.root.application.port.out.CorruptTopologyException.class,
                () -> SpatialiteTopologyRepository.open(garbage, SpatialiteTopologyRepository.Sync.FULL));
        for (String suffix : List.of("", "-wal", "-shm")) {
            java.nio.file.Files.deleteIfExists(dir.resolve("topology.db" + suffix));
        }
        repo = create(); // an empty database after moving the damaged one aside; closed by the contract's tear-down
    }

    @Test
    void everythingComesBackAfterReopening() {
        repo.inTransaction(() -> repo.createTree("web", 1));
        save(node("web", "a", BERLIN, ""));
        save(node("web", "b", TOKYO, "a"));
        saveMigration(new Migration("web", Cidr.parse("198.51.100.0/24"), "b", 1, 99));
        var nodes = repo.nodes("web");
        repo.close();
        repo = SpatialiteTopologyRepository.open(dir.resolve("topology.db"), SpatialiteTopologyRepository.Sync.NORMAL);
        assertTrue(repo.treeExists("web"));
        assertEquals(nodes, repo.nodes("web"));
        assertEquals(1, repo.childCount("web", "a"));
        assertEquals(List.of(new Migration("web", Cidr.parse("198.51.100.0/24"), "b", 1, 99)), repo.migrations(""));
        assertEquals("b", nearest("web", SYDNEY, 4, Set.of()));
    }

    @Test
    void aSnapshotRestoredIntoAnotherDatabaseReplacesAllOfItsStateAndPosition() {
        SpatialiteTopologyRepository a = SpatialiteTopologyRepository.open(dir.resolve("a.db"), SpatialiteTopologyRepository.Sync.NORMAL);
        SpatialiteTopologyRepository b = SpatialiteTopologyRepository.open(dir.resolve("b.db"), SpatialiteTopologyRepository.Sync.NORMAL);
        String tokyoKey = dev.tendril.protocol.transport.CurveKeyPair.generate().publicKey();
        String oldKey = dev.tendril.protocol.transport.CurveKeyPair.generate().publicKey();
        try (a; b) {
            assertEquals(Applied.NONE, a.applied());
            a.inTransaction(() -> {
                a.createTree("web", 1);
                a.saveNode(new TreeNode("web", info("tokyo",
                        TOKYO), TreeNode.NO_PARENT, true, 1));
                a.saveMigration(new Migration("web",
                        Cidr.parse("10.0.0.0/8"), "tokyo", 1, 1_000_000));
                a.saveApplied(new Applied(4, 42));
                a.enrol(new EnrolledKey(KeyRole.PLATFORM, "tokyo", tokyoKey, 7));
                return null;
            });
            b.inTransaction(() -> b.createTree("stale", 1)); // replaced whole by the restore
            b.enrol(new EnrolledKey(KeyRole.PLATFORM, "revoked-since", oldKey, 3));
            Path snapshot = dir.resolve("snapshot.4_42");

            var at = a.snapshotTo(p -> snapshot);
            var restored = b.restoreFrom(snapshot);

            assertEquals(new Applied(4, 42), at);
            assertEquals(at, restored);
            assertEquals(List.of("web"), b.services());
            assertEquals(a.nodes("web"), b.nodes("web"));
            assertEquals(a.migrations(""), b.migrations(""));
            assertEquals(List.of(new EnrolledKey(KeyRole.PLATFORM, "tokyo", tokyoKey, 7)), b.all(),
                    "the enrolled keys are part of the snapshot");
            assertEquals("tokyo", b.nearestLiveWithRoom("web", BERLIN, 4, Set.of())
                    .orElseThrow().nodeId(), "the spatial index came along");
        }
    }
}
