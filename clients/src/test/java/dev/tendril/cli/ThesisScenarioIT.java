package dev.tendril.cli;

import dev.tendril.cli.EmulatedHosts.Ctl;
import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.edge.testing.links.Topology;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thesis' integration scenario, whole, with real processes: the link harness (network
 * namespaces on one Ethernet segment) holds a root, edge nodes in Munich, Garching and
 * Mountain View, and one user near each, whose addresses the demo GeoIP database places in
 * those cities. Every platform host runs its own Docker engine ({@link HostDockerEngine}), so
 * the instances' published ports bind inside that host, as on a real machine; the nodes
 * use the Docker runtime, the eBPF probe (which must not be degraded) and spoofable load
 * files. Users behave like real ones: they resolve with {@code dig} from their own address
 * and fetch from the answer with {@code curl} (a fresh connection each time). Checked through
 * {@code dig} and {@code tendrilctl} only:
 * <ol>
 * <li>every user is answered with the instance near it and is served by it;</li>
 * <li>one-way delay on the Munich user's link: its median RTT exceeds the spec's max
 *     latency, Munich clusters it, the migration search finds Garching, the root records the
 *     redirect ({@code tendrilctl migrations}), {@code dig} answers that user with Garching;
 *     Garching then sees the moved user slow too and holds it ({@code MIGRATION_HELD}) instead
 *     of sending it back;</li>
 * <li>Garching's instance is removed ({@code tendrilctl remove}) and Munich's load is spoofed
 *     high: a replica appears on the free platform (Garching, the nearest; Mountain View
 *     hosts already), DNS answers it and the users fetch from it;</li>
 * <li>the users stop (Garching's last): after the idle timeout instances terminate down to
 *     the spec's minimum (1): Munich and Mountain View sign off ({@code TERMINATED}), Garching
 *     is the one live instance in the tree and stays ({@code TERMINATION_SKIPPED ... min 1}),
 *     and {@code dig} answers every user with it.</li>
 * </ol>
 *
 * <p>{@code -Dthesis.runs=N} repeats steps 2 (a fresh Munich user address per run) and 3 N
 * times and prints time-to-migrate, time-to-replicate and container-start percentiles from
 * {@code tendrilctl events} (docs/self-organization.md); default 1.
 */
class ThesisScenarioIT {
    static final String KEY = "thesis-key-0123456789abcdef01";
    static final String ZONE = "svc.example.edge";
    static final String ROOT = "10.9.0.1";
    static final int RUNS = Integer.getInteger("thesis.runs", 1);
    /** Longer than any stretch in steps 1-3 in which an instance has no user. */
    static final int IDLE_SECONDS = Integer.getInteger("thesis.idleSeconds", 12);
    static final Duration FAST = Duration.ofNanos(100_000); // a relay link that can change later
    static final Duration SLOW = Duration.ofMillis(30);      // one way: RTT 60 ms > maxLatencyMs 20
    static final int HOST_PORT = 8080;
    static final int CONTAINER_PORT = 8000; // differs from the host port: users are counted on DNAT's container side

    record Node(String name, String address, double lat, double lon) {
    }

    static final Node MUNICH = new Node("munich", "10.9.0.2", 48.1374, 11.5755);
    static final Node GARCHING = new Node("garching", "10.9.0.3", 48.2489, 11.6532);
    static final Node MTVIEW = new Node("mtview", "10.9.0.4", 37.3861, -122.0839);
    static final List<Node> NODES = List.of(MUNICH, GARCHING, MTVIEW);
    static final String GARCHING_USER = "192.168.1.10";
    static final String MTVIEW_USER = "172.16.0.10";

    @TempDir
    Path dir;
    TestNetwork net;
    final List<HostDockerEngine> engines = new ArrayList<>();
    final Map<String, Integer> admin = new ConcurrentHashMap<>();
    final List<User> users = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (User u : users) {
            u.stop();
        }
        // the engines first: the harness' teardown kills whatever runs in its namespaces
        for (HostDockerEngine e : engines) {
            e.close();
        }
        if (net != null) {
            net.close(); // stops the nodes and the root, deletes the namespaces
        }
    }

    static Topology topology() {
        String[] munichUsers = new String[RUNS];
        for (int run = 1; run <= RUNS; run++) {
            munichUsers[run - 1] = munichUser(run) + "/16";
        }
        return Topology.builder()
                .switchNode("core")
                .host("root", ROOT + "/24")
                .host(MUNICH.name(), MUNICH.address() + "/24")
                .host(GARCHING.name(), GARCHING.address() + "/24")
                .host(MTVIEW.name(), MTVIEW.address() + "/24")
                .host("umunich", munichUsers)
                .host("ugarching", GARCHING_USER + "/24")
                .host("umtview", MTVIEW_USER + "/16")
                .link("root", "core", Topology.Link.perfect())
                .link(MUNICH.name(), "core", Topology.Link.perfect())
                .link(GARCHING.name(), "core", Topology.Link.perfect())
                .link(MTVIEW.name(), "core", Topology.Link.perfect())
                .link("umunich", "core", Topology.Link.delay(FAST))
                .link("ugarching", "core", Topology.Link.perfect())
                .link("umtview", "core", Topology.Link.perfect())
                .build();
    }

    /** A fresh Munich address per run (10.1.0.0/16 is Munich in the demo GeoIP database). */
    static String munichUser(int run) {
        return "10.1." + run + ".10";
    }

    @Test
    void delayMigratesOverloadReplicatesIdleTerminatesAsDnsFollows() throws Exception {
        Testbed.requireTool("dig", "dnsutils");
        Testbed.requireTool("curl", "curl");
        Testbed.requireTool("ip", "iproute2");
        Testbed.requireTool("docker", "docker.io");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Testbed.classpath("clients");
        net = TestNetwork.start(topology());
        for (String host : List.of("root", "munich", "garching", "mtview", "umunich", "ugarching", "umtview")) {
            // one segment, several subnets: everything is on-link
            assertEquals(0, net.run(Duration.ofSeconds(5), host, "ip", "route", "add", "default", "dev", "br0"));
        }
        for (Node n : NODES) {
            engines.add(HostDockerEngine.start(net, n.name(), dir));
        }
        Path ready = dir.resolve("root.ready");
        net.spawn(dir.resolve("root.log"), "root", Testbed.REPO.resolve("bin/tendril-root").toString(),
                "--config", "builtin:demo", "--set", "dns.bindAddress=" + ROOT, "--set", "dns.port=5353",
                "--set", "control.bindAddress=" + ROOT, "--set", "control.port=5390", "--set", "security.insecureClear=true",
                "--set", "store.path=" + dir.resolve("topology.db"), "--ready-file", ready.toString());
        for (int i = 0; i < NODES.size(); i++) {
            engines.get(i).awaitReady();
            engines.get(i).loadDemoImage();
            load(NODES.get(i), 0.10);
            startEdge(NODES.get(i), engines.get(i));
        }
        Testbed.until("root ready", Duration.ofSeconds(60), () -> Files.exists(ready) ? Optional.of(true) : Optional.empty());
        for (Node n : NODES) {
            awaitReady(n);
        }
        Path spec = dir.resolve("web.yaml");
        Files.writeString(spec, webSpec(true));
        Path join = dir.resolve("web-join.yaml");
        Files.writeString(join, webSpec(false));
        for (Node n : NODES) {
            Ctl d = ctl(n, "deploy", (n == MUNICH ? spec : join).toString());
            assertEquals(0, d.code(), n.name() + ": " + d.out());
        }

        // 1. every user is answered with the instance near it, and is served by it
        assertEquals(GARCHING.address(), awaitAnswer("ugarching", GARCHING_USER, GARCHING.address(), Duration.ofSeconds(30)));
        assertEquals(MTVIEW.address(), awaitAnswer("umtview", MTVIEW_USER, MTVIEW.address(), Duration.ofSeconds(30)));
        User garchingUser = startUser("ugarching", GARCHING_USER);
        User mtviewUser = startUser("umtview", MTVIEW_USER);
        garchingUser.awaitServedBy(GARCHING, Duration.ofSeconds(20));
        mtviewUser.awaitServedBy(MTVIEW, Duration.ofSeconds(20));
        assertTrue(garchingUser.page().contains("on node garching"), garchingUser.page());

        // 2. delay on the Munich user's link -> DNS answers it with Garching
        List<Long> toAnswer = new ArrayList<>();
        User munichUser = null;
        for (int run = 1; run <= RUNS; run++) {
            String me = munichUser(run);
            net.setLink("umunich", "core", Topology.Link.delay(FAST));
            assertEquals(MUNICH.address(), awaitAnswer("umunich", me, MUNICH.address(), Duration.ofSeconds(30)),
                    "a fresh Munich user gets Munich");
            if (munichUser != null) {
                munichUser.stop(); // the previous run's user is done
            }
            munichUser = startUser("umunich", me);
            munichUser.awaitServedBy(MUNICH, Duration.ofSeconds(20));
            long t0 = System.nanoTime();
            net.setLink("umunich", "core", Topology.Link.delay(SLOW));
            awaitAnswer("umunich", me, GARCHING.address(), Duration.ofSeconds(40));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            toAnswer.add(ms);
            System.out.printf("run %d: delay added to %s's link -> dig answers garching: %d ms%n", run, me, ms);
            munichUser.awaitServedBy(GARCHING, Duration.ofSeconds(20)); // it follows DNS
        }
        // Garching sees the moved user slow too, but the root's record says it was just moved
        // there: moving did not help, so it is held instead of being sent back to Munich
        String last = munichUser(RUNS);
        Ctl held = Testbed.until("garching holds " + last, Duration.ofSeconds(40), () -> {
            Ctl e = ctl(GARCHING, "events", "--service", "web");
            return e.out().lines().anyMatch(l -> l.contains("MIGRATION_HELD") && l.contains(last)) ? Optional.of(e) : Optional.empty();
        });
        System.out.println(held.out());
        assertFalse(held.out().contains("MIGRATION_DECIDED"), "garching did not start a migration back: " + held.out());
        assertEquals(GARCHING.address(), dig("umunich", last), "no migration back to munich");
        net.setLink("umunich", "core", Topology.Link.delay(FAST)); // the user's own link is fine again
        // nobody else moved
        assertEquals(GARCHING.address(), dig("ugarching", GARCHING_USER));
        assertEquals(MTVIEW.address(), dig("umtview", MTVIEW_USER));
        Ctl migrations = ctl(null, "migrations", "web", "--root", ROOT + ":5390");
        assertEquals(0, migrations.code(), migrations.out());
        System.out.println(migrations.out());
        List<String> rows = migrations.out().lines().filter(l -> l.startsWith("web ")).toList();
        assertEquals(RUNS, rows.size(), "one redirect per delayed Munich user: " + migrations.out());
        for (int run = 1; run <= RUNS; run++) {
            String me = munichUser(run);
            assertTrue(rows.stream().anyMatch(r -> r.contains(me) && r.contains(" " + GARCHING.name() + " ")),
                    me + " -> garching: " + migrations.out());
        }

        // 3. remove Garching's instance, spoof high load on Munich -> a replica on the free platform
        List<Long> toTree = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            Ctl removed = ctl(GARCHING, "remove", "web");
            assertEquals(0, removed.code(), removed.out());
            Testbed.until("garching left the tree", Duration.ofSeconds(15),
                    () -> live().contains(GARCHING.name()) ? Optional.empty() : Optional.of(true));
            awaitAnswer("ugarching", GARCHING_USER, MUNICH.address(), Duration.ofSeconds(15)); // DNS follows the removal
            if (run > 1) {
                int normal = run - 1;
                Testbed.until("munich saw normal load again", Duration.ofSeconds(15),
                        () -> ctl(MUNICH, "events", "--kind", "LOAD_NORMAL").out().contains(normal + " event(s)")
                                ? Optional.of(true) : Optional.empty());
            }
            long t0 = System.nanoTime();
            load(MUNICH, 0.95); // above the 0.8 CPU threshold for the 2 s load window
            Testbed.until("a replica on garching", Duration.ofSeconds(40),
                    () -> live().contains(GARCHING.name()) ? Optional.of(true) : Optional.empty());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            toTree.add(ms);
            System.out.printf("run %d: spoofed overload on munich -> replica on garching in the tree: %d ms%n", run, ms);
            assertEquals(List.of(GARCHING.name(), MTVIEW.name(), MUNICH.name()), live(),
                    "the free platform got the replica; nothing else changed");
            awaitAnswer("ugarching", GARCHING_USER, GARCHING.address(), Duration.ofSeconds(15));
            garchingUser.awaitServedBy(GARCHING, Duration.ofSeconds(20)); // by the replica
            load(MUNICH, 0.10);
        }
        assertTrue(garchingUser.page().contains("on node garching"), garchingUser.page());
        Ctl atReplica = ctl(GARCHING, "events", "--kind", "REPLICA_STARTED");
        assertTrue(atReplica.out().contains(RUNS + " event(s)"), atReplica.out());

        Ctl events = ctl(MUNICH, "events", "--service", "web");
        assertEquals(0, events.code(), events.out());
        System.out.println(events.out());
        String out = events.out();
        assertTrue(out.contains("MIGRATION_DECIDED") && out.contains("MIGRATION_RECORDED"), out);
        assertTrue(out.contains("REPLICATION_DECIDED") && out.contains("shortage: cpu 0.95 > 0.80"), out);
        assertTrue(out.contains("REPLICA_REGISTERED"), out);
        assertEquals(Integer.toString(RUNS), figure(out, "time-to-migrate.count"), out);
        assertEquals(Integer.toString(RUNS), figure(out, "time-to-replicate.count"), out);

        // 4. demand ends: after the idle timeout instances terminate down to the minimum. The
        // Garching user stops last, so the instances without users go first (whatever their
        // jitter) and the survivor is known: Garching's, which then stays.
        munichUser.stop();
        mtviewUser.stop();
        Testbed.until("munich and mountain view terminated", Duration.ofSeconds(IDLE_SECONDS * 2L + 20),
                () -> live().equals(List.of(GARCHING.name())) ? Optional.of(true) : Optional.empty());
        for (Node n : List.of(MUNICH, MTVIEW)) {
            Ctl t = ctl(n, "events", "--kind", "TERMINATED");
            assertTrue(t.out().contains("TERMINATED"), n.name() + ": " + t.out());
        }
        garchingUser.stop();
        Node left = GARCHING;
        Ctl skipped = Testbed.until("the last instance stays at the minimum", Duration.ofSeconds(IDLE_SECONDS * 2L + 20), () -> {
            Ctl e = ctl(left, "events", "--kind", "TERMINATION_SKIPPED");
            return e.out().contains("min 1") ? Optional.of(e) : Optional.empty();
        });
        System.out.println(skipped.out());
        assertEquals(List.of(left.name()), live());
        awaitAnswer("umunich", last, left.address(), Duration.ofSeconds(15));
        assertEquals(left.address(), dig("ugarching", GARCHING_USER));
        assertEquals(left.address(), dig("umtview", MTVIEW_USER));

        System.out.println(percentiles("delay added -> dig answers garching", toAnswer));
        System.out.println(percentiles("spoofed overload -> replica in tendrilctl tree", toTree));
        for (String name : List.of("time-to-migrate", "time-to-replicate", "container-start")) {
            System.out.printf("%s (tendrilctl events at munich, n = %s): p50 %s ms, p90 %s ms, p99 %s ms, max %s ms%n", name,
                    figure(out, name + ".count"), figure(out, name + ".p50.ms"), figure(out, name + ".p90.ms"),
                    figure(out, name + ".p99.ms"), figure(out, name + ".max.ms"));
        }
    }

    static String figure(String events, String name) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(name) + "\\s*=\\s*(\\S+)", Pattern.MULTILINE).matcher(events);
        return m.find() ? m.group(1) : "";
    }

    static String percentiles(String what, List<Long> values) {
        List<Long> s = values.stream().sorted().toList();
        return "%s (n = %d): p50 %d ms, p90 %d ms, max %d ms".formatted(what, s.size(), rank(s, 50), rank(s, 90), s.get(s.size() - 1));
    }

    static long rank(List<Long> sorted, int p) {
        int r = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, r - 1)));
    }

    static String webSpec(boolean root) {
        return """
                service: web
                image: tendril/httpd-demo:latest
                ports: [{name: http, protocol: tcp, containerPort: %d, hostPort: %d}]
                limits: {memory: 64Mi}
                qos: {maxLatencyMs: 20}
                policies: {idleTimeout: %ds, minInstances: 1}
                """.formatted(CONTAINER_PORT, HOST_PORT, IDLE_SECONDS) + (root ? "root: true\n" : "zone: " + ZONE + "\n");
    }

    static String platform(Node n) {
        return "{id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}"
                .formatted(n.name(), n.address(), n.lat(), n.lon());
    }

    /** Spoofs the node's hardware figures (the edge node reads the file each sample). */
    void load(Node n, double cpu) throws IOException {
        Path home = Files.createDirectories(dir.resolve(n.name()));
        Path tmp = home.resolve("load.json.tmp");
        Files.writeString(tmp, "{\"cpuLoad\": " + cpu + ", \"memory\": {\"total\": \"4Gi\", \"used\": \"1Gi\"},"
                + " \"disk\": {\"total\": \"10Gi\", \"used\": \"2Gi\"}, \"gpus\": []}");
        Files.move(tmp, home.resolve("load.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void startEdge(Node n, HostDockerEngine engine) throws IOException {
        Path home = dir.resolve(n.name());
        Files.writeString(home.resolve("edge.yaml"), """
                platform: %s
                zone: %s
                root: {control: ["%s:5390"]}
                infrastructure: {platforms: [%s, %s, %s]}
                policies: {preset: local, sampleInterval: 250ms, loadWindow: 2s, latencyWindow: 3s, heartbeatInterval: 500ms}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:7400"}
                runtime: {kind: docker, dockerHost: "%s"}
                monitoring: {loadFile: load.json}
                security: {insecureClear: true}
                """.formatted(platform(n), ZONE, ROOT, platform(MUNICH), platform(GARCHING), platform(MTVIEW),
                KEY, n.address(), n.address(), engine.dockerHost()));
        net.spawn(dir.resolve(n.name() + ".log"), n.name(), Testbed.REPO.resolve("bin/tendril-edge").toString(),
                "--config", home.resolve("edge.yaml").toString());
    }

    void awaitReady(Node n) {
        admin.put(n.name(), EmulatedHosts.awaitEdgeReady(dir.resolve(n.name() + ".log"), n.name(), Duration.ofSeconds(60)));
    }

    /** The live members of web's tree, by node id, sorted (tendrilctl tree at any live node; the root's view). */
    List<String> live() {
        for (Node asked : NODES) {
            Ctl t = ctl(asked, "tree", "web");
            if (t.code() == 0) {
                return t.out().lines().filter(l -> l.startsWith("  ") && !l.contains(" DOWN"))
                        .map(l -> l.strip().split(" ")[0]).sorted().toList();
            }
        }
        throw new AssertionError("no node answers tendrilctl tree");
    }

    String dig(String host, String from) {
        return EmulatedHosts.dig(net, host, from, ROOT, "web." + ZONE);
    }

    String awaitAnswer(String host, String from, String expected, Duration limit) {
        return EmulatedHosts.awaitAnswer(net, host, from, ROOT, "web." + ZONE, expected::equals, limit);
    }

    User startUser(String host, String address) {
        User u = new User(host, address);
        users.add(u);
        u.thread.start();
        return u;
    }

    /** {@code tendrilctl args} inside the root's host, addressed to node {@code n} (none: root commands). */
    Ctl ctl(Node n, String... args) {
        if (n == null) {
            return EmulatedHosts.ctl(net, "root", args);
        }
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--node";
        all[args.length + 1] = n.address() + ":" + admin.get(n.name());
        all[args.length + 2] = "--key";
        all[args.length + 3] = KEY;
        return EmulatedHosts.ctl(net, "root", all);
    }

    /** A user: resolves with dig from its own address, fetches from the answer over a fresh connection, every 250 ms. */
    final class User {
        final String host;
        final String address;
        final Map<String, AtomicLong> servedBy = new ConcurrentHashMap<>();
        final AtomicBoolean stopped = new AtomicBoolean();
        volatile String page = "";
        final Thread thread;

        User(String host, String address) {
            this.host = host;
            this.address = address;
            this.thread = new Thread(this::loop, "user-" + address);
            thread.setDaemon(true);
        }

        private void loop() {
            while (!stopped.get()) {
                try {
                    String instance = dig(host, address);
                    if (!instance.isEmpty()) {
                        Path body = dir.resolve("page-" + address);
                        if (net.run(Duration.ofSeconds(5), host, "curl", "-sf", "-o", body.toString(), "--max-time", "3",
                                "--interface", address, "http://" + instance + ":" + HOST_PORT + "/") == 0) {
                            page = Files.readString(body);
                            servedBy.computeIfAbsent(instance, k -> new AtomicLong()).incrementAndGet();
                        }
                    }
                    Thread.sleep(250); // the user's pace, not a wait for a condition
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        String page() {
            return page;
        }

        /** Waits until this user was served by {@code n} (again: counts from now). */
        void awaitServedBy(Node n, Duration limit) {
            long before = servedBy.getOrDefault(n.address(), new AtomicLong()).get();
            Testbed.until(address + " served by " + n.name(), limit,
                    () -> servedBy.getOrDefault(n.address(), new AtomicLong()).get() > before ? Optional.of(true) : Optional.empty());
        }

        void stop() {
            stopped.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
