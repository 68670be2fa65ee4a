package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
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
public final class SpatialiteTopologyRepository implements TopologyRepository {

    /** SQLite's synchronous setting for the WAL. */
    public enum Sync { FULL, NORMAL }

    private static final int SCHEMA_VERSION = 1;
    /** First search radius; doubled until the best candidate is inside it. */
    private static final double FIRST_RADIUS_KM = 50;

    private static final String NODE_COLUMNS =
            "n.service, n.node_id, n.address, n.ports, n.overlay_port, n.parent_id, n.live, n.registered_at, "
                    + "ST_Y(n.position), ST_X(n.position)";

    private final Path file;
    private final Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
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
            Connection conn = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            SpatialiteTopologyRepository repo = new SpatialiteTopologyRepository(file, conn);
            repo.initialize();
            return repo;
        } catch (SQLException | java.io.IOException e) {
            throw new TopologyStoreException("cannot open topology database " + file + ": " + e.getMessage()
                    + " (is Debian's libsqlite3-mod-spatialite installed?)", e);
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
                return;
            }
            if (version != 0) {
                throw new SQLException("schema version " + version + " is not " + SCHEMA_VERSION);
            }
            boolean hasMetadata;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'spatial_ref_sys'")) {
                hasMetadata = rs.next();
            }
            if (!hasMetadata) {
                s.execute("SELECT InitSpatialMetadata(1, 'WGS84')"); // its own transaction (the 1)
            }
            s.execute("BEGIN IMMEDIATE"); // the schema appears whole or not at all
            s.execute("CREATE TABLE trees(service TEXT PRIMARY KEY, created_at INTEGER NOT NULL)");
            s.execute("CREATE TABLE nodes(id INTEGER PRIMARY KEY, service TEXT NOT NULL, node_id TEXT NOT NULL, "
                    + "address TEXT NOT NULL, ports TEXT NOT NULL, overlay_port INTEGER NOT NULL, "
                    + "parent_id TEXT NOT NULL, live INTEGER NOT NULL, registered_at INTEGER NOT NULL, "
                    + "child_count INTEGER NOT NULL, UNIQUE(service, node_id))");
            s.execute("SELECT AddGeometryColumn('nodes', 'position', 4326, 'POINT', 'XY', 1)");
            s.execute("SELECT CreateSpatialIndex('nodes', 'position')");
            s.execute("CREATE INDEX nodes_by_parent ON nodes(service, parent_id)");
            s.execute("CREATE TABLE migrations(service TEXT NOT NULL, clients TEXT NOT NULL, target_id TEXT NOT NULL, "
                    + "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY(service, clients))");
            s.execute("CREATE INDEX migrations_by_expiry ON migrations(expires_at)");
            s.execute("CREATE INDEX migrations_by_target ON migrations(service, target_id)");
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            s.execute("COMMIT");
        }
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
            if (oldParent.isEmpty()) {
                int children = query("SELECT count(*) FROM nodes WHERE service = ? AND parent_id = ?",
                        rs -> rs.getInt(1), node.service(), node.nodeId()).get(0);
                update("INSERT INTO nodes(service, node_id, address, ports, overlay_port, parent_id, live, "
                                + "registered_at, child_count, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))",
                        node.service(), node.nodeId(), node.info().address(), PortsColumn.format(node.info().ports()),
                        node.info().overlayPort(), node.parentId(), node.live() ? 1 : 0, node.registeredAtMillis(),
                        children, p.longitude(), p.latitude());
            } else {
                update("UPDATE nodes SET address = ?, ports = ?, overlay_port = ?, parent_id = ?, live = ?, "
                                + "registered_at = ?, position = MakePoint(?, ?, 4326) WHERE service = ? AND node_id = ?",
                        node.info().address(), PortsColumn.format(node.info().ports()), node.info().overlayPort(),
                        node.parentId(), node.live() ? 1 : 0, node.registeredAtMillis(), p.longitude(), p.latitude(),
                        node.service(), node.nodeId());
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
            double radius = FIRST_RADIUS_KM;
            while (true) {
                TreeNode best = null;
                double bestKm = Double.MAX_VALUE;
                List<GeoBox> boxes = GeoBox.covering(near, radius);
                for (GeoBox box : boxes) {
                    // CROSS JOIN keeps the R*Tree as the outer loop (the planner would otherwise walk the service index).
                    for (TreeNode candidate : query("SELECT " + NODE_COLUMNS + " FROM idx_nodes_position r "
                                    + "CROSS JOIN nodes n ON n.id = r.pkid WHERE r.xmin <= ? AND r.xmax >= ? "
                                    + "AND r.ymin <= ? AND r.ymax >= ? AND n.service = ? AND n.live = 1 AND n.child_count < ?",
                            SpatialiteTopologyRepository::toNode,
                            box.maxLon(), box.minLon(), box.maxLat(), box.minLat(), service, fanOut)) {
                        if (excluded.contains(candidate.nodeId())) {
                            continue;
                        }
                        double km = near.distanceKm(candidate.info().position());
                        if (km < bestKm || (km == bestKm && candidate.nodeId().compareTo(best.nodeId()) < 0)) {
                            best = candidate;
                            bestKm = km;
                        }
                    }
                }
                if (best != null && bestKm <= radius) {
                    return Optional.of(best);
                }
                if (radius >= GeoBox.MAX_DISTANCE_KM) {
                    return Optional.ofNullable(best);
                }
                radius = Math.min(radius * 4, GeoBox.MAX_DISTANCE_KM);
            }
        });
    }

    // --- migrations

    @Override
    public synchronized void saveMigration(Migration m) {
        inTransaction(() -> update("INSERT OR REPLACE INTO migrations(service, clients, target_id, created_at, expires_at) "
                        + "VALUES (?, ?, ?, ?, ?)", m.service(), m.clients().toString(), m.targetNodeId(),
                m.createdAtMillis(), m.expiresAtMillis()));
    }

    @Override
    public synchronized boolean removeMigration(String service, Cidr clients) {
        return inTransaction(() -> update("DELETE FROM migrations WHERE service = ? AND clients = ?",
                service, clients.toString()) == 1);
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
