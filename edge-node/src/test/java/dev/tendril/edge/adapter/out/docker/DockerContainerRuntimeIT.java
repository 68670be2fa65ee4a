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

    private static String docker(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
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
            long inspects = runtime.namespaceInspects();
            assertEquals(mine, runtime.networkNamespaces(nodeA).orElseThrow(), "asked again (each second in a node)");
            assertEquals(inspects, runtime.namespaceInspects(), "a known, still running container is not inspected again");

            // restarted behind the node's back: a new main process, so the namespace is looked up again
            docker("restart", "-t", "1", a.id());
            long pid = Long.parseLong(docker("inspect", "-f", "{{.State.Pid}}", a.id()));
            long now = ((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid), "ns", "net"), "unix:ino")).longValue();
            assertEquals(Set.of(now), runtime.networkNamespaces(nodeA).orElseThrow(), "the restarted container's namespace");
            // (the kernel may hand the new namespace the old one's inode number, so the set alone cannot tell)
            assertEquals(inspects + 1, runtime.namespaceInspects(), "the restarted container was inspected again");
        } finally {
            runtime.remove(a.id());
            runtime.remove(b.id());
        }
        assertEquals(Optional.of(Set.of()), runtime.networkNamespaces(nodeA), "a removed container serves nobody");
    }

    @Test
    void joinsANetworkModeInsteadOfPublishingPorts() throws IOException {
        // the node's own container when it runs in one: here a stand-in holding a network namespace
        String holder = "tendril-it-netholder-" + ProcessHandle.current().pid();
        String holderId = docker("run", "-d", "--rm", "--name", holder, "--entrypoint", "/bin/sleep", DemoImage.NAME, "120");
        DockerContainerRuntime shared = DockerContainerRuntime.connect("unix:///var/run/docker.sock",
                Optional.of("container:" + holder));
        try {
            int port = freePort();
            Instance i = assertInstanceOf(RuntimeResult.Started.class,
                    shared.start(request(nodeA, "web", "127.0.0.1", port))).instance();
            try {
                assertEquals("container:" + holderId, docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", i.id()),
                        "the engine names the holder by its id");
                assertEquals("", docker("inspect", "-f", "{{range $p, $b := .HostConfig.PortBindings}}{{$p}}{{end}}", i.id()),
                        "nothing published");
                // the service listens inside the holder's namespace, on its loopback too
                String page = Poll.until("page in the shared namespace", Duration.ofSeconds(15), () -> {
                    try {
                        return Optional.of(docker("exec", holder, "wget", "-qO-", "http://127.0.0.1:8080/"));
                    } catch (IOException | AssertionError e) {
                        return Optional.empty();
                    }
                });
                assertEquals("tendril httpd-demo on node " + nodeA, page);
                assertTrue(shared.sharesNodeNetwork() && !runtime.sharesNodeNetwork());
                shared.removeNodeInstances(nodeA); // what the node does at shutdown: they would lose their network
                assertTrue(shared.list().stream().noneMatch(x -> nodeA.equals(x.nodeId())), "removed with the node");
            } finally {
                shared.remove(i.id());
            }
        } finally {
            docker("rm", "-f", holder);
        }
    }
}
