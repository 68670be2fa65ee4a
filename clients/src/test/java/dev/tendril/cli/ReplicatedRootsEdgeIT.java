package dev.tendril.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tendril.edge.testing.links.TestNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's acceptance "kill -9 of the leader: edge nodes write again without restart", with
 * real processes in link-harness namespaces: the three replicated roots of {@link ReplicatedRoots}
 * and two edge nodes (process runtime, busybox httpd) whose {@code root.control} lists all three
 * roots. A top instance on edge {@code a} (Tokyo) is answered by every root; the leader is
 * killed; the same service is then deployed on edge {@code b} (Frankfurt, next to the client's
 * default position): its registration reaches the new leader through {@code LeaderFollower},
 * both surviving roots answer {@code b}, and {@code a} stays live at the new leader through
 * heartbeats sent to it (no edge is restarted).
 */
class ReplicatedRootsEdgeIT {
    static final String KEY = "edge-follow-key-0123456789abcd";
    static final String ZONE = ReplicatedRoots.ZONE;
    static final String[] EDGES = {"a", "b"};
    static final double[][] POSITIONS = {{35.68, 139.69}, {50.11, 8.68}};
    /** Heartbeat interval 1 s, 3 missed mark a node down: 10 s after the kill span several such windows. */
    static final Duration HEARTBEATS = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void edgeNodesWriteToTheNewLeaderAfterKill9WithoutRestart() throws Exception {
        Testbed.requireTool("dig", "dnsutils");
        Testbed.requireTool("busybox", "busybox-static");
        Testbed.classpath("edge-node");
        try (ReplicatedRoots roots = ReplicatedRoots.start(dir, "", EDGES)) {
            TestNetwork net = roots.net();
            Process[] edges = new Process[EDGES.length];
            for (int k = 0; k < EDGES.length; k++) {
                edges[k] = startEdge(net, k);
            }
            for (int k = 0; k < EDGES.length; k++) {
                EmulatedHosts.awaitEdgeReady(dir.resolve(EDGES[k] + ".log"), EDGES[k], Duration.ofSeconds(60));
            }
            Files.writeString(dir.resolve("top.yaml"), LossyLinksIT.spec(true));
            Files.writeString(dir.resolve("join.yaml"), LossyLinksIT.spec(false));
            deploy(net, 0, "top.yaml");
            String a = ReplicatedRoots.hostAddress(0);
            String b = ReplicatedRoots.hostAddress(1);
            for (int i = 0; i < ReplicatedRoots.IDS.length; i++) {
                EmulatedHosts.awaitAnswer(net, ReplicatedRoots.CLIENT_HOST, ReplicatedRoots.CLIENT, ReplicatedRoots.address(i),
                        "web." + ZONE, a::equals, Duration.ofSeconds(20));
            }

            int leader = Testbed.until("a leader", Duration.ofSeconds(20), () -> RootPartitionIT.leaderIndex(net));
            List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
            survivors.remove(Integer.valueOf(leader));
            roots.kill9(leader);
            long killedAt = System.nanoTime();
            String joined = deploy(net, 1, "join.yaml");
            assertTrue(Testbed.registeredUnder(joined, "a"), "b's registration acknowledged by a root: " + joined);
            long deployedMs = (System.nanoTime() - killedAt) / 1_000_000;
            int newLeader = Testbed.until("a new leader", Duration.ofSeconds(20), () -> leaderAmong(net, survivors));
            Testbed.until("b registered at the new leader " + ReplicatedRoots.IDS[newLeader], Duration.ofSeconds(20),
                    () -> live(net, newLeader, "b") ? Optional.of(true) : Optional.empty());
            long registeredMs = (System.nanoTime() - killedAt) / 1_000_000;
            for (int i : survivors) {
                EmulatedHosts.awaitAnswer(net, ReplicatedRoots.CLIENT_HOST, ReplicatedRoots.CLIENT, ReplicatedRoots.address(i),
                        "web." + ZONE, b::equals, Duration.ofSeconds(20));
            }
            Testbed.until(HEARTBEATS.toSeconds() + " s of heartbeats after the kill", HEARTBEATS.plusSeconds(5),
                    () -> System.nanoTime() - killedAt >= HEARTBEATS.toNanos() ? Optional.of(true) : Optional.empty());
            for (int i : survivors) {
                JsonNode tree = tree(net, i);
                assertTrue(live(tree, "a"), ReplicatedRoots.IDS[i] + ": a still live after " + HEARTBEATS + ": " + tree);
                assertTrue(live(tree, "b"), ReplicatedRoots.IDS[i] + ": b live: " + tree);
            }
            for (int k = 0; k < EDGES.length; k++) {
                assertTrue(edges[k].isAlive(), EDGES[k] + " still runs (no restart)");
            }
            System.out.printf("edge follow: %s (leader) killed; b's registration acknowledged (deploy returned) after %d ms, b live at the new leader %s "
                            + "after %d ms; a live at %s after %d s%n", ReplicatedRoots.IDS[leader], deployedMs,
                    ReplicatedRoots.IDS[newLeader], registeredMs,
                    survivors.stream().map(i -> ReplicatedRoots.IDS[i]).toList(), HEARTBEATS.toSeconds());
        }
    }

    Process startEdge(TestNetwork net, int k) throws IOException {
        String name = EDGES[k];
        String address = ReplicatedRoots.hostAddress(k);
        Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("load.json"), "{\"cpuLoad\": 0.1, \"memory\": {\"total\": \"4Gi\", \"used\": \"1Gi\"}}");
        List<String> controls = new ArrayList<>();
        for (int i = 0; i < ReplicatedRoots.IDS.length; i++) {
            controls.add("\"" + ReplicatedRoots.control(i) + "\"");
        }
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                zone: %s
                root: {control: [%s]}
                policies: {preset: local, sampleInterval: 1s, loadWindow: 30s, latencyWindow: 30s, heartbeatInterval: 1s, missedHeartbeats: 3}
                security: {insecureClear: true}
                admin: {key: %s, bind: "%s:7401"}
                tree: {bind: "%s:7400"}
                runtime: {kind: process}
                monitoring: {loadFile: load.json}
                stateDir: %s
                """.formatted(name, address, POSITIONS[k][0], POSITIONS[k][1], ZONE, String.join(", ", controls), KEY, address,
                address, home.resolve("state")));
        return net.spawn(dir.resolve(name + ".log"), name, Testbed.REPO.resolve("bin/tendril-edge").toString(),
                "--config", home.resolve("edge.yaml").toString());
    }

    /** Deploys through edge {@code k}'s admin socket; returns tendrilctl's output (the reply names the registration). */
    String deploy(TestNetwork net, int k, String spec) {
        EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, EDGES[k], "deploy", dir.resolve(spec).toString(),
                "--node", ReplicatedRoots.hostAddress(k) + ":7401", "--key", KEY, "--timeout", "30s");
        assertEquals(0, c.code(), "deploy on " + EDGES[k] + ": " + c.out());
        return c.out();
    }

    /** Root {@code i}'s tree listing of {@code web}, asked from the client host; empty when it does not answer. */
    static JsonNode tree(TestNetwork net, int i) {
        EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, ReplicatedRoots.CLIENT_HOST, "tree", "web", "--root", ReplicatedRoots.control(i),
                "--json", "--timeout", "3s");
        try {
            return c.code() == 0 ? new ObjectMapper().readTree(c.out()) : new ObjectMapper().createArrayNode();
        } catch (IOException e) {
            return new ObjectMapper().createArrayNode();
        }
    }

    /** The leader a surviving root names, when it names one of {@code survivors}. */
    static Optional<Integer> leaderAmong(TestNetwork net, List<Integer> survivors) {
        for (int i : survivors) {
            EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, ReplicatedRoots.CLIENT_HOST, "roots", "--root", ReplicatedRoots.control(i),
                    "--json", "--timeout", "3s");
            java.util.regex.Matcher m = RootPartitionIT.LEADER.matcher(c.out());
            if (c.code() == 0 && m.find() && survivors.contains(Integer.parseInt(m.group(1)) - 1)) {
                return Optional.of(Integer.parseInt(m.group(1)) - 1);
            }
        }
        return Optional.empty();
    }

    static boolean live(TestNetwork net, int i, String node) {
        return live(tree(net, i), node);
    }

    static boolean live(JsonNode tree, String node) {
        for (JsonNode n : tree) {
            if (n.path("node").path("nodeId").asText().equals(node) && n.path("live").asBoolean()) {
                return true;
            }
        }
        return false;
    }
}
