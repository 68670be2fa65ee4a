package dev.tendril.root.application;

import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.root.application.port.out.TopologyRepository;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link CheckMembershipContract} over SpatiaLite: the R*Tree search the real root runs. */
class SpatialiteCheckMembershipTest extends CheckMembershipContract {
    @TempDir
    Path dir;

    @Override
    protected TopologyRepository create() {
        return SpatialiteTopologyRepository.open(dir.resolve("topology.db"), SpatialiteTopologyRepository.Sync.FULL);
    }
}
