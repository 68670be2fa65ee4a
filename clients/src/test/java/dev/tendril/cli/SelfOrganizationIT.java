package dev.tendril.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Self-organization with real processes: a root and edge nodes in Munich, Garching and
 * Mountain View (127.x.0.2-4, tree sockets on port 7400, each other's infrastructure DB),
 * Docker and the demo image, hardware figures from spoofable load files. Checks, through
 * tendrilctl and dig only: spoofed high load on Munich -> a replica appears on the nearest
 * free platform (Garching) and DNS answers it; the events list the decision, the
 * registration and the timings; once load is normal and nobody uses the service for the
 * idle timeout, instances terminate down to the minimum (1).
 */
class SelfOrganizationIT {
    static final String KEY = "selforg-key-0123456789abcdef";
    static final String ZONE = "svc.example.edge";

    record Node(String name, String id, String address, double lat, double lon, String subnet) {
    }

    @TempDir
    static Path dir;
    static Testbed bed;
    static int dnsPort;
    static int controlPort;
    static int httpPort;
    static Node munich;
    static Node garching;
    static Node mountainView;
    static final Map<String, Integer> adminPorts = new LinkedHashMap<>();

    @BeforeAll
    static void startRootAndEdges() throws IOException {
        Testbed.requireDockerAndDemoImage();
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Random random = new Random();
        String run = Integer.toString(random.nextInt(36 * 36 * 36), 36);
        String net = "127." + (100 + random.nextInt(100)) + ".1.";
        munich = new Node("munich", "munich-" + run, net + "2", 48.1374, 11.5755, "10.1.0.0/16");
        garching = new Node("garching", "garching-" + run, net + "3", 48.2489, 11.6532, "10.1.0.0/16");
        mountainView = new Node("mtview", "mtview-" + run, net + "4", 37.3861, -122.0839, "172.16.0.0/16");
        dnsPort = Testbed.freePort();
        controlPort = Testbed.freePort();
        httpPort = Testbed.freePort();
        bed = new Testbed(dir);
        bed.startRoot(dnsPort, controlPort);
        for (Node n : List.of(munich, garching, mountainView)) {
            load(n, 0.10);
            startEdge(n);
        }
    }

    static void load(Node n, double cpu) throws IOException {
        Path home = Files.createDirectories(dir.resolve(n.name()));
        Path tmp = home.resolve("load.json.tmp");
        Files.writeString(tmp, "{\"cpuLoad\": " + cpu + ", \"memory\": {\"total\": \"4Gi\", \"used\": \"1Gi\"},"
                + " \"disk\": {\"total\": \"10Gi\", \"used\": \"2Gi\"}, \"gpus\": []}");
        Files.move(tmp, home.resolve("load.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static String platform(Node n) {
        return "{id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}"
                .formatted(n.id(), n.address(), n.lat(), n.lon());
    }

    static void startEdge(Node n) throws IOException {
        Path home = dir.resolve(n.name());
        Files.writeString(home.resolve("edge.yaml"), """
                platform: %s
                zone: %s
                root: {control: ["127.0.0.1:%d"]}
                infrastructure: {platforms: [%s, %s, %s]}
                policies: {preset: local, sampleInterval: 250ms, loadWindow: 2s, latencyWindow: 3s, heartbeatInterval: 500ms}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:7400"}
                runtime: {kind: docker}
                monitoring: {loadFile: load.json}
                """.formatted(platform(n), ZONE, controlPort, platform(munich), platform(garching), platform(mountainView),
                KEY, n.address(), n.address()));
        String log = n.name() + "-" + System.nanoTime();
        bed.start(log, home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        Matcher m = bed.awaitLog(log, Pattern.compile("edge node ready in \\d+ ms \\(tree [^,]+, admin [0-9.]+:(\\d+)"),
                Duration.ofSeconds(60));
        adminPorts.put(n.name(), Integer.parseInt(m.group(1)));
    }

    @AfterAll
    static void stopAll() {
        if (bed != null) {
            bed.close();
        }
        for (Node n : new Node[] {munich, garching, mountainView}) {
            if (n != null) {
                Testbed.removeContainers("tendril-" + n.id() + "-web");
            }
        }
    }

    record Ctl(int code, String out, String err) {
    }

    static Ctl ctl(Node n, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = n.address() + ":" + adminPorts.get(n.name());
        all[args.length + 2] = "--key";
        all[args.length + 3] = KEY;
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Ctl(code, out.toString(), err.toString());
    }

    static String answerFor(String subnet) {
        return Testbed.run(Duration.ofSeconds(10), "dig", "+short", "+tries=1", "+time=2", "@127.0.0.1", "-p",
                Integer.toString(dnsPort), "web." + ZONE, "A", "+subnet=" + subnet).strip();
    }

    static boolean inTree(Node asked, Node n) {
        Ctl t = ctl(asked, "tree", "web");
        return t.code() == 0 && Pattern.compile("^\\s+" + Pattern.quote(n.id()) + " ", Pattern.MULTILINE).matcher(t.out()).find();
    }

    /** Replication cycles to run: 3 in the suite; more for the timings in docs (-Dselforg.cycles=20). */
    static final int CYCLES = Integer.getInteger("selforg.cycles", 3);

    @Test
    void overloadReplicatesNearbyThenIdleInstancesTerminateToTheMinimum() throws IOException {
        int idleSeconds = 8 + 5 * CYCLES; // longer than the cycles, so nothing goes idle during them
        Duration idleWait = Duration.ofSeconds(idleSeconds * 2L + 10);
        Path spec = dir.resolve("web.yaml");
        Files.writeString(spec, """
                service: web
                image: tendril/httpd-demo:latest
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: %d}]
                limits: {memory: 64Mi}
                policies: {idleTimeout: %ds, minInstances: 1}
                root: true
                """.formatted(httpPort, idleSeconds));
        Ctl deployed = ctl(munich, "deploy", spec.toString());
        assertEquals(0, deployed.code(), deployed.out() + deployed.err());
        assertEquals(munich.address(), answerFor(munich.subnet()));

        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long t0 = System.nanoTime();
            load(munich, 0.95); // spoofed: above the 0.8 CPU threshold for the 2 s window
            Testbed.until("a replica on garching", Duration.ofSeconds(30),
                    () -> inTree(munich, garching) ? Optional.of(true) : Optional.empty());
            System.out.printf("cycle %d: spoofed overload -> replica listed in the tree: %d ms%n", cycle,
                    (System.nanoTime() - t0) / 1_000_000);
            assertTrue(!inTree(munich, mountainView), "the nearest free platform got the replica, not Mountain View");
            load(munich, 0.10);
            Testbed.until("DNS answers the replica", Duration.ofSeconds(10),
                    () -> answerFor("10.1.0.0/16").isEmpty() ? Optional.empty() : Optional.of(true));
            if (cycle < CYCLES) {
                // remove the replica: the platform is free again for the next overload
                Ctl removed = ctl(garching, "remove", "web");
                assertEquals(0, removed.code(), removed.out() + removed.err());
                Testbed.until("garching left the tree", Duration.ofSeconds(10),
                        () -> inTree(munich, garching) ? Optional.empty() : Optional.of(true));
                int normal = cycle;
                Testbed.until("munich saw normal load again", Duration.ofSeconds(10),
                        () -> ctl(munich, "events", "--kind", "LOAD_NORMAL").out().contains(normal + " event(s)")
                                ? Optional.of(true) : Optional.empty());
            }
        }

        Ctl events = ctl(munich, "events", "--service", "web");
        assertEquals(0, events.code(), events.err());
        assertTrue(events.out().contains("REPLICATION_DECIDED") && events.out().contains("shortage: cpu 0.95 > 0.80"), events.out());
        assertTrue(events.out().contains("REPLICA_REGISTERED"), events.out());
        assertTrue(events.out().contains("time-to-replicate.count = " + CYCLES), events.out());
        System.out.println(events.out());
        Ctl atReplica = ctl(garching, "events", "--kind", "REPLICA_STARTED");
        assertTrue(atReplica.out().contains("REPLICA_STARTED"), atReplica.out());

        // no user at all: after the idle timeout (+ jitter) one instance goes, one stays
        Testbed.until("down to one instance", idleWait,
                () -> inTree(munich, munich) != inTree(garching, garching) ? Optional.of(true) : Optional.empty());
        Node left = inTree(munich, munich) ? munich : garching;
        Node gone = left == munich ? garching : munich;
        Ctl ev = ctl(gone, "events", "--kind", "TERMINATED");
        assertTrue(ev.out().contains("TERMINATED"), ev.out());
        Testbed.until("DNS answers the remaining instance", Duration.ofSeconds(10),
                () -> answerFor(munich.subnet()).equals(left.address()) ? Optional.of(true) : Optional.empty());
        Testbed.until("the last instance stays at the minimum", idleWait,
                () -> ctl(left, "events", "--kind", "TERMINATION_SKIPPED").out().contains("min 1") ? Optional.of(true) : Optional.empty());
        assertTrue(inTree(left, left));
    }
}
