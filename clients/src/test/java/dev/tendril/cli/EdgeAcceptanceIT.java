package dev.tendril.cli;

import dev.tendril.protocol.transport.StalledConnect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * Acceptance of the edge node with real processes: a root (bin/tendril-root), three edge
 * nodes (bin/tendril-edge) on 127.x.0.2-4 in Munich, New York and Mountain View with the
 * Docker runtime and the locally built demo image, driven by tendrilctl and checked with dig.
 * Checks: the tree forms with parents by proximity; dig with client subnets of three cities
 * answers the nearest instance and HTTP to the answered address and SRV port returns the
 * page; kill -9 of the node with a child: the child re-attaches within three heartbeat
 * intervals and DNS stops answering the dead node within two; the restarted node adopts its
 * container and rejoins as a leaf, answered again; remove: container gone, signed off, not
 * in DNS; bad specs rejected with messages and nothing deployed; a wrong key refused;
 * garbage to both sockets counted while the node keeps serving.
 */
class EdgeAcceptanceIT {
    static final String KEY = "acceptance-key-0123456789abcdef";
    static final Duration HB = Duration.ofSeconds(1);
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
    static Node newYork;
    static Node mountainView;
    static final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    static final Map<String, Process> edges = new LinkedHashMap<>();

    @BeforeAll
    static void startRootAndEdges() throws IOException {
        Testbed.requireDockerAndDemoImage();
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Random random = new Random();
        String run = Integer.toString(random.nextInt(36 * 36 * 36), 36);
        String net = "127." + (100 + random.nextInt(100)) + ".0.";
        munich = new Node("munich", "munich-" + run, net + "2", 48.1374, 11.5755, "10.1.0.0/16");
        newYork = new Node("newyork", "newyork-" + run, net + "3", 40.7128, -74.0060, "10.2.0.0/16");
        mountainView = new Node("mtview", "mtview-" + run, net + "4", 37.3861, -122.0839, "172.16.0.0/16");
        dnsPort = Testbed.freePort();
        controlPort = Testbed.freePort();
        httpPort = Testbed.freePort();
        bed = new Testbed(dir);
        bed.startRoot(dnsPort, controlPort);
        for (Node n : List.of(munich, newYork, mountainView)) {
            startEdge(n);
        }
    }

    static void startEdge(Node n) throws IOException {
        Path home = Files.createDirectories(dir.resolve(n.name()));
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                zone: %s
                root: {control: ["127.0.0.1:%d"]}
                policies: {preset: local, heartbeatInterval: %dms, missedHeartbeats: 1}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:0"}
                runtime: {kind: docker}
                """.formatted(n.id(), n.address(), n.lat(), n.lon(), ZONE, controlPort, HB.toMillis(), KEY, n.address(),
                n.address()));
        String log = n.name() + "-" + System.nanoTime();
        edges.put(n.name(), bed.start(log, home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml"));
        Matcher m = bed.awaitLog(log, Pattern.compile("edge node ready in \\d+ ms \\(tree [^,]+, admin [0-9.]+:(\\d+)"),
                Duration.ofSeconds(60));
        adminPorts.put(n.name(), Integer.parseInt(m.group(1)));
    }

    @AfterAll
    static void stopAll() {
        if (bed != null) {
            bed.close();
        }
        for (Node n : new Node[] {munich, newYork, mountainView}) {
            if (n != null) {
                Testbed.removeContainers("tendril-" + n.id() + "-web", "tendril-" + n.id() + "-gpuweb");
            }
        }
    }

    // ---- helpers ----

    static CtlRun ctl(Node n, String key, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = n.address() + ":" + adminPorts.get(n.name());
        all[args.length + 2] = "--key";
        all[args.length + 3] = key;
        return CtlRun.of(all);
    }

    static Path spec(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static String webSpec(boolean root) {
        return """
                service: web
                image: tendril/httpd-demo:latest
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: %d}]
                limits: {memory: 64Mi}
                """.formatted(httpPort) + (root ? "root: true\n" : "zone: " + ZONE + "\n");
    }

    static String dig(String type, String name, String subnet) {
        return Testbed.run(Duration.ofSeconds(10), "dig", "+short", "+tries=1", "+time=2", "@127.0.0.1", "-p",
                Integer.toString(dnsPort), name, type, "+subnet=" + subnet).strip();
    }

    static String answerFor(String subnet) {
        return dig("A", "web." + ZONE, subnet);
    }

    static Optional<String> httpGet(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                return c.getResponseCode() == 200 ? Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8)) : Optional.empty();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String parentInTree(String treeOutput, String nodeId) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(nodeId) + " .*?(?:parent (\\S+))?$", Pattern.MULTILINE).matcher(treeOutput);
        return m.find() ? (m.group(1) == null ? "" : m.group(1)) : null;
    }

    static boolean containerExists(String name) {
        return !Testbed.run(Duration.ofSeconds(20), "docker", "ps", "-a", "-q", "--filter", "name=^/" + name + "$").isBlank();
    }

    // ---- the scenario ----

    @Test
    void treeDnsHealingRejoinAndRemove() throws IOException {
        long t0 = System.nanoTime();
        CtlRun top = ctl(munich, KEY, "deploy", spec("web-root.yaml", webSpec(true)).toString());
        assertEquals(0, top.code(), top.err());
        assertTrue(top.out().contains("registered as the top node"), top.out());
        Testbed.until("munich answered in DNS", Duration.ofSeconds(10),
                () -> answerFor(munich.subnet()).equals(munich.address()) ? Optional.of(true) : Optional.empty());
        System.out.printf("deploy (in-process tendrilctl) -> instance answered in DNS: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        Path join = spec("web-join.yaml", webSpec(false));
        CtlRun ny = ctl(newYork, KEY, "deploy", join.toString());
        assertTrue(Testbed.registeredUnder(ny.out(), munich.id()), ny.out() + ny.err());
        CtlRun mv = ctl(mountainView, KEY, "deploy", join.toString());
        assertTrue(Testbed.registeredUnder(mv.out(), newYork.id()), "Mountain View is nearer New York than Munich: " + mv.out() + mv.err());

        String tree = ctl(munich, KEY, "tree", "web").out();
        assertEquals("", parentInTree(tree, munich.id()), tree);
        assertEquals(munich.id(), parentInTree(tree, newYork.id()), tree);
        assertEquals(newYork.id(), parentInTree(tree, mountainView.id()), tree);

        for (Node n : List.of(munich, newYork, mountainView)) {
            assertEquals(n.address(), answerFor(n.subnet()), "clients in " + n.name() + " get the instance there");
        }
        assertEquals(mountainView.address(), answerFor("10.3.0.0/16"), "Tokyo's nearest instance is Mountain View");
        String srv = dig("SRV", "_http._tcp.web." + ZONE, mountainView.subnet());
        assertTrue(srv.matches("\\d+ \\d+ " + httpPort + " \\S+"), srv);
        String page = Testbed.until("page of the answered instance", Duration.ofSeconds(10),
                () -> httpGet("http://" + answerFor(mountainView.subnet()) + ":" + srv.split(" ")[2] + "/"));
        assertEquals("tendril httpd-demo on node " + mountainView.id() + "\n", page);

        // kill -9 New York, which has Mountain View as its child
        long killed = System.nanoTime();
        System.out.println("kill -9 at " + java.time.LocalTime.now());
        edges.get("newyork").destroyForcibly();
        long dnsGone = Testbed.until("DNS stops answering New York", Duration.ofSeconds(20),
                () -> answerFor(newYork.subnet()).equals(newYork.address()) ? Optional.empty() : Optional.of(System.nanoTime()));
        long reattached = Testbed.until("Mountain View re-attached", Duration.ofSeconds(20), () -> {
            String t = ctl(munich, KEY, "tree", "web").out();
            return munich.id().equals(parentInTree(t, mountainView.id())) ? Optional.of(System.nanoTime()) : Optional.empty();
        });
        long dnsMs = (dnsGone - killed) / 1_000_000;
        long attachMs = (reattached - killed) / 1_000_000;
        System.out.printf("after kill -9 (heartbeat %d ms): DNS stopped answering after %d ms, child re-attached after %d ms%n",
                HB.toMillis(), dnsMs, attachMs);
        Files.readString(bed.log(edgeLogName(mountainView))).lines().filter(l -> l.contains("ServiceMembership"))
                .forEach(l -> System.out.println("  mtview: " + l));
        assertTrue(dnsMs <= 2 * HB.toMillis(), "DNS within two heartbeat intervals: " + dnsMs + " ms");
        assertTrue(attachMs <= 3 * HB.toMillis(), "re-attached within three heartbeat intervals: " + attachMs + " ms");
        assertEquals(mountainView.address(), answerFor(newYork.subnet()), "New York's clients now get Mountain View");

        // restart: adopts the still running container, rejoins as a leaf, answered again
        startEdge(newYork);
        Testbed.until("New York answered again", Duration.ofSeconds(20),
                () -> answerFor(newYork.subnet()).equals(newYork.address()) ? Optional.of(true) : Optional.empty());
        String stats = ctl(newYork, KEY, "stats").out();
        assertTrue(stats.contains("running (adopted)"), stats);
        assertTrue(stats.contains("children []"), "a leaf: " + stats);
        assertEquals(1, Testbed.run(Duration.ofSeconds(20), "docker", "ps", "-q", "--filter",
                "name=^/tendril-" + newYork.id() + "-web$").strip().lines().count(), "no duplicate container");

        // remove on Mountain View
        CtlRun removed = ctl(mountainView, KEY, "remove", "web");
        assertEquals(0, removed.code(), removed.err());
        assertTrue(!containerExists("tendril-" + mountainView.id() + "-web"), "container gone");
        assertTrue(!answerFor(mountainView.subnet()).equals(mountainView.address()), "not answered any more");
        assertEquals(null, parentInTree(ctl(munich, KEY, "tree", "web").out(), mountainView.id()), "signed off");
    }

    @Test
    void badSpecsWrongKeysAndGarbageChangeNothing() throws IOException {
        Node n = mountainView;
        Map<String, String> bad = Map.of(
                "unknown arch", "service: gpuweb\nimage: tendril/httpd-demo:latest\nrequirements: {arch: [vax]}\nroot: true\n",
                "bad port", "service: gpuweb\nimage: tendril/httpd-demo:latest\nports: [{name: http, containerPort: 0}]\nroot: true\n",
                "missing image", "service: gpuweb\nroot: true\n",
                "not a DNS label", "service: GPU_web\nimage: tendril/httpd-demo:latest\nroot: true\n");
        Map<String, String> expected = Map.of("unknown arch", "requirements.arch[0]: got 'vax'",
                "bad port", "ports[0].containerPort: got '0'", "missing image", "image: missing",
                "not a DNS label", "service: got 'GPU_web'");
        for (var e : bad.entrySet()) {
            CtlRun c = ctl(n, KEY, "deploy", spec("bad.yaml", e.getValue()).toString());
            assertEquals(TendrilCtl.BAD_INPUT, c.code(), e.getKey());
            assertTrue(c.err().contains(expected.get(e.getKey())), e.getKey() + ": " + c.err());
        }
        // valid YAML that this node cannot host: rejected by the node
        CtlRun tooBig = ctl(n, KEY, "deploy", spec("big.yaml",
                "service: gpuweb\nimage: tendril/httpd-demo:latest\nrequirements: {minGpus: 2}\nroot: true\n").toString());
        assertEquals(TendrilCtl.BAD_INPUT, tooBig.code());
        assertTrue(tooBig.err().contains("requirements.minGpus: got '2'; this platform has 0"), tooBig.err());
        assertTrue(!ctl(n, KEY, "stats").out().contains("gpuweb"), "nothing deployed");
        assertTrue(!containerExists("tendril-" + n.id() + "-gpuweb"));

        CtlRun wrongKey = ctl(n, "wrong-key-0123456789abcdef", "stats");
        assertEquals(TendrilCtl.REFUSED, wrongKey.code());
        assertTrue(wrongKey.err().contains("UNAUTHORIZED"), wrongKey.err());

        String treePort = Files.readString(bed.log(edgeLogName(n))).replaceAll("(?s).*\\(tree [0-9.]+:(\\d+),.*", "$1");
        try (ZContext ctx = new ZContext(1)) {
            Random random = new Random(3);
            for (String endpoint : List.of("tcp://" + n.address() + ":" + treePort.strip(),
                    "tcp://" + n.address() + ":" + adminPorts.get(n.name()))) {
                ZMQ.Socket s = StalledConnect.guard(ctx.createSocket(SocketType.DEALER), 500);
                s.setLinger(0);
                s.connect(endpoint);
                for (int i = 0; i < 20; i++) {
                    byte[] junk = new byte[1 + random.nextInt(200)];
                    random.nextBytes(junk);
                    if (i % 2 == 0 && junk.length > 2) {
                        junk[0] = 1; // right version, then garbage
                    }
                    s.send(junk);
                }
            }
            Testbed.until("garbage counted", Duration.ofSeconds(10), () -> {
                String st = ctl(n, KEY, "stats").out();
                return counter(st, "tree.dropped") >= 20 && counter(st, "admin.dropped") >= 20 ? Optional.of(true) : Optional.empty();
            });
        }
        assertEquals(0, ctl(n, KEY, "nodes").code(), "the node keeps serving");
    }

    static String edgeLogName(Node n) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(n.name() + "-") && f.endsWith(".log"))
                    .sorted().reduce((a, b) -> b).orElseThrow().replaceAll("\\.log$", "");
        }
    }

    static long counter(String stats, String name) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(name) + " = (\\d+)$", Pattern.MULTILINE).matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
