package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.root.application.port.out.KeyStore;
import dev.tendril.root.application.port.out.TopologyStoreException;
import org.sqlite.SQLiteConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The enrolled keys in the topology database file (table {@code enrolled_keys}), on a
 * connection of its own (enrolment is rare and never waits for the topology writer's batch).
 */
public final class SqliteKeyStore implements KeyStore {
    /** The table, in the topology's database file (the repository creates it too). */
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS enrolled_keys(role TEXT NOT NULL, name TEXT NOT NULL, "
            + "public_key TEXT PRIMARY KEY, enrolled_at INTEGER NOT NULL)";

    private final Connection conn;
    private final Path file;

    private SqliteKeyStore(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /** Opens the database file (the topology repository made it) and creates the table when absent. */
    public static SqliteKeyStore open(Path file, SpatialiteTopologyRepository.Sync sync) {
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(sync == SpatialiteTopologyRepository.Sync.FULL
                    ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(5000);
            Connection conn = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = conn.createStatement()) {
                s.execute(CREATE_TABLE);
            }
            return new SqliteKeyStore(file, conn);
        } catch (SQLException e) {
            throw new TopologyStoreException("cannot open the key table of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<EnrolledKey> all() {
        List<EnrolledKey> out = new ArrayList<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT role, name, public_key, enrolled_at FROM enrolled_keys ORDER BY role, name")) {
            while (rs.next()) {
                out.add(new EnrolledKey(KeyRole.fromLabel(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
            return out;
        } catch (SQLException | IllegalArgumentException e) {
            throw new TopologyStoreException("cannot read the enrolled keys of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void enrol(EnrolledKey key) {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT OR IGNORE INTO enrolled_keys(role, name, public_key, enrolled_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, key.role().label());
            ps.setString(2, key.name());
            ps.setString(3, key.publicKey());
            ps.setLong(4, key.enrolledAtMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new TopologyStoreException("cannot enrol the key of " + key.role().label() + " " + key.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized int revoke(KeyRole role, String name, String publicKey) {
        try (PreparedStatement ps = conn.prepareStatement(
                "DELETE FROM enrolled_keys WHERE role = ? AND name = ? AND (? = '' OR public_key = ?)")) {
            ps.setString(1, role.label());
            ps.setString(2, name);
            ps.setString(3, publicKey);
            ps.setString(4, publicKey);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new TopologyStoreException("cannot revoke the key of " + role.label() + " " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new TopologyStoreException("cannot close the key table of " + file + ": " + e.getMessage(), e);
        }
    }
}
