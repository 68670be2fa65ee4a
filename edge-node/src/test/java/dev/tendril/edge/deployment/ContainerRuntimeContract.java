package dev.tendril.edge.deployment;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.PortSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ContainerRuntime} must do. Run against the in-memory fake
 * ({@code InMemoryContainerRuntimeTest}), local processes ({@code ProcessContainerRuntimeIT})
 * and Docker ({@code DockerContainerRuntimeIT}).
 */
public abstract class ContainerRuntimeContract {
    /** Node ids unique to this run, so parallel or leftover instances never collide. */
    protected final String run = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
    protected final String nodeA = "ct-" + run + "-a";
    protected final String nodeB = "ct-" + run + "-b";

    protected abstract ContainerRuntime runtime();

    /** A request that starts and serves on {@code bind}:{@code port}. */
    protected abstract InstanceRequest request(String nodeId, String service, String bind, int port);

    /** A request this runtime cannot start (missing image, missing command). */
    protected abstract InstanceRequest unstartable(String nodeId, String service);

    /** A request whose instance starts and then exits by itself with status 3. */
    protected abstract InstanceRequest exitsWithThree(String nodeId, String service);

    protected static InstanceRequest requestWith(String nodeId, String service, String image, List<String> command,
                                                 String bind, int port) {
        return new InstanceRequest(nodeId, service, image, command, List.of(new PortSpec("http", "tcp", 8080, port)),
                Map.of("GREETING", "hi"), DeploymentSpec.Limits.NONE, bind, "service: " + service + "\n# spec text\n");
    }

    protected List<Instance> mine() {
        return runtime().list().stream().filter(i -> i.nodeId().startsWith("ct-" + run)).toList();
    }

    @AfterEach
    void removeWhatTheTestStarted() {
        for (Instance i : mine()) {
            runtime().remove(i.id());
        }
    }

    @Test
    void startedInstanceIsListedWithItsLabelsAndSpec() {
        RuntimeResult r = runtime().start(request(nodeA, "web", "127.0.0.1", freePort()));
        Instance started = assertInstanceOf(RuntimeResult.Started.class, r).instance();
        List<Instance> listed = mine();
        assertEquals(1, listed.size());
        Instance i = listed.get(0);
        assertEquals(started.id(), i.id());
        assertEquals(nodeA, i.nodeId());
        assertEquals("web", i.service());
        assertTrue(i.running());
        assertEquals("service: web\n# spec text\n", i.specText());
    }

    @Test
    void anInstanceThatExitsByItselfIsListedStoppedWithItsExitStatus() {
        Instance i = assertInstanceOf(RuntimeResult.Started.class, runtime().start(exitsWithThree(nodeA, "web"))).instance();
        dev.tendril.edge.testing.Poll.untilTrue("the instance exited", java.time.Duration.ofSeconds(20),
                () -> mine().stream().noneMatch(Instance::running));
        assertEquals(java.util.OptionalInt.of(3), runtime().exitCode(i.id()));
        Instance running = ((RuntimeResult.Started) runtime().start(request(nodeA, "other", "127.0.0.1", freePort()))).instance();
        assertEquals(java.util.OptionalInt.empty(), runtime().exitCode(running.id()), "no status while it runs");
    }

    @Test
    void removeStopsAndForgetsAndASecondRemoveIsNotFound() {
        Instance i = ((RuntimeResult.Started) runtime().start(request(nodeA, "web", "127.0.0.1", freePort()))).instance();
        assertInstanceOf(RuntimeResult.Stopped.class, runtime().remove(i.id()));
        assertTrue(mine().isEmpty());
        assertInstanceOf(RuntimeResult.NotFound.class, runtime().remove(i.id()));
    }

    @Test
    void startingTheSameNodeAndServiceAgainReplacesTheLeftover() {
        runtime().start(request(nodeA, "web", "127.0.0.1", freePort()));
        Instance second = ((RuntimeResult.Started) runtime().start(request(nodeA, "web", "127.0.0.1", freePort()))).instance();
        List<Instance> listed = mine();
        assertEquals(List.of(second.id()), listed.stream().map(Instance::id).toList());
    }

    @Test
    void instancesOfDifferentNodesAreKeptApart() {
        runtime().start(request(nodeA, "web", "127.0.0.1", freePort()));
        runtime().start(request(nodeB, "web", "127.0.0.1", freePort()));
        assertEquals(2, mine().size());
        assertEquals(1, mine().stream().filter(i -> i.nodeId().equals(nodeB)).count());
    }

    @Test
    void aRequestThatCannotStartFailsAndLeavesNothing() {
        RuntimeResult r = runtime().start(unstartable(nodeA, "web"));
        assertTrue(!assertInstanceOf(RuntimeResult.Failed.class, r).reason().isBlank());
        assertTrue(mine().isEmpty());
    }

    protected static int freePort() {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
