package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.edge.testing.links.Topology;
import dev.tendril.edge.testing.links.Topology.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real probe against real TCP traffic between network namespaces with emulated link
 * delay and loss (compose/links/tendril-links). Checks:
 * <ul>
 *   <li>each client's median RTT is within 15 % (or 2 ms) of the configured round trip, for
 *       links of 0, 20 and 50 ms one way, and for a 20 ms link with 5 % loss;</li>
 *   <li>two clients with the same address in different namespaces are two users.</li>
 * </ul>
 * Needs root, busybox (busybox-static), curl, iproute2, gcc: CI runs it as root.
 */
class BpfLatencyProbeIT {
    private static final int PORT = 8080;
    private static final int MIN_SAMPLES = 15;

    @TempDir
    Path tmp;
    private BpfLatencyProbe probe;

    @BeforeEach
    void startProbe() {
        Tools.require("busybox", "busybox-static");
        Tools.require("curl", "curl");
        Tools.require("gcc", "gcc");
        BpfLatencyProbe.Start start = BpfLatencyProbe.tryStart(
                BpfLatencyProbe.Settings.defaults().withWindow(Duration.ofMinutes(5)), Clock.systemUTC());
        if (start instanceof BpfLatencyProbe.Unavailable u) {
            fail("this test needs the eBPF probe (run as root on a BTF kernel with libbpf1): " + u.status().summary());
        }
        probe = ((BpfLatencyProbe.Running) start).probe();
        probe.watchPorts(Set.of(PORT));
    }

    @AfterEach
    void stopProbe() {
        probe.close();
    }

    @Test
    void eachClientsMedianMatchesItsLinksRoundTrip() throws Exception {
        Topology topology = Topology.builder()
                .host("srv", "10.0.0.1/24")
                .host("c0", "10.0.0.10/24").host("c20", "10.0.0.20/24").host("c50", "10.0.0.50/24")
                .host("lossy", "10.0.0.60/24")
                .link("srv", "c0", Link.perfect())
                .link("srv", "c20", Link.delay(Duration.ofMillis(20)))
                .link("srv", "c50", Link.delay(Duration.ofMillis(50)))
                .link("srv", "lossy", Link.delay(Duration.ofMillis(20)).withLoss(0.05))
                .build();
        Map<String, Double> expectedRttMs = new LinkedHashMap<>();
        expectedRttMs.put("c0", 0.0);
        expectedRttMs.put("c20", 40.0);
        expectedRttMs.put("c50", 100.0);
        expectedRttMs.put("lossy", 40.0);
        try (TestNetwork net = TestNetwork.start(topology)) {
            startServer(net, "srv");
            for (String client : expectedRttMs.keySet()) {
                startClient(net, client, "10.0.0.1", 30);
            }
            long srv = net.namespaceInode("srv");
            Map<String, UserKey> users = new HashMap<>();
            users.put("c0", user(srv, "10.0.0.10"));
            users.put("c20", user(srv, "10.0.0.20"));
            users.put("c50", user(srv, "10.0.0.50"));
            users.put("lossy", user(srv, "10.0.0.60"));

            Map<UserKey, UserLatency> seen = awaitSamples(Set.copyOf(users.values()), Duration.ofSeconds(40));
            for (Map.Entry<String, Double> e : expectedRttMs.entrySet()) {
                assertNear(e.getKey(), e.getValue(), seen.get(users.get(e.getKey())));
            }
        }
    }

    @Test
    void sameAddressInTwoNamespacesIsTwoUsers() throws Exception {
        Topology topology = Topology.builder()
                .host("s1", "10.0.1.1/24").host("a1", "10.0.1.2/24")
                .host("s2", "10.0.1.1/24").host("a2", "10.0.1.2/24")
                .link("s1", "a1", Link.delay(Duration.ofMillis(10)))
                .link("s2", "a2", Link.delay(Duration.ofMillis(30)))
                .build();
        try (TestNetwork net = TestNetwork.start(topology)) {
            startServer(net, "s1");
            startServer(net, "s2");
            startClient(net, "a1", "10.0.1.1", 25);
            startClient(net, "a2", "10.0.1.1", 25);
            UserKey viaS1 = user(net.namespaceInode("s1"), "10.0.1.2");
            UserKey viaS2 = user(net.namespaceInode("s2"), "10.0.1.2");
            assertNotEquals(viaS1.namespace(), viaS2.namespace());

            Map<UserKey, UserLatency> seen = awaitSamples(Set.of(viaS1, viaS2), Duration.ofSeconds(30));
            assertNear("a1 via s1", 20, seen.get(viaS1));
            assertNear("a2 via s2", 60, seen.get(viaS2));
            long sameAddress = seen.keySet().stream()
                    .filter(k -> k.address().equals(viaS1.address()) && k.port() == PORT
                            && (k.namespace() == viaS1.namespace() || k.namespace() == viaS2.namespace()))
                    .count();
            assertEquals(2, sameAddress, "one user per namespace: " + seen.keySet());
        }
    }

    private static UserKey user(long namespace, String address) throws Exception {
        return new UserKey(namespace, InetAddress.getByName(address), PORT);
    }

    private void startServer(TestNetwork net, String host) throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www-" + host));
        Files.writeString(www.resolve("index.html"), "tendril\n");
        net.spawn(tmp.resolve("httpd-" + host + ".log"), host,
                "busybox", "httpd", "-f", "-p", String.valueOf(PORT), "-h", www.toString());
    }

    /** A loop of fresh HTTP connections; on SIGTERM it finishes the current one and exits. */
    private void startClient(TestNetwork net, String host, String server, int requests) throws Exception {
        String url = "http://" + server + ":" + PORT + "/";
        String loop = "trap 'exit 0' TERM; i=0; while [ $i -lt " + requests + " ]; do "
                + "curl -s -o /dev/null --max-time 5 " + url + " || busybox sleep 0.2; i=$((i+1)); done";
        net.spawn(tmp.resolve("client-" + host + ".log"), host, "busybox", "sh", "-c", loop);
    }

    /** Samples the probe every 200 ms until every user has MIN_SAMPLES samples. */
    private Map<UserKey, UserLatency> awaitSamples(Set<UserKey> users, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<UserKey, UserLatency> seen = Map.of();
        while (System.nanoTime() < deadline) {
            seen = probe.sample();
            Map<UserKey, UserLatency> now = seen;
            if (users.stream().allMatch(u -> now.containsKey(u) && now.get(u).samples() >= MIN_SAMPLES)) {
                return seen;
            }
            Thread.sleep(200); // sampling period of the probe, not a wait for a condition
        }
        Map<UserKey, UserLatency> last = seen;
        fail("not every user reached " + MIN_SAMPLES + " samples in " + timeout + ": wanted " + users
                + ", saw " + last.values().stream().map(u -> u.user() + " n=" + u.samples())
                .collect(Collectors.joining(", ")));
        return last;
    }

    private static void assertNear(String who, double expectedMs, UserLatency got) {
        assertTrue(got != null, who + ": no latency reported");
        double tolerance = Math.max(2.0, 0.15 * expectedMs);
        double median = got.medianMillis();
        System.out.printf("%s: median RTT %.2f ms (configured %.0f ms), min %.2f ms, %d samples%n",
                who, median, expectedMs, got.minRtt().toNanos() / 1e6, got.samples());
        assertTrue(Math.abs(median - expectedMs) <= tolerance,
                String.format("%s: median RTT %.2f ms, configured %.0f ms ± %.1f ms (%d samples)",
                        who, median, expectedMs, tolerance, got.samples()));
        assertTrue(got.minRtt().toNanos() / 1e6 <= median + 0.001, who + ": min above median: " + got);
    }
}
