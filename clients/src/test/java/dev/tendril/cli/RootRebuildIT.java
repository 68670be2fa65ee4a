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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anti-entropy with real processes: one root and three edge nodes (process runtime, busybox
 * httpd) in Munich, New York and Mountain View. The root is killed, its database deleted,
 * and it is started again on the same ports with nothing: the edges re-assert their trees
 * and instances, so dig answers each city's instance again and the root's tree lists all
 * three live, within five heartbeat intervals of the root being ready. Then the root is
 * stopped, its database damaged, and it refuses to start (exit 2, a message naming the
 * file). Prints the measured times.
 */
class RootRebuildIT {
    static final String KEY = "rebuild-key-0123456789abcdef";
    static final String ZONE = "svc.example.edge";
    static final Duration HB = Duration.ofSeconds(1);

    record Node(String name, String id, String address, double lat, double lon, String subnet) {
    }

    @TempDir
    static Path dir;
    static Testbed bed;
    static int dnsPort;
    static int controlPort;
    static int httpPort;
    static Process root;
    static List<Node> nodes;
    static final Map<String, Integer> adminPorts = new LinkedHashMap<>();

    @BeforeAll
    static void startRootAndEdges() throws IOException {
        Testbed.requireTool("dig", "dnsutils");
        Testbed.requireTool("busybox", "busybox-static");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Random random = new Random();
        String run = Integer.toString(random.nextInt(36 * 36 * 36), 36);
        String net = "127." + (100 + random.nextInt(100)) + ".2.";
        nodes = List.of(new Node("munich", "munich-" + run, net + "2", 48.1374, 11.5755, "10.1.0.0/16"),
                new Node("newyork", "newyork-" + run, net + "3", 40.7128, -74.0060, "10.2.0.0/16"),
                new Node("mtview", "mtview-" + run, net + "4", 37.3861, -122.0839, "172.16.0.0/16"));
        dnsPort = Testbed.freePort();
        controlPort = Testbed.freePort();
        httpPort = Testbed.freePort();
        bed = new Testbed(dir);
        root = bed.startRoot(dnsPort, controlPort);
        for (Node n : nodes) {
            Path home = Files.createDirectories(dir.resolve(n.name()));
            Files.writeString(home.resolve("edge.yaml"), """
                    platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                    zone: %s
                    root: {control: ["127.0.0.1:%d"]}
                    policies: {preset: local, heartbeatInterval: %dms}
                    admin: {key: %s, bind: "%s:0"}
                    tree: {bind: "%s:0"}
                    runtime: {kind: process}
                    """.formatted(n.id(), n.address(), n.lat(), n.lon(), ZONE, controlPort, HB.toMillis(), KEY,
                    n.address(), n.address()));
            bed.start(n.name(), home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        }
        for (Node n : nodes) {
            Matcher m = bed.awaitLog(n.name(), Pattern.compile("edge node ready in \\d+ ms \\(tree [^,]+, admin [0-9.]+:(\\d+)"),
                    Duration.ofSeconds(90));
            adminPorts.put(n.name(), Integer.parseInt(m.group(1)));
        }
    }

    @AfterAll
    static void stopAll() {
        if (bed != null) {
            bed.close(); // the edge nodes stop; their busybox processes are stopped below
        }
        if (nodes != null) {
            for (Node n : nodes) {
                ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(n.address() + ":" + httpPort))
                        .forEach(ProcessHandle::destroy);
            }
        }
    }

    static String ctl(Node n, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = n.address() + ":" + adminPorts.get(n.name());
        all[args.length + 2] = "--key";
        all[args.length + 3] = KEY;
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    static String rootTree() {
        StringWriter out = new StringWriter();
        int code = TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "tree", "web", "--root", "127.0.0.1:" + controlPort, "--timeout", "2s");
        return code == 0 ? out.toString() : "";
    }

    static String answerFor(Node n) {
        return Testbed.run(Duration.ofSeconds(10), "dig", "+short", "+tries=1", "+time=2", "@127.0.0.1", "-p",
                Integer.toString(dnsPort), "web." + ZONE, "A", "+subnet=" + n.subnet()).strip();
    }

    static boolean allAnswered() {
        return nodes.stream().allMatch(n -> answerFor(n).equals(n.address()));
    }

    static boolean treeComplete() {
        String tree = rootTree();
        return nodes.stream().allMatch(n -> Pattern.compile("^\\s+" + Pattern.quote(n.id()) + " (?!.* DOWN).*$", Pattern.MULTILINE)
                .matcher(tree).find());
    }

    static String spec(boolean top) {
        return """
                service: web
                image: busybox:host
                command: ["/bin/sh", "-c", "mkdir -p www && echo \\"web on $TENDRIL_NODE_ID\\" > www/index.html && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www"]
                ports: [{name: http, protocol: tcp, containerPort: %d, hostPort: %d}]
                """.formatted(httpPort, httpPort) + (top ? "root: true\n" : "zone: " + ZONE + "\n");
    }

    @Test
    void aRootRestartedOnAnEmptyDatabaseLearnsEveryInstanceAgain() throws Exception {
        Path top = dir.resolve("top.yaml");
        Path join = dir.resolve("join.yaml");
        Files.writeString(top, spec(true));
        Files.writeString(join, spec(false));
        assertTrue(ctl(nodes.get(0), "deploy", top.toString()).contains("registered as the top node"));
        ctl(nodes.get(1), "deploy", join.toString());
        ctl(nodes.get(2), "deploy", join.toString());
        Testbed.until("all answered", Duration.ofSeconds(20), () -> allAnswered() ? Optional.of(true) : Optional.empty());
        assertTrue(treeComplete(), rootTree());

        // kill -9 the root, delete its database, start it again on the same ports
        root.destroyForcibly();
        assertTrue(root.waitFor(20, TimeUnit.SECONDS));
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(dir.resolve("topology.db" + suffix));
        }
        long restart = System.nanoTime();
        root = bed.startRoot(dnsPort, controlPort);
        long ready = System.nanoTime();
        long answered = Testbed.until("every instance answered by the rebuilt root", Duration.ofSeconds(30),
                () -> allAnswered() ? Optional.of(System.nanoTime()) : Optional.empty());
        long listed = Testbed.until("the rebuilt root's tree lists all three live", Duration.ofSeconds(30),
                () -> treeComplete() ? Optional.of(System.nanoTime()) : Optional.empty());
        long answeredMs = (answered - ready) / 1_000_000;
        long listedMs = (listed - ready) / 1_000_000;
        System.out.printf("root restarted on an empty database: ready after %d ms; all 3 answered by dig %d ms after ready,"
                        + " tree complete %d ms after ready (heartbeat %d ms)%n", (ready - restart) / 1_000_000, answeredMs,
                listedMs, HB.toMillis());
        System.out.println(rootTree());
        assertTrue(Math.max(answeredMs, listedMs) <= 5 * HB.toMillis(), "within five heartbeats: " + answeredMs + " / " + listedMs);
        for (Node n : nodes) {
            String stats = ctl(n, "stats");
            assertTrue(stats.contains("health serving"), stats);
        }

        // a damaged database: refused at start, exit 2, nothing written
        root.destroy();
        assertTrue(root.waitFor(20, TimeUnit.SECONDS));
        Path db = dir.resolve("topology.db");
        byte[] bytes = Files.readAllBytes(db);
        for (int i = 4096 + 16; i < Math.min(bytes.length, 6 * 4096); i++) {
            bytes[i] = (byte) (i * 31);
        }
        Files.write(db, bytes);
        Process broken = bed.start("root-damaged", dir, Testbed.REPO.resolve("bin/tendril-root").toString(), "--config",
                "builtin:demo", "--set", "dns.port=" + dnsPort, "--set", "control.port=" + controlPort,
                "--set", "store.path=" + db);
        assertTrue(broken.waitFor(60, TimeUnit.SECONDS), "a root on a damaged database stops by itself");
        String log = Files.readString(bed.log("root-damaged"));
        System.out.println("damaged database: exit " + broken.exitValue() + ": "
                + log.lines().filter(l -> l.contains("damaged")).findFirst().orElse(log));
        assertEquals(2, broken.exitValue(), log);
        assertTrue(log.contains("topology database " + db + " is damaged (PRAGMA quick_check"), log);
    }
}
