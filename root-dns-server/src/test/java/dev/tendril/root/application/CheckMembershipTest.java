package dev.tendril.root.application;

import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.testing.InMemoryTopologyRepository;

/** {@link CheckMembershipContract} over the in-memory repository. */
class CheckMembershipTest extends CheckMembershipContract {
    @Override
    protected TopologyRepository create() {
        return new InMemoryTopologyRepository();
    }
}
