package dev.tendril.root.adapter.out.sqlite;

import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.testing.InMemoryTopologyRepository;

/** The repository contract over the test fake, so the use-case tests can trust it. */
class InMemoryTopologyRepositoryTest extends TopologyRepositoryContract {
    @Override
    protected TopologyRepository create() {
        return new InMemoryTopologyRepository();
    }
}
