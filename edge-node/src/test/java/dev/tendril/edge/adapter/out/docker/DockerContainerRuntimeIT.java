package dev.tendril.edge.adapter.out.docker;

import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.ContainerRuntimeContract;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.edge.testing.DemoImage;
import dev.tendril.edge.testing.Poll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime contract against the real Docker engine, with the locally built demo image. */
class DockerContainerRuntimeIT extends ContainerRuntimeContract {
    private static DockerContainerRuntime runtime;

    @BeforeAll
    static void needsDockerAndTheDemoImage() {
        DemoImage.ensure();
        runtime = DockerContainerRuntime.connect("unix:///var/run/docker.sock");
        assertTrue(runtime.reachable(), "no Docker engine on /var/run/docker.sock: run scripts/ensure-dockerd.sh (apt-get install docker.io)");
    }

    @Override
    protected ContainerRuntime runtime() {
        return runtime;
    }

    @Override
    protected InstanceRequest request(String nodeId, String service, String bind, int port) {
        return requestWith(nodeId, service, DemoImage.NAME, List.of(), bind, port);
    }

    @Override
    protected InstanceRequest unstartable(String nodeId, String service) {
        return requestWith(nodeId, service, "tendril/no-such-image:never", List.of(), "127.0.0.1", freePort());
    }

    @Test
    void servesThePageOnTheBindAddressAndStopsFast() {
        int port = freePort();
        Instance i = assertInstanceOf(RuntimeResult.Started.class,
                runtime.start(request(nodeA, "web", "127.0.0.1", port))).instance();
        String page = Poll.until("page on " + port, Duration.ofSeconds(15), () -> Poll.httpGet("http://127.0.0.1:" + port + "/"));
        assertEquals("tendril httpd-demo on node " + nodeA + "\n", page);
        assertInstanceOf(RuntimeResult.Stopped.class, runtime.remove(i.id()));
        assertTrue(Poll.httpGet("http://127.0.0.1:" + port + "/").isEmpty());
    }

    @Test
    void tellsTheNetworkNamespacesOfOneNodesRunningContainers() throws IOException {
        long own = ((Number) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino")).longValue();
        assertEquals(Optional.of(Set.of()), runtime.networkNamespaces(nodeA));
        Instance a = assertInstanceOf(RuntimeResult.Started.class,
                runtime.start(request(nodeA, "web", "127.0.0.1", freePort()))).instance();
        Instance b = assertInstanceOf(RuntimeResult.Started.class,
                runtime.start(request(nodeB, "web", "127.0.0.1", freePort()))).instance();
        try {
            Set<Long> mine = runtime.networkNamespaces(nodeA).orElseThrow();
            Set<Long> theirs = runtime.networkNamespaces(nodeB).orElseThrow();
            assertEquals(1, mine.size(), "one container, one namespace: " + mine);
            assertEquals(1, theirs.size(), theirs.toString());
            assertTrue(!mine.contains(own) && !mine.equals(theirs), "each container has its own: " + mine + " " + theirs + " own " + own);
        } finally {
            runtime.remove(a.id());
            runtime.remove(b.id());
        }
        assertEquals(Optional.of(Set.of()), runtime.networkNamespaces(nodeA), "a removed container serves nobody");
    }
}
