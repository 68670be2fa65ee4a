package dev.tendril.root.application;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.testing.ControlHarness;
import dev.tendril.root.testing.RecordingDirectory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class RecoverDirectoryTest {
    @Test
    void everyNodeWithItsStateAndEveryLiveRecordIsLoadedAndExpiredRecordsAreDropped() {
        ControlHarness stored = new ControlHarness(4);
        stored.createTree("web", "tokyo", TOKYO);
        stored.register("web", "berlin", BERLIN);
        stored.createTree("api", "paris", PARIS);
        stored.send(new dev.tendril.protocol.message.RootMessage.NodeState("web", "berlin", false));
        long now = stored.clock.millis();
        stored.repository.inTransaction(() -> {
            stored.repository.saveMigration(new Migration("web", Cidr.parse("198.51.100.0/24"), "tokyo", now - 10, now + 60_000));
            stored.repository.saveMigration(new Migration("web", Cidr.parse("203.0.113.0/24"), "tokyo", now - 10, now));
            return null;
        });

        RecordingDirectory fresh = new RecordingDirectory();
        RecoverDirectory.Recovered r = new RecoverDirectory(stored.repository, stored.clock).into(fresh);

        assertEquals(new RecoverDirectory.Recovered(2, 3, 1, 1), r);
        assertTrue(fresh.instance("web", "tokyo").live());
        assertFalse(fresh.instance("web", "berlin").live());
        assertTrue(fresh.instance("api", "paris").live());
        assertEquals("tokyo", fresh.migration("web", "198.51.100.0/24").target());
        assertNull(fresh.migration("web", "203.0.113.0/24"));
        assertEquals(List.of(Cidr.parse("198.51.100.0/24")),
                stored.repository.migrations("").stream().map(Migration::clients).toList(), "the expired record left the store");
    }
}
