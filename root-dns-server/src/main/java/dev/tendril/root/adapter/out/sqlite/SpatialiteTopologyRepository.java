package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.root.application.port.out.KeyStore;
import dev.tendril.root.application.port.out.LogPosition;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.application.port.out.CorruptTopologyException;
import dev.tendril.root.application.port.out.TopologyStoreException;
import dev.tendril.root.domain.GeoBox;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The topology repository in a SpatiaLite file: WAL journal, one connection, one writer.
 * Node positions are POINT geometries (SRID 4326) with an R*Tree spatial index; the nearest
 * node is found by asking that index for a box around the point, re-checking candidates by
 * great-circle distance, and widening the box until the best candidate lies inside the
 * searched radius. (SpatiaLite's KNN virtual table crashes the JVM under sqlite-jdbc.)
 *
 * <p>Durability: with {@link Sync#FULL} a commit is fsynced before {@code inTransaction}
 * returns, so it survives a power cut; with {@link Sync#NORMAL} it survives a crash of the
 * process ({@code kill -9}) but the last commits may be lost in a power cut or kernel crash.
 */
public final class SpatialiteTopologyRepository implements TopologyRepository, LogPosition, KeyStore {

    /** SQLite's synchronous setting for the WAL. */
    public enum Sync { FULL, NORMAL }

    /** 1: first layout; 2: adds the unit vector (ux, uy, uz) of each position for ranking in SQL. */
    private static final int SCHEMA_VERSION = 2;
    /** First search radius; multiplied by 4 until the best candidate is inside it. */
    private static final double FIRST_RADIUS_KM = 10;
    /** Candidates ranked exactly (great circle) per box, beyond the excluded ones. */
    private static final int RECHECKED = 8;

    private static final String NODE_COLUMNS =
            "n.service, n.node_id, n.address, n.ports, n.overlay_port, n.parent_id, n.live, n.registered_at, "
                    + "ST_Y(n.position), ST_X(n.position)";

    private final Path file;
    private final Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Migration records per service, kept in step with the writes; null: unknown (read again from the table). */
    private Map<String, Integer> migrationCounts;
    /** Nodes per tree, kept in step with the writes like {@link #migrationCounts}; null: unknown. */
    private Map<String, Integer> nodeCounts;
    private int depth;

    private SpatialiteTopologyRepository(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /** Opens (creating when absent) the database file and loads {@code mod_spatialite}. */
    public static SpatialiteTopologyRepository open(Path file, Sync sync) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.enableLoadExtension(true);
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(sync == Sync.FULL ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(5000);
            // sqlite-jdbc otherwise prepares and runs "SELECT last_insert_rowid()" after every INSERT for
            // Statement.getGeneratedKeys, which nothing here calls (~10 % of a new node's statements)
            config.setGetGeneratedKeys(false);
            Connection conn = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            checkIntact(file, conn);
            SpatialiteTopologyRepository repo = new SpatialiteTopologyRepository(file, conn);
            repo.initialize();
            repo.exec(SqliteKeyStore.CREATE_TABLE); // the enrolled keys travel with the topology (snapshots too)
            return repo;
        } catch (SQLException | java.io.IOException e) {
            if (e instanceof org.sqlite.SQLiteException se && (se.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT
                    || se.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_NOTADB)) {
                throw new CorruptTopologyException(file, List.of(e.getMessage()));
            }
            throw new TopologyStoreException("cannot open topology database " + file + ": " + e.getMessage()
                    + " (is Debian's libsqlite3-mod-spatialite installed?)", e);
        }
    }

    /**
     * {@code PRAGMA quick_check} before anything is written: a damaged file is refused whole
     * (writing on into it would spread the damage). An empty or new file passes.
     */
    private static void checkIntact(Path file, Connection conn) {
        List<String> problems = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            while (rs.next() && problems.size() < 5) {
                String line = rs.getString(1);
                if (!"ok".equals(line)) {
                    problems.add(line);
                }
            }
        } catch (SQLException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            try {
                conn.close();
            } catch (SQLException e) {
                problems.add("closing: " + e.getMessage());
            }
            throw new CorruptTopologyException(file, problems);
        }
    }

    private void initialize() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("SELECT load_extension('mod_spatialite')");
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version == SCHEMA_VERSION) {
                s.execute("CREATE INDEX IF NOT EXISTS nodes_by_node ON nodes(node_id)"); // trees per platform (quota)
                dropTimestampTriggers(s); // a database written before they were dropped
                return;
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException("schema version " + version + " is newer than this root's " + SCHEMA_VERSION);
            }
            boolean hasMetadata;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'spatial_ref_sys'")) {
                hasMetadata = rs.next();
            }
            if (!hasMetadata) {
                s.execute("SELECT InitSpatialMetadata(1, 'WGS84')"); // its own transaction (the 1)
            }
            s.execute("BEGIN IMMEDIATE"); // the schema (or its upgrade) appears whole or not at all
            if (version == 0) {
                createSchema(s);
            } else {
                upgradeFrom1(s);
            }
            dropTimestampTriggers(s);
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            s.execute("COMMIT");
        }
    }

    private static void createSchema(Statement s) throws SQLException {
        s.execute("CREATE TABLE trees(service TEXT PRIMARY KEY, created_at INTEGER NOT NULL)");
        s.execute("CREATE TABLE nodes(id INTEGER PRIMARY KEY, service TEXT NOT NULL, node_id TEXT NOT NULL, "
                + "address TEXT NOT NULL, ports TEXT NOT NULL, overlay_port INTEGER NOT NULL, "
                + "parent_id TEXT NOT NULL, live INTEGER NOT NULL, registered_at INTEGER NOT NULL, "
                + "child_count INTEGER NOT NULL, ux REAL NOT NULL, uy REAL NOT NULL, uz REAL NOT NULL, "
                + "UNIQUE(service, node_id))");
        s.execute("SELECT AddGeometryColumn('nodes', 'position', 4326, 'POINT', 'XY', 1)");
        s.execute("SELECT CreateSpatialIndex('nodes', 'position')");
        s.execute("CREATE INDEX nodes_by_parent ON nodes(service, parent_id)");
        s.execute("CREATE TABLE migrations(service TEXT NOT NULL, clients TEXT NOT NULL, target_id TEXT NOT NULL, "
                + "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY(service, clients))");
        s.execute("CREATE INDEX migrations_by_expiry ON migrations(expires_at)");
        s.execute("CREATE INDEX migrations_by_target ON migrations(service, target_id)");
        s.execute("CREATE INDEX nodes_by_node ON nodes(node_id)");
    }

    /**
     * SpatiaLite's {@code AddGeometryColumn} adds triggers that write the time of the table's last
     * insert, update and delete into {@code geometry_columns_time}, for any update of a row (a child
     * count, a live flag), not only of its position: one more UPDATE with a scan of that table per
     * written row. Nothing reads those times; the geometry check ({@code ggi_}/{@code ggu_}) and the
     * spatial index's triggers ({@code gii_}/{@code giu_}/{@code gid_}) stay.
     */
    private static void dropTimestampTriggers(Statement s) throws SQLException {
        for (String t : List.of("tmi", "tmu", "tmd")) {
            s.execute("DROP TRIGGER IF EXISTS " + t + "_nodes_position");
        }
    }

    private void upgradeFrom1(Statement s) throws SQLException {
        for (String c : List.of("ux", "uy", "uz")) {
            s.execute("ALTER TABLE nodes ADD COLUMN " + c + " REAL NOT NULL DEFAULT 0");
        }
        List<double[]> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT id, ST_Y(position), ST_X(position) FROM nodes")) {
            while (rs.next()) {
                rows.add(new double[] {rs.getLong(1), rs.getDouble(2), rs.getDouble(3)});
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("UPDATE nodes SET ux = ?, uy = ?, uz = ? WHERE id = ?")) {
            for (double[] r : rows) {
                double[] u = unitVector(new GeoPoint(r[1], r[2]));
                ps.setDouble(1, u[0]);
                ps.setDouble(2, u[1]);
                ps.setDouble(3, u[2]);
                ps.setLong(4, (long) r[0]);
                ps.executeUpdate();
            }
        }
    }

    /** The position as a unit vector: the dot product of two falls as their great-circle distance grows. */
    static double[] unitVector(GeoPoint p) {
        double lat = Math.toRadians(p.latitude());
        double lon = Math.toRadians(p.longitude());
        return new double[] {Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)};
    }

    public Path file() {
        return file;
    }

    // --- transactions

    @Override
    public synchronized <T> T inTransaction(Supplier<T> work) {
        if (depth > 0) {
            depth++;
            try {
                return work.get();
            } finally {
                depth--;
            }
        }
        exec("BEGIN IMMEDIATE");
        depth = 1;
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            depth = 0;
            rollbackQuietly(e);
            throw e;
        }
        depth = 0;
        try {
            exec("COMMIT");
        } catch (TopologyStoreException e) {
            rollbackQuietly(e);
            throw e;
        }
        return result;
    }

    private void rollbackQuietly(Throwable cause) {
        migrationCounts = null; // the rolled-back writes had moved them
        nodeCounts = null;
        try (Statement s = conn.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void exec(String sql) {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw fail(sql, e);
        }
    }

    /** Reads run in a transaction of their own unless already inside one. */
    private <T> T read(Supplier<T> work) {
        return inTransaction(work);
    }

    // --- replication: log position, snapshot, restore

    /**
     * The applied position of a replicated root. Its table is created on first use, so a
     * single root's database never holds it.
     */
    @Override
    public synchronized Applied applied() {
        exec("CREATE TABLE IF NOT EXISTS log_position(id INTEGER PRIMARY KEY CHECK (id = 1), "
                + "term INTEGER NOT NULL, log_index INTEGER NOT NULL)");
        return read(() -> {
            List<Applied> rows = query("SELECT term, log_index FROM log_position WHERE id = 1",
                    rs -> new Applied(rs.getLong(1), rs.getLong(2)));
            return rows.isEmpty() ? Applied.NONE : rows.get(0);
        });
    }

    @Override
    public synchronized void saveApplied(Applied applied) {
        update("INSERT INTO log_position(id, term, log_index) VALUES (1, ?, ?) "
                + "ON CONFLICT(id) DO UPDATE SET term = excluded.term, log_index = excluded.log_index",
                applied.term(), applied.index());
    }

    /**
     * Writes a consistent copy of the whole database to a new file ({@code VACUUM INTO}) and
     * returns the log position that copy holds; {@code fileFor} names the file from it (null:
     * write none, e.g. when that file exists already).
     */
    public synchronized Applied snapshotTo(java.util.function.Function<Applied, Path> fileFor) {
        if (depth > 0) {
            throw new IllegalStateException("a snapshot cannot be taken inside a transaction");
        }
        Applied at = applied();
        Path target = fileFor.apply(at);
        if (target == null) {
            return at;
        }
        closeStatements(); // VACUUM refuses to run while a cached statement is still active
        try (PreparedStatement ps = conn.prepareStatement("VACUUM INTO ?")) {
            ps.setString(1, target.toAbsolutePath().toString());
            ps.execute();
        } catch (SQLException e) {
            throw fail("VACUUM INTO " + target, e);
        }
        return at;
    }

    /**
     * Replaces every tree, node, migration record, enrolled key and the log position with those of a
     * snapshot file (from {@link #snapshotTo}) in one transaction; returns the position it holds.
     */
    public synchronized Applied restoreFrom(Path snapshot) {
        if (depth > 0) {
            throw new IllegalStateException("a snapshot cannot be restored inside a transaction");
        }
        applied(); // the table exists on both sides
        closeStatements();
        try (PreparedStatement attach = conn.prepareStatement("ATTACH DATABASE ? AS snap")) {
            attach.setString(1, snapshot.toAbsolutePath().toString());
            attach.execute();
        } catch (SQLException e) {
            throw fail("ATTACH " + snapshot, e);
        }
        try {
            inTransaction(() -> {
                for (String table : List.of("migrations", "nodes", "trees", "log_position")) {
                    exec("DELETE FROM main." + table);
                }
                for (String table : List.of("trees", "nodes", "migrations")) {
                    exec("INSERT INTO main." + table + " SELECT * FROM snap." + table);
                }
                exec("INSERT INTO main.log_position SELECT * FROM snap.log_position");
                exec("DELETE FROM main.enrolled_keys");
                if (!query("SELECT 1 FROM snap.sqlite_master WHERE name = 'enrolled_keys'", rs -> 1).isEmpty()) {
                    exec("INSERT INTO main.enrolled_keys(role, name, public_key, enrolled_at) "
                            + "SELECT role, name, public_key, enrolled_at FROM snap.enrolled_keys");
                }
                return null;
            });
        } finally {
            closeStatements();
            exec("DETACH DATABASE snap");
        }
        return applied();
    }

    /** Closes the cached prepared statements (they are prepared again on next use). */
    private void closeStatements() {
        try {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        } catch (SQLException e) {
            throw fail("closing cached statements", e);
        } finally {
            statements.clear();
        }
    }

    // --- enrolled keys (a replicated root's KeyEnrolment writes them in the writer's transaction)

    @Override
    public synchronized List<EnrolledKey> all() {
        return read(() -> query("SELECT role, name, public_key, enrolled_at FROM enrolled_keys ORDER BY role, name",
                rs -> new EnrolledKey(KeyRole.fromLabel(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getLong(4))));
    }

    @Override
    public synchronized void enrol(EnrolledKey key) {
        inTransaction(() -> update("INSERT OR IGNORE INTO enrolled_keys(role, name, public_key, enrolled_at) VALUES (?, ?, ?, ?)",
                key.role().label(), key.name(), key.publicKey(), key.enrolledAtMillis()));
    }

    @Override
    public synchronized int revoke(KeyRole role, String name, String publicKey) {
        return inTransaction(() -> update("DELETE FROM enrolled_keys WHERE role = ? AND name = ? AND (? = '' OR public_key = ?)",
                role.label(), name, publicKey, publicKey));
    }

    // --- trees

    @Override
    public synchronized boolean createTree(String service, long createdAtMillis) {
        return inTransaction(() -> update("INSERT OR IGNORE INTO trees(service, created_at) VALUES (?, ?)",
                service, createdAtMillis) == 1);
    }

    @Override
    public synchronized boolean treeExists(String service) {
        return read(() -> query("SELECT 1 FROM trees WHERE service = ?", rs -> true, service).size() == 1);
    }

    @Override
    public synchronized List<String> services() {
        return read(() -> query("SELECT service FROM trees ORDER BY service", rs -> rs.getString(1)));
    }

    // --- nodes

    @Override
    public synchronized Optional<TreeNode> node(String service, String nodeId) {
        return read(() -> query("SELECT " + NODE_COLUMNS + " FROM nodes n WHERE n.service = ? AND n.node_id = ?",
                SpatialiteTopologyRepository::toNode, service, nodeId).stream().findFirst());
    }

    @Override
    public synchronized void saveNode(TreeNode node) {
        inTransaction(() -> {
            List<String> oldParent = query("SELECT parent_id FROM nodes WHERE service = ? AND node_id = ?",
                    rs -> rs.getString(1), node.service(), node.nodeId());
            GeoPoint p = node.info().position();
            double[] u = unitVector(p);
            if (oldParent.isEmpty()) {
                int children = query("SELECT count(*) FROM nodes WHERE service = ? AND parent_id = ?",
                        rs -> rs.getInt(1), node.service(), node.nodeId()).get(0);
                update("INSERT INTO nodes(service, node_id, address, ports, overlay_port, parent_id, live, "
                                + "registered_at, child_count, ux, uy, uz, position) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))",
                        node.service(), node.nodeId(), node.info().address(), PortsColumn.format(node.info().ports()),
                        node.info().overlayPort(), node.parentId(), node.live() ? 1 : 0, node.registeredAtMillis(),
                        children, u[0], u[1], u[2], p.longitude(), p.latitude());
                countNodes(node.service(), 1);
            } else {
                update("UPDATE nodes SET address = ?, ports = ?, overlay_port = ?, parent_id = ?, live = ?, "
                                + "registered_at = ?, ux = ?, uy = ?, uz = ?, position = MakePoint(?, ?, 4326) "
                                + "WHERE service = ? AND node_id = ?",
                        node.info().address(), PortsColumn.format(node.info().ports()), node.info().overlayPort(),
                        node.parentId(), node.live() ? 1 : 0, node.registeredAtMillis(), u[0], u[1], u[2],
                        p.longitude(), p.latitude(), node.service(), node.nodeId());
                adjustChildCount(node.service(), oldParent.get(0), -1);
            }
            adjustChildCount(node.service(), node.parentId(), +1);
            return null;
        });
    }

    private void adjustChildCount(String service, String parentId, int delta) {
        if (!parentId.isEmpty()) {
            update("UPDATE nodes SET child_count = child_count + ? WHERE service = ? AND node_id = ?",
                    delta, service, parentId);
        }
    }

    @Override
    public synchronized boolean removeNode(String service, String nodeId) {
        return inTransaction(() -> {
            List<String> parent = query("SELECT parent_id FROM nodes WHERE service = ? AND node_id = ?",
                    rs -> rs.getString(1), service, nodeId);
            if (parent.isEmpty()) {
                return false;
            }
            update("DELETE FROM nodes WHERE service = ? AND node_id = ?", service, nodeId);
            adjustChildCount(service, parent.get(0), -1);
            countNodes(service, -1);
            return true;
        });
    }

    @Override
    public synchronized List<TreeNode> nodes(String service) {
        return read(() -> query("SELECT " + NODE_COLUMNS + " FROM nodes n WHERE n.service = ? ORDER BY n.node_id",
                SpatialiteTopologyRepository::toNode, service));
    }

    @Override
    public synchronized List<TreeNode> children(String service, String parentId) {
        return read(() -> query("SELECT " + NODE_COLUMNS + " FROM nodes n WHERE n.service = ? AND n.parent_id = ? "
                + "ORDER BY n.node_id", SpatialiteTopologyRepository::toNode, service, parentId));
    }

    @Override
    public synchronized int childCount(String service, String nodeId) {
        return read(() -> query("SELECT child_count FROM nodes WHERE service = ? AND node_id = ?",
                rs -> rs.getInt(1), service, nodeId).stream().findFirst().orElse(0));
    }

    @Override
    public synchronized Optional<TreeNode> nearestLiveWithRoom(String service, GeoPoint near, int fanOut, Set<String> excluded) {
        return read(() -> {
            double[] q = unitVector(near);
            double radius = FIRST_RADIUS_KM;
            while (true) {
                Candidate best = null;
                for (GeoBox box : GeoBox.covering(near, radius)) {
                    Candidate c = bestInBox(box, service, fanOut, excluded, near, q);
                    if (c != null && (best == null || c.isBetterThan(best))) {
                        best = c;
                    }
                }
                if (best != null && (best.km() <= radius || radius >= GeoBox.MAX_DISTANCE_KM)) {
                    return node(service, best.nodeId());
                }
                if (radius >= GeoBox.MAX_DISTANCE_KM) {
                    return Optional.empty();
                }
                radius = Math.min(radius * 4, GeoBox.MAX_DISTANCE_KM);
            }
        });
    }

    private record Candidate(String nodeId, double km) {
        boolean isBetterThan(Candidate other) {
            return km < other.km || (km == other.km && nodeId.compareTo(other.nodeId) < 0);
        }
    }

    /**
     * The best candidate in one box. SQLite walks the R*Tree (CROSS JOIN keeps it the outer
     * loop; left alone, the planner walks the service index: a full scan), filters live nodes
     * with room, and ranks by the dot product of unit vectors (the same order as great-circle
     * distance); the first few are re-ranked here by great-circle distance, skipping the
     * excluded ones. Only ids and positions cross JNI, not whole rows.
     */
    private Candidate bestInBox(GeoBox box, String service, int fanOut, Set<String> excluded, GeoPoint near, double[] q) {
        int limit = Math.min(excluded.size(), 1 << 20) + RECHECKED;
        while (true) {
            List<Candidate> rows = query("SELECT n.node_id, ST_Y(n.position), ST_X(n.position) FROM idx_nodes_position r "
                            + "CROSS JOIN nodes n ON n.id = r.pkid WHERE r.xmin <= ? AND r.xmax >= ? AND r.ymin <= ? "
                            + "AND r.ymax >= ? AND n.service = ? AND n.live = 1 AND n.child_count < ? "
                            + "ORDER BY n.ux * ? + n.uy * ? + n.uz * ? DESC LIMIT ?",
                    rs -> new Candidate(rs.getString(1), near.distanceKm(new GeoPoint(rs.getDouble(2), rs.getDouble(3)))),
                    box.maxLon(), box.minLon(), box.maxLat(), box.minLat(), service, fanOut, q[0], q[1], q[2], limit);
            Candidate best = null;
            int usable = 0;
            for (Candidate c : rows) {
                if (!excluded.contains(c.nodeId())) {
                    usable++;
                    if (best == null || c.isBetterThan(best)) {
                        best = c;
                    }
                }
            }
            if (rows.size() < limit || usable >= RECHECKED) {
                return best; // the box is exhausted, or enough candidates were re-checked
            }
            limit *= 4; // the excluded ones crowded out the rest: look further
        }
    }

    // --- migrations

    @Override
    public synchronized void saveMigration(Migration m) {
        // one statement for a new subnet (the common case: a migration's clients are new), two for a known one;
        // before, every record was a look-up and an INSERT OR REPLACE (the look-up ~4 % of a follower's CPU)
        inTransaction(() -> {
            String clients = m.clients().toString();
            boolean added = update("INSERT OR IGNORE INTO migrations(service, clients, target_id, created_at, expires_at) "
                    + "VALUES (?, ?, ?, ?, ?)", m.service(), clients, m.targetNodeId(), m.createdAtMillis(),
                    m.expiresAtMillis()) == 1;
            if (added) {
                countMigrations(m.service(), 1);
            } else if (update("UPDATE migrations SET target_id = ?, created_at = ?, expires_at = ? WHERE service = ? "
                    + "AND clients = ?", m.targetNodeId(), m.createdAtMillis(), m.expiresAtMillis(), m.service(), clients) != 1) {
                // OR IGNORE also skips a row that breaks another constraint: never let that pass as saved
                throw new TopologyStoreException("topology database " + file + ": migration " + m + " neither inserted nor updated", null);
            }
            return null;
        });
    }

    @Override
    public synchronized boolean removeMigration(String service, Cidr clients) {
        return inTransaction(() -> {
            boolean gone = update("DELETE FROM migrations WHERE service = ? AND clients = ?", service, clients.toString()) == 1;
            if (gone) {
                countMigrations(service, -1);
            }
            return gone;
        });
    }

    @Override
    public synchronized boolean hasMigration(String service, Cidr clients) {
        return read(() -> !query("SELECT 1 FROM migrations WHERE service = ? AND clients = ?", rs -> true,
                service, clients.toString()).isEmpty());
    }

    @Override
    public synchronized int migrationCount(String service) {
        return read(() -> {
            Map<String, Integer> counts = migrationCounts();
            return service.isEmpty() ? counts.values().stream().mapToInt(Integer::intValue).sum()
                    : counts.getOrDefault(service, 0);
        });
    }

    @Override
    public synchronized int nodeCount(String service) {
        return read(() -> {
            if (nodeCounts == null) {
                Map<String, Integer> counts = new HashMap<>();
                for (Object[] row : query("SELECT service, count(*) FROM nodes GROUP BY service",
                        rs -> new Object[] {rs.getString(1), rs.getInt(2)})) {
                    counts.put((String) row[0], (Integer) row[1]);
                }
                nodeCounts = counts;
            }
            return nodeCounts.getOrDefault(service, 0);
        });
    }

    private void countNodes(String service, int delta) {
        if (nodeCounts != null) {
            nodeCounts.merge(service, delta, Integer::sum);
        }
    }

    @Override
    public synchronized int treesOf(String nodeId) {
        return read(() -> query("SELECT count(*) FROM nodes WHERE node_id = ?", rs -> rs.getInt(1), nodeId).get(0));
    }

    private Map<String, Integer> migrationCounts() {
        if (migrationCounts == null) {
            Map<String, Integer> counts = new HashMap<>();
            for (Object[] row : query("SELECT service, count(*) FROM migrations GROUP BY service",
                    rs -> new Object[] {rs.getString(1), rs.getInt(2)})) {
                counts.put((String) row[0], (Integer) row[1]);
            }
            migrationCounts = counts;
        }
        return migrationCounts;
    }

    private void countMigrations(String service, int delta) {
        if (migrationCounts != null) {
            int n = migrationCounts.getOrDefault(service, 0) + delta;
            if (n <= 0) {
                migrationCounts.remove(service);
            } else {
                migrationCounts.put(service, n);
            }
        }
    }

    @Override
    public synchronized List<Migration> migrations(String service) {
        return read(() -> service.isEmpty()
                ? query("SELECT service, clients, target_id, created_at, expires_at FROM migrations "
                        + "ORDER BY service, clients", SpatialiteTopologyRepository::toMigration)
                : query("SELECT service, clients, target_id, created_at, expires_at FROM migrations "
                        + "WHERE service = ? ORDER BY clients", SpatialiteTopologyRepository::toMigration, service));
    }

    @Override
    public synchronized List<Migration> removeMigrationsTargeting(String service, String nodeId) {
        return inTransaction(() -> {
            List<Migration> gone = query("SELECT service, clients, target_id, created_at, expires_at FROM migrations "
                    + "WHERE service = ? AND target_id = ? ORDER BY clients", SpatialiteTopologyRepository::toMigration,
                    service, nodeId);
            update("DELETE FROM migrations WHERE service = ? AND target_id = ?", service, nodeId);
            countMigrations(service, -gone.size());
            return gone;
        });
    }

    @Override
    public synchronized List<Migration> removeExpiredMigrations(long nowMillis) {
        return inTransaction(() -> {
            List<Migration> gone = query("SELECT service, clients, target_id, created_at, expires_at FROM migrations "
                    + "WHERE expires_at <= ? ORDER BY service, clients", SpatialiteTopologyRepository::toMigration, nowMillis);
            if (!gone.isEmpty()) {
                update("DELETE FROM migrations WHERE expires_at <= ?", nowMillis);
                gone.forEach(m -> countMigrations(m.service(), -1));
            }
            return gone;
        });
    }

    @Override
    public synchronized void close() {
        try {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
            statements.clear();
            conn.close();
        } catch (SQLException e) {
            throw fail("close", e);
        }
    }

    // --- plumbing

    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = conn.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        try {
            PreparedStatement ps = prepared(sql);
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail(sql, e);
        }
    }

    private int update(String sql, Object... args) {
        try {
            PreparedStatement ps = prepared(sql);
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw fail(sql, e);
        }
    }

    private TopologyStoreException fail(String what, SQLException e) {
        return new TopologyStoreException("topology database " + file + ": " + what + ": " + e.getMessage(), e);
    }

    private static TreeNode toNode(ResultSet rs) throws SQLException {
        NodeInfo info = new NodeInfo(rs.getString(2), rs.getString(3), new GeoPoint(rs.getDouble(9), rs.getDouble(10)),
                PortsColumn.parse(rs.getString(4)), rs.getInt(5));
        return new TreeNode(rs.getString(1), info, rs.getString(6), rs.getInt(7) == 1, rs.getLong(8));
    }

    private static Migration toMigration(ResultSet rs) throws SQLException {
        return new Migration(rs.getString(1), Cidr.parse(rs.getString(2)), rs.getString(3), rs.getLong(4), rs.getLong(5));
    }
}
