package dev.tendril.edge.adapter.out.process;

import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.ContainerRuntimeContract;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.edge.testing.Poll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime contract against real local processes (busybox httpd). */
class ProcessContainerRuntimeIT extends ContainerRuntimeContract {
    @TempDir
    static Path state;
    private ProcessContainerRuntime runtime;

    @BeforeAll
    static void needsBusybox() {
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox is missing: apt-get install busybox-static");
    }

    @Override
    protected ContainerRuntime runtime() {
        if (runtime == null) {
            runtime = new ProcessContainerRuntime(state);
        }
        return runtime;
    }

    static List<String> httpdCommand() {
        return List.of("/bin/sh", "-c", "mkdir -p www && echo \"tendril httpd-demo on node $TENDRIL_NODE_ID\" > www/index.html"
                + " && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www");
    }

    @Override
    protected InstanceRequest request(String nodeId, String service, String bind, int port) {
        return requestWith(nodeId, service, "local/process", httpdCommand(), bind, port);
    }

    @Override
    protected InstanceRequest exitsWithThree(String nodeId, String service) {
        return requestWith(nodeId, service, "local/process", List.of("/bin/sh", "-c", "exit 3"), "127.0.0.1", 1);
    }

    @Override
    protected InstanceRequest unstartable(String nodeId, String service) {
        return requestWith(nodeId, service, "local/process", List.of(), "127.0.0.1", 1);
    }

    @Test
    void servesOnTheHostPortAndARestartedRuntimeFindsIt() {
        int port = freePort();
        Instance i = ((RuntimeResult.Started) runtime().start(request(nodeA, "web", "127.0.0.1", port))).instance();
        String page = Poll.until("page on " + port, Duration.ofSeconds(10), () -> Poll.httpGet("http://127.0.0.1:" + port + "/"));
        assertEquals("tendril httpd-demo on node " + nodeA + "\n", page);
        // a new runtime over the same state dir (a restarted node) sees the same running process
        List<Instance> seen = new ProcessContainerRuntime(state).list().stream().filter(x -> x.nodeId().equals(nodeA)).toList();
        assertEquals(List.of(i.id()), seen.stream().map(Instance::id).toList());
        assertTrue(seen.get(0).running());
        runtime().remove(i.id());
        Poll.untilTrue("port " + port + " closed", Duration.ofSeconds(5), () -> Poll.httpGet("http://127.0.0.1:" + port + "/").isEmpty());
    }

    @Test
    void aProcessKilledAfterItWasListedRunningIsListedStopped() {
        // the first list matches the process to its record and keeps its handle; later lists ask that handle
        Instance i = ((RuntimeResult.Started) runtime().start(requestWith(nodeA, "sleeper", "local/process",
                List.of("/bin/sleep", "60"), "127.0.0.1", 1))).instance();
        assertTrue(mine().stream().filter(x -> x.id().equals(i.id())).allMatch(Instance::running));
        assertTrue(mine().stream().anyMatch(x -> x.id().equals(i.id()) && x.running()), "still running at the second look");
        ProcessHandle.of(Long.parseLong(i.id().substring("pid-".length()))).orElseThrow().destroyForcibly();
        Poll.untilTrue("listed stopped", Duration.ofSeconds(10),
                () -> mine().stream().anyMatch(x -> x.id().equals(i.id()) && !x.running()));
    }

    @Test
    void aRecordRewrittenOnDiskIsReadAgain() throws java.io.IOException {
        Instance i = ((RuntimeResult.Started) runtime().start(requestWith(nodeA, "rewritten", "local/process",
                List.of("/bin/sleep", "60"), "127.0.0.1", 1))).instance();
        assertEquals(List.of("local/process"), mine().stream().filter(x -> x.id().equals(i.id())).map(Instance::image).toList());
        Path record = state.resolve(nodeA + "-rewritten.properties");
        Files.writeString(record, Files.readString(record).replace("image=local/process", "image=local/other"));
        assertEquals(List.of("local/other"), mine().stream().filter(x -> x.id().equals(i.id())).map(Instance::image).toList());
        Files.writeString(record, "not a record\n");
        assertEquals(List.of(), mine().stream().filter(x -> x.id().equals(i.id())).toList(), "an unreadable record is not listed");
        ProcessHandle.of(Long.parseLong(i.id().substring("pid-".length()))).ifPresent(ProcessHandle::destroyForcibly);
    }
}
