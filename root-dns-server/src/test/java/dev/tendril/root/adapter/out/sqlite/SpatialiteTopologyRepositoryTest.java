package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

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
        assertEquals("b", nearest("web", SYDNEY, 4, java.util.Set.of()));
    }
}
