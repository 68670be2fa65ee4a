package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.root.testing.ControlHarness;
import dev.tendril.root.testing.RecordingDirectory.Redirect;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class RecordClientMigrationTest {
    private final ControlHarness root = new ControlHarness(4);
    private long t0;

    @BeforeEach
    void tree() {
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        t0 = root.clock.millis();
    }

    @Test
    void aClusterIsRecordedPerSubnetWithItsLifetimeAndReachesDns() {
        assertEquals(new Ack(), root.send(new RecordMigration("web",
                List.of("198.51.100.0/24", "203.0.113.7", "2001:db8:1::/48"), "berlin", 30_000)));
        assertEquals(new Redirect("berlin", t0 + 30_000), root.directory.migration("web", "198.51.100.0/24"));
        assertEquals(new Redirect("berlin", t0 + 30_000), root.directory.migration("web", "203.0.113.7/32"));
        assertEquals(new Redirect("berlin", t0 + 30_000), root.directory.migration("web", "2001:db8:1::/48"));
        MigrationListing listing = (MigrationListing) root.send(new MigrationsQuery("web"));
        assertEquals(3, listing.migrations().size());
        assertTrue(listing.migrations().contains(new MigrationView("web", "203.0.113.7/32", "berlin", t0, t0 + 30_000)));
    }

    @Test
    void aNewerRecordForTheSameSubnetReplacesTheOlder() {
        root.send(new RecordMigration("web", List.of("198.51.100.0/24"), "berlin", 30_000));
        root.clock.advance(Duration.ofSeconds(10));
        root.send(new RecordMigration("web", List.of("198.51.100.0/24"), "tokyo", 30_000));
        assertEquals(List.of(new MigrationView("web", "198.51.100.0/24", "tokyo", t0 + 10_000, t0 + 40_000)),
                ((MigrationListing) root.send(new MigrationsQuery(""))).migrations());
        assertEquals("tokyo", root.directory.migration("web", "198.51.100.0/24").target());
    }

    @Test
    void aRetryKeepsOneRecordPerSubnet() {
        RecordMigration m = new RecordMigration("web", List.of("198.51.100.0/24"), "berlin", 30_000);
        root.send(m);
        root.send(m);
        assertEquals(1, root.repository.migrations("web").size());
        assertEquals(1, root.directory.migrationCount());
    }

    @Test
    void expiredRecordsLeaveTheListingAndArePurgedFromDns() {
        root.send(new RecordMigration("web", List.of("198.51.100.0/24"), "berlin", 30_000));
        root.send(new RecordMigration("web", List.of("203.0.113.0/24"), "berlin", 90_000));
        root.clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of("203.0.113.0/24"), ((MigrationListing) root.send(new MigrationsQuery("web"))).migrations()
                .stream().map(MigrationView::client).toList(), "a record is dead at its expiry instant");
        int purged = root.repository.inTransaction(() -> new PurgeExpiredMigrations(root.repository, root.directory, root.clock).execute());
        assertEquals(1, purged);
        assertNull(root.directory.migration("web", "198.51.100.0/24"));
        assertNotNull(root.directory.migration("web", "203.0.113.0/24"));
    }

    @Test
    void aBadSubnetRefusesTheWholeClusterAndWritesNothing() {
        ErrorReply e = (ErrorReply) root.send(new RecordMigration("web", List.of("198.51.100.0/24", "198.51.100.0/33"), "berlin", 1_000));
        assertEquals("INVALID", e.code());
        assertTrue(e.message().contains("198.51.100.0/33"), e.message());
        assertEquals(List.of(), root.repository.migrations(""));
        assertEquals(0, root.directory.migrationCount());
        assertEquals("INVALID", ((ErrorReply) root.send(new RecordMigration("web", List.of("example.com"), "berlin", 1_000))).code());
    }

    @Test
    void anUnknownTargetOrTreeIsNotFound() {
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new RecordMigration("web", List.of("10.0.0.0/16"), "paris", 1_000))).code());
        assertEquals("NOT_FOUND", ((ErrorReply) root.send(new RecordMigration("api", List.of("10.0.0.0/16"), "berlin", 1_000))).code());
    }

    @Test
    void aHugeLifetimeDoesNotOverflowWhereNoLimitIsSet() {
        ControlHarness unlimited = new ControlHarness(new dev.tendril.root.testing.InMemoryTopologyRepository(), 4,
                ControlLimits.unlimited());
        unlimited.createTree("web", "tokyo", TOKYO);
        unlimited.send(new RecordMigration("web", List.of("10.0.0.0/8"), "tokyo", Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, unlimited.directory.migration("web", "10.0.0.0/8").expiresAtMillis());
    }
}
