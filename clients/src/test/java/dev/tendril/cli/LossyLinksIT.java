package dev.tendril.cli;

import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.edge.testing.links.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure detector under packet loss, with real processes in link-harness namespaces: a
 * root, three edge nodes (process runtime, busybox httpd) and a client on one switch. Each
 * edge's link to the switch loses 10.6 % of frames each way, so every overlay path (two links)
 * loses 20 %; the root's link is clean. For one minute (TENDRIL_LOSS_SECONDS, 600 in benchmark
 * mode): no healthy node may be marked down (no orphan report, no dropped child, the root's
 * tree all live) and dig from the client must get an answer every time. With
 * TENDRIL_HIGH_LOSS_SECONDS set (the benchmark's 90), that many seconds at 50 % path loss follow,
 * reported, not asserted: the suite skips them (they asserted nothing and took a minute of it).
 * Suspicions that a confirming probe refuted are reported too.
 */
class LossyLinksIT {
    static final String KEY = "loss-key-0123456789abcdef0123";
    static final String ZONE = "svc.example.edge";
    static final String ROOT = "10.77.0.1";
    static final String CLIENT = "10.77.0.9";
    static final String[] EDGES = {"e1", "e2", "e3"};
    static final double[][] POSITIONS = {{48.14, 11.58}, {52.52, 13.40}, {53.55, 9.99}};
    static final Duration SETTLE_LINK = Duration.ofMillis(1);

    @TempDir
    Path dir;

    static String address(int i) {
        return "10.77.0." + (2 + i);
    }

    static double perLink(double pathLoss) {
        return 1 - Math.sqrt(1 - pathLoss);
    }

    record Sample(int digs, int unanswered, long orphanReports, long droppedChildren, long downInTree, long refuted) {
    }

    @Test
    void twentyPercentLossMarksNoHealthyNodeDown() throws Exception {
        Testbed.requireTool("dig", "dnsutils");
        Testbed.requireTool("busybox", "busybox-static");
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        Topology.Builder b = Topology.builder().switchNode("sw").host("root", ROOT + "/24").host("u", CLIENT + "/24")
                .link("root", "sw", Topology.Link.perfect()).link("u", "sw", Topology.Link.perfect());
        for (int i = 0; i < EDGES.length; i++) {
            b.host(EDGES[i], address(i) + "/24").link(EDGES[i], "sw", Topology.Link.delay(SETTLE_LINK));
        }
        Topology topology = b.build();
        int seconds = Integer.parseInt(System.getenv().getOrDefault("TENDRIL_LOSS_SECONDS", "60"));
        int highSeconds = Integer.parseInt(System.getenv().getOrDefault("TENDRIL_HIGH_LOSS_SECONDS", "0"));
        try (TestNetwork net = TestNetwork.start(topology)) {
            Path ready = dir.resolve("root.ready");
            net.spawn(dir.resolve("root.log"), "root", Testbed.REPO.resolve("bin/tendril-root").toString(),
                    "--config", "builtin:demo", "--set", "dns.bindAddress=" + ROOT, "--set", "dns.port=5353",
                    "--set", "control.bindAddress=" + ROOT, "--set", "control.port=5390", "--set", "security.insecureClear=true",
                    "--set", "store.path=" + dir.resolve("topology.db"), "--ready-file", ready.toString());
            Testbed.until("root ready", Duration.ofSeconds(90), () -> Files.exists(ready) ? Optional.of(true) : Optional.empty(),
                    () -> "root log tail:\n" + Testbed.tail(log("root"), 4000));
            for (int i = 0; i < EDGES.length; i++) {
                Path home = Files.createDirectories(dir.resolve(EDGES[i]));
                Files.writeString(home.resolve("load.json"), "{\"cpuLoad\": 0.1, \"memory\": {\"total\": \"4Gi\", \"used\": \"1Gi\"}}");
                Files.writeString(home.resolve("edge.yaml"), """
                        platform: {id: %s, address: %s, position: {lat: %s, lon: %s}, arch: amd64, cpus: 2, ram: 4Gi, disk: 10Gi}
                        zone: %s
                        root: {control: ["%s:5390"]}
                        policies: {preset: local, sampleInterval: 1s, loadWindow: 30s, latencyWindow: 30s, heartbeatInterval: 1s, missedHeartbeats: 3}
                        security: {insecureClear: true}
                        admin: {key: %s, bind: "%s:7401"}
                        tree: {bind: "%s:7400"}
                        runtime: {kind: process}
                        monitoring: {loadFile: load.json}
                        stateDir: %s
                        """.formatted(EDGES[i], address(i), POSITIONS[i][0], POSITIONS[i][1], ZONE, ROOT, KEY, address(i),
                        address(i), home.resolve("state")));
                net.spawn(dir.resolve(EDGES[i] + ".log"), EDGES[i], Testbed.REPO.resolve("bin/tendril-edge").toString(),
                        "--config", home.resolve("edge.yaml").toString());
            }
            for (String e : EDGES) {
                // failed once in a full suite (e1 and e2 ready, e3 not): the log tail says where it stood
                Testbed.until(e + " ready", Duration.ofSeconds(120), () -> log(e).contains("edge node ready in")
                        ? Optional.of(true) : Optional.empty(), () -> e + " log tail:\n" + Testbed.tail(log(e), 4000));
            }
            Files.writeString(dir.resolve("top.yaml"), spec(true));
            Files.writeString(dir.resolve("join.yaml"), spec(false));
            for (int i = 0; i < EDGES.length; i++) {
                EmulatedHosts.Ctl c = EmulatedHosts.ctl(net, EDGES[i], "deploy", dir.resolve(i == 0 ? "top.yaml" : "join.yaml").toString(),
                        "--node", address(i) + ":7401", "--key", KEY);
                assertEquals(0, c.code(), c.out());
            }
            Testbed.until("three live instances", Duration.ofSeconds(30),
                    () -> downInTree(net) == 0 && liveInTree(net) == 3 ? Optional.of(true) : Optional.empty());

            setLoss(net, 0.2);
            Sample twenty = observe(net, Duration.ofSeconds(seconds));
            System.out.printf("20%% loss on every overlay path for %d s: %d/%d digs unanswered, %d orphan reports, "
                            + "%d dropped children, %d down in the root's tree at the end, %d suspicions refuted by a probe%n",
                    seconds, twenty.unanswered(), twenty.digs(), twenty.orphanReports(), twenty.droppedChildren(),
                    twenty.downInTree(), twenty.refuted());

            if (highSeconds > 0) {
                setLoss(net, 0.5);
                Sample fifty = observe(net, Duration.ofSeconds(highSeconds));
                System.out.printf("50%% loss on every overlay path for %d s: %d/%d digs unanswered, %d orphan reports, "
                                + "%d dropped children (cumulative), %d down in the root's tree at the end, "
                                + "%d suspicions refuted by a probe (cumulative)%n", highSeconds,
                        fifty.unanswered(), fifty.digs(), fifty.orphanReports(), fifty.droppedChildren(), fifty.downInTree(),
                        fifty.refuted());
            }

            assertEquals(0, twenty.orphanReports(), "no parent reported dead at 20 % loss");
            assertEquals(0, twenty.droppedChildren(), "no child dropped at 20 % loss");
            assertEquals(0, twenty.downInTree(), "every node live at the root");
            assertEquals(0, twenty.unanswered(), "DNS answered every query");
            assertTrue(twenty.digs() >= seconds, "dug about once a second: " + twenty.digs());
        }
    }

    String log(String host) {
        try {
            Path p = dir.resolve(host + ".log");
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static void setLoss(TestNetwork net, double pathLoss) throws Exception {
        for (String e : EDGES) {
            net.setLink(e, "sw", Topology.Link.delay(SETTLE_LINK).withLoss(perLink(pathLoss)));
        }
    }

    Sample observe(TestNetwork net, Duration how) throws Exception {
        long start = System.nanoTime();
        long end = start + how.toNanos();
        int digs = 0;
        int unanswered = 0;
        while (System.nanoTime() < end) {
            digs++;
            // a fixed rate (one slot a second from the start): a dig slowed down by a loaded machine is caught up
            long next = start + digs * 1_000_000_000L;
            if (EmulatedHosts.dig(net, "u", CLIENT, ROOT, "web." + ZONE).isEmpty()) {
                unanswered++;
            }
            long wait = (next - System.nanoTime()) / 1_000_000;
            if (wait > 0) {
                Thread.sleep(wait); // pacing of the samples (one query a second), not a wait for a condition
            }
        }
        long orphans = 0;
        long dropped = 0;
        long refuted = 0;
        for (String e : EDGES) {
            orphans += count(log(e), "reporting orphan");
            dropped += count(log(e), "silent, dropped");
            refuted += count(log(e), "answered a probe");
        }
        return new Sample(digs, unanswered, orphans, dropped, downInTree(net), refuted);
    }

    static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    static final Pattern TREE_LINE = Pattern.compile("^\\s+(e\\d) .*$", Pattern.MULTILINE);

    static long downInTree(TestNetwork net) {
        String tree = EmulatedHosts.ctl(net, "u", "tree", "web", "--root", ROOT + ":5390").out();
        return tree.lines().filter(l -> TREE_LINE.matcher(l).matches() && l.contains(" DOWN")).count();
    }

    static long liveInTree(TestNetwork net) {
        String tree = EmulatedHosts.ctl(net, "u", "tree", "web", "--root", ROOT + ":5390").out();
        Matcher m = TREE_LINE.matcher(tree);
        List<String> live = new ArrayList<>();
        while (m.find()) {
            if (!m.group().contains(" DOWN")) {
                live.add(m.group(1));
            }
        }
        return live.size();
    }

    static String spec(boolean top) {
        return """
                service: web
                image: busybox:host
                command: ["/bin/sh", "-c", "mkdir -p www && echo web > www/index.html && exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h www"]
                ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: 8080}]
                """ + (top ? "root: true\n" : "zone: " + ZONE + "\n");
    }
}
