package dev.tendril.edge.deployment;

import java.util.List;
import java.util.Set;

/** The contract suite against the fake, so the fake behaves like the real runtimes. */
class InMemoryContainerRuntimeTest extends ContainerRuntimeContract {
    private final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1"));

    @Override
    protected ContainerRuntime runtime() {
        return runtime;
    }

    @Override
    protected InstanceRequest request(String nodeId, String service, String bind, int port) {
        return requestWith(nodeId, service, "demo:1", List.of(), bind, port);
    }

    @Override
    protected InstanceRequest exitsWithThree(String nodeId, String service) {
        return requestWith(nodeId, service, "exits:3", List.of(), "127.0.0.1", 1);
    }

    @Override
    protected InstanceRequest unstartable(String nodeId, String service) {
        return requestWith(nodeId, service, "missing:1", List.of(), "127.0.0.1", 1);
    }
}
