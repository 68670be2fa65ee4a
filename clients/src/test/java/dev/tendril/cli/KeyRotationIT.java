package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key rotation while the service runs (docs/security.md, "Rotating keys without downtime"):
 * a root ({@code bin/tendril-root}, lan preset, CURVE) and two edge nodes ({@code
 * bin/tendril-edge}, lan preset, process runtime) on loopback, free ports, with {@code web}
 * deployed on both. While a real {@code dig} asks for {@code web} in a bounded loop:
 * <ol>
 *   <li>edge b's platform key is rotated: the new key is enrolled, b restarts with it, the old
 *       key is revoked;</li>
 *   <li>the root's server key is rotated: the edges list the root's next key ahead
 *       ({@code security.nextRootKeys}); the new pair replaces the root's key file and {@code
 *       tendrilctl root reload} makes the running root serve with it.</li>
 * </ol>
 * Checks: not one dig query went unanswered; afterwards the tree at the root still holds a
 * and b, each edge talks to the rotated root (an operator enrolled after the rotation is
 * admitted at both edges' admin sockets, which they learn from the root), and the old keys
 * no longer work (the root's old public key gets no answer).
 */
class KeyRotationIT {
    static final String ADMIN_KEY = "rotation-admin-key-0123456789";
    static final String ZONE = "svc.example.edge";
    static final Duration HB = Duration.ofSeconds(1);

    record Node(String id, String address, double lat, double lon, String subnet, int treePort) {
    }

    @TempDir
    Path dir;
    Testbed bed;
    Path keys;
    int dnsPort;
    int controlPort;
    int httpPort;
    Node a;
    Node b;
    final List<Integer> adminPorts = new ArrayList<>(List.of(0, 0));
    String rootKey; // the .pub file tendrilctl pins
    final AtomicBoolean digging = new AtomicBoolean(true);

    @AfterEach
    void stop() {
        digging.set(false);
        if (bed != null) {
            bed.close();
        }
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                var rt = new dev.tendril.edge.adapter.out.process.ProcessContainerRuntime(dir.resolve(n.id()).resolve("state/processes"));
                rt.list().forEach(i -> rt.remove(i.id()));
            }
        }
    }

    CtlRun rootCtl(String... args) {
        return rootCtlAs(keys.resolve("alice.key"), args);
    }

    /** tendrilctl at the root with the CURVE key {@code curveKey} (an operator's, or a platform's for queries). */
    CtlRun rootCtlAs(Path curveKey, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", "127.0.0.1:" + controlPort, "--curve-key", curveKey.toString(),
                "--root-key", rootKey, "--timeout", "6s"));
        return CtlRun.of(all);
    }

    CtlRun nodeCtl(Node n, String operator, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--node", n.address() + ":" + adminPorts.get(n == a ? 0 : 1), "--key", ADMIN_KEY,
                "--curve-key", keys.resolve(operator + ".key").toString(), "--node-key", nodeKey(n), "--timeout", "5s"));
        return CtlRun.of(all);
    }

    /** The node's current public key file (b's changes with the rotation). */
    String nodeKey(Node n) {
        Path next = keys.resolve("next").resolve(n.id() + ".pub");
        return (Files.exists(next) && n == b ? next : keys.resolve(n.id() + ".pub")).toString();
    }

    /** The address DNS answers for {@code subnet}, or "" when none. */
    String dig(String subnet) {
        return answerOf(digFull(subnet));
    }

    /** dig's whole output (header flags, id, rcode, sections) for the query {@link #dig} asks. */
    String digFull(String subnet) {
        return Testbed.run(Duration.ofSeconds(10), "dig", "+tries=1", "+time=2", "+nocmd", "+nostats", "@127.0.0.1", "-p",
                Integer.toString(dnsPort), "web." + ZONE, "A", "+subnet=" + subnet).strip();
    }

    /** The address of the first A record of the answer section of dig's output, or "" when there is none. */
    static String answerOf(String digOutput) {
        boolean inAnswer = false;
        for (String line : digOutput.lines().toList()) {
            if (line.startsWith(";; ANSWER SECTION:")) {
                inAnswer = true;
            } else if (inAnswer && line.isBlank()) {
                break;
            } else if (inAnswer && !line.startsWith(";")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[3].equals("A")) {
                    return f[4];
                }
            }
        }
        return "";
    }

    Process startEdge(Node n, String keyFile, String log) throws IOException {
        Path home = Files.createDirectories(dir.resolve(n.id()));
        Files.writeString(home.resolve("load.json"), "{\"cpuLoad\": 0.1, \"memory\": {\"total\": \"2Gi\", \"used\": \"1Gi\"}}");
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 2Gi, disk: 10Gi}
                zone: %s
                root: {control: ["127.0.0.1:%d"]}
                infrastructure:
                  platforms:
                    - {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 2Gi}
                    - {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 2Gi}
                policies: {preset: lan, heartbeatInterval: %dms, missedHeartbeats: 3}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:%d"}
                runtime: {kind: process}
                monitoring: {loadFile: load.json}
                security:
                  key: %s
                  rootKeys: [%s]
                  nextRootKeys: [%s]
                  operatorKeys: {alice: %s}
                """.formatted(n.id(), n.address(), n.lat(), n.lon(), ZONE, controlPort,
                a.id(), a.address(), a.lat(), a.lon(), b.id(), b.address(), b.lat(), b.lon(),
                HB.toMillis(), ADMIN_KEY, n.address(), n.address(), n.treePort(), keyFile,
                keys.resolve("root-rot.pub"), keys.resolve("next/root-rot.pub"), keys.resolve("alice.pub")));
        Process p = bed.start(log, home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        var m = bed.awaitLog(log, Pattern.compile("edge node ready in \\d+ ms \\(tree [0-9.]+:(\\d+), admin [0-9.]+:(\\d+)"),
                Duration.ofSeconds(60));
        adminPorts.set(n == a ? 0 : 1, Integer.parseInt(m.group(2)));
        return p;
    }

    static String spec(boolean root, int port) {
        return """
                service: web
                image: local/busybox-httpd
                command: ["/bin/sh", "-c", "exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h /tmp"]
                ports: [{name: http, containerPort: %d, hostPort: %d}]
                """.formatted(port, port) + (root ? "root: true\n" : "zone: " + ZONE + "\n");
    }

    @Test
    void rotatingAnEdgesPlatformKeyAndTheRootsServerKeyLosesNoDnsAnswer() throws Exception {
        Testbed.requireTool("dig", "dnsutils");
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox is missing: apt-get install busybox-static");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        String net = "127." + (100 + new Random().nextInt(100)) + ".0.";
        a = new Node("rot-a", net + "2", 48.1374, 11.5755, "10.1.0.0/16", Testbed.freePort());
        b = new Node("rot-b", net + "3", 40.7128, -74.0060, "10.2.0.0/16", Testbed.freePort());
        dnsPort = Testbed.freePort();
        controlPort = Testbed.freePort();
        httpPort = Testbed.freePort();
        keys = dir.resolve("keys");
        CurveKeyFiles.generate(keys, "root-rot");
        CurveKeyFiles.generate(keys.resolve("next"), "root-rot"); // published to the edges ahead of the rotation
        for (String name : List.of("alice", "bob", a.id(), b.id())) {
            CurveKeyFiles.generate(keys, name);
        }
        rootKey = keys.resolve("root-rot.pub").toString();
        Path rootKeyFile = dir.resolve("root-rot.key"); // the file the root's config names
        Files.copy(keys.resolve("root-rot.key"), rootKeyFile, StandardCopyOption.COPY_ATTRIBUTES);
        bed = new Testbed(dir);
        Path rootYaml = dir.resolve("root.yaml");
        Files.writeString(rootYaml, """
                preset: lan
                id: root-rot
                dns:
                  zones: [%s.]
                  nameServers: [ns1.%s.]
                  recordsPerAnswer: 1
                  defaultPosition: {latitude: 50.1109, longitude: 8.6821}
                  whenNoneLive: SERVFAIL
                  bindAddress: 127.0.0.1
                  port: %d
                  ioThreads: 1
                control: {bindAddress: 127.0.0.1, port: %d}
                store: {path: %s}
                geoip: {databases: [builtin:demo]}
                security:
                  serverKey: %s
                  operatorKeys: {alice: %s}
                """.formatted(ZONE, ZONE, dnsPort, controlPort, dir.resolve("topology.db"), rootKeyFile, keys.resolve("alice.pub")));
        Path ready = dir.resolve("root.ready");
        bed.start("root", dir, Testbed.REPO.resolve("bin/tendril-root").toString(), "--config", rootYaml.toString(),
                "--ready-file", ready.toString());
        Testbed.until("root ready", Duration.ofSeconds(60), () -> Files.exists(ready) ? Optional.of(true) : Optional.empty());
        for (Node n : List.of(a, b)) {
            CtlRun c = rootCtl("keys", "enrol", "platform", n.id(), keys.resolve(n.id() + ".pub").toString());
            assertEquals(0, c.code(), c.err());
        }
        startEdge(a, keys.resolve(a.id() + ".key").toString(), "a");
        Process oldB = startEdge(b, keys.resolve(b.id() + ".key").toString(), "b");
        CtlRun top = nodeCtl(a, "alice", "deploy", Files.writeString(dir.resolve("top.yaml"), spec(true, httpPort)).toString());
        assertEquals(0, top.code(), top.out() + top.err());
        CtlRun join = nodeCtl(b, "alice", "deploy", Files.writeString(dir.resolve("join.yaml"), spec(false, httpPort)).toString());
        assertEquals(0, join.code(), join.out() + join.err());
        Testbed.until("both answered in DNS", Duration.ofSeconds(20), () ->
                dig(a.subnet()).equals(a.address()) && dig(b.subnet()).equals(b.address()) ? Optional.of(true) : Optional.empty());

        // dig keeps asking (bounded: at most 5,000 queries), from a's and b's regions in turn
        AtomicInteger asked = new AtomicInteger();
        List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread digger = new Thread(() -> {
            while (digging.get() && asked.get() < 5_000) {
                String subnet = asked.getAndIncrement() % 2 == 0 ? a.subnet() : b.subnet();
                String full = digFull(subnet);
                String answer = answerOf(full);
                if (!answer.equals(a.address()) && !answer.equals(b.address())) {
                    // the whole dig output: header flags, id, rcode. (Twice seen in CI: dig's own query
                    // read back, ";; Warning: query response not set", when its kernel-chosen source port
                    // was the DNS port; test servers now listen below the ephemeral range, see ListenPorts.)
                    failed.add(subnet + " -> '" + answer + "'\n" + full);
                }
            }
        }, "dig-loop");
        digger.start();

        // 1. edge b's platform key: enrol the new key, restart b with it, revoke the old one
        CurveKeyFiles.generate(keys.resolve("next"), b.id());
        CtlRun enrol = rootCtl("keys", "enrol", "platform", b.id(), keys.resolve("next/" + b.id() + ".pub").toString());
        assertEquals(0, enrol.code(), enrol.err());
        oldB.destroy();
        assertTrue(oldB.waitFor(30, TimeUnit.SECONDS), "edge b stops");
        startEdge(b, keys.resolve("next/" + b.id() + ".key").toString(), "b2");
        CtlRun revoke = rootCtl("keys", "revoke", "platform", b.id(), keys.resolve(b.id() + ".pub").toString());
        assertEquals(0, revoke.code(), revoke.err());
        Testbed.until("b answered in DNS again after its restart", Duration.ofSeconds(30), () ->
                dig(b.subnet()).equals(b.address()) ? Optional.of(true) : Optional.empty());
        assertEquals(TendrilCtl.OK, rootCtlAs(keys.resolve("next/" + b.id() + ".key"), "keys", "list").code(),
                "b's new key is admitted at the root");
        assertEquals(TendrilCtl.FAILED, rootCtlAs(keys.resolve(b.id() + ".key"), "keys", "list").code(),
                "b's old key is refused at the root (no answer)");

        // 2. the root's server key: the next pair replaces the key file, a reload takes it up
        Path staged = dir.resolve("root-rot.key.new");
        Files.copy(keys.resolve("next/root-rot.key"), staged, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(staged, rootKeyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CtlRun reload = rootCtl("root", "reload");
        assertEquals(0, reload.code(), reload.err());
        String oldRootKey = rootKey;
        rootKey = keys.resolve("next/root-rot.pub").toString();
        Testbed.until("the root answers with its new key", Duration.ofSeconds(20), () ->
                rootCtl("keys", "list").code() == 0 ? Optional.of(true) : Optional.empty());
        String rootKeyNow = rootKey;
        rootKey = oldRootKey;
        assertEquals(TendrilCtl.FAILED, rootCtl("keys", "list").code(), "the old root key gets no answer");
        rootKey = rootKeyNow;

        // the edges reach the rotated root: an operator enrolled now is admitted at both admin sockets
        CtlRun bob = rootCtl("keys", "enrol", "operator", "bob", keys.resolve("bob.pub").toString());
        assertEquals(0, bob.code(), bob.err());
        for (Node n : List.of(a, b)) {
            Testbed.until(n.id() + " admits bob (it fetched the keys from the rotated root)", Duration.ofSeconds(30), () ->
                    nodeCtl(n, "bob", "stats").code() == 0 ? Optional.of(true) : Optional.empty());
        }
        // a few more heartbeats under the rotated keys, then stop digging
        long until = System.nanoTime() + HB.multipliedBy(5).toNanos();
        Testbed.until("five more heartbeats", Duration.ofSeconds(30), () -> System.nanoTime() > until ? Optional.of(true) : Optional.empty());
        digging.set(false);
        digger.join(30_000);

        String tree = rootCtl("tree", "web").out();
        assertTrue(tree.contains(a.id()) && tree.contains(b.id()), tree);
        assertEquals(a.address(), dig(a.subnet()));
        assertEquals(b.address(), dig(b.subnet()));
        System.out.printf("key rotation: %d dig queries, %d unanswered%n", asked.get(), failed.size());
        assertTrue(asked.get() >= 20, "dig asked " + asked.get() + " times");
        assertEquals(List.of(), failed, "DNS answers lost during the rotations");
    }
}
