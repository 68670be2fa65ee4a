package dev.tendril.edge.bootstrap;

import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.Poll;
import dev.tendril.protocol.transport.RequestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real edge node process (EdgeNodeMain in its own JVM, process runtime, an in-test root):
 * SIGTERM stops it cleanly with exit status 0 (not 143), as systemd's {@code Restart=always}
 * and {@code docker stop} expect; SIGINT does the same. The operator HTTP port answers until then.
 */
class EdgeNodeSignalIT {
    @TempDir
    Path dir;
    final FakeRoot fakeRoot = new FakeRoot();
    final RequestServer root = fakeRoot.serve("tcp://127.0.0.1:0");
    Process node;

    @AfterEach
    void stop() {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
        }
        root.close();
    }

    private Process start(String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: 127.0.0.1, position: {lat: 48.137, lon: 11.575}, arch: amd64, cpus: 2, ram: 2Gi, disk: 10Gi}
                zone: svc.example.edge
                root: {control: ["%s"]}
                infrastructure:
                  platforms:
                    - {id: %s, address: 127.0.0.1, position: {lat: 48.137, lon: 11.575}, arch: amd64, cpus: 2, ram: 2Gi}
                policies: {preset: local, heartbeatInterval: 300ms, missedHeartbeats: 2}
                admin: {key: signal-it-key-0123456789, bind: "127.0.0.1:0"}
                tree: {bind: "127.0.0.1:0"}
                runtime: {kind: process}
                monitoring: {loadFile: load.json}
                http: {bind: "127.0.0.1:0"}
                """.formatted(name, root.endpoint(), name));
        Files.writeString(home.resolve("load.json"), "{\"cpuLoad\": 0.1, \"memory\": {\"total\": \"2Gi\", \"used\": \"1Gi\"}}");
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                EdgeNodeMain.class.getName(), "--config", "edge.yaml"))
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(home.resolve("node.log").toFile()).start();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name).resolve("node.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(String name) {
        Poll.untilTrue("edge node ready", Duration.ofSeconds(60), () -> {
            if (!node.isAlive()) {
                throw new AssertionError("the node exited with " + node.exitValue() + ":\n" + log(name));
            }
            return log(name).contains("edge node ready") && log(name).contains("metrics http://"); // logged right after
        });
    }

    @Test
    void sigtermStopsCleanlyWithExitZero() throws Exception {
        node = start("sigterm-1");
        awaitReady("sigterm-1");
        String metrics = log("sigterm-1").lines().filter(l -> l.contains("metrics http://")).findFirst().orElseThrow();
        String url = metrics.substring(metrics.indexOf("http://"), metrics.indexOf("/metrics"));
        assertEquals(Optional.of("ok\n"), Poll.httpGet(url + "/healthz"));
        node.destroy(); // SIGTERM
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
        assertEquals(0, node.exitValue(), "exit status after SIGTERM:\n" + log("sigterm-1"));
        assertTrue(log("sigterm-1").contains("sigterm-1: stopped"), log("sigterm-1"));
    }

    @Test
    void sigintStopsCleanlyWithExitZero() throws Exception {
        node = start("sigint-1");
        awaitReady("sigint-1");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(node.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
        assertEquals(0, node.exitValue(), "exit status after SIGINT:\n" + log("sigint-1"));
    }
}
