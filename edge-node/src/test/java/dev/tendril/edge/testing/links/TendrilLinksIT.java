package dev.tendril.edge.testing.links;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link harness itself (compose/links/tendril-links), with ping between namespaces:
 * delays add up along a path through a switch (median of 9 pings), loss drops about the configured share each
 * way, teardown leaves no namespace behind (also after a refused topology), and
 * {@code down} removes leftovers by prefix. Needs root, iproute2, gcc, busybox.
 */
class TendrilLinksIT {
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");

    @TempDir
    Path tmp;

    @Test
    void delaysAddUpAlongThePathAndLossDropsAboutItsShare() throws Exception {
        Topology t = Topology.builder()
                .host("a", "10.9.0.1/24").switchNode("sw").host("b", "10.9.0.2/24").host("lossy", "10.9.0.3/24")
                .link("a", "sw", Topology.Link.delay(Duration.ofMillis(10)))
                .link("sw", "b", Topology.Link.delay(Duration.ofMillis(5)))
                .link("sw", "lossy", Topology.Link.perfect().withLoss(0.3))
                .build();
        String prefix;
        try (TestNetwork net = TestNetwork.start(t)) {
            prefix = net.prefix();
            String ab = ping(net, "a", "10.9.0.2", 9, "0.1");
            double median = TIME.matcher(ab).results().mapToDouble(r -> Double.parseDouble(r.group(1)))
                    .sorted().skip(4).findFirst().orElseThrow();
            assertTrue(median >= 30 && median < 33, "a-sw-b: 2 x (10 + 5) ms round trip, median " + median + " ms\n" + ab);

            String lossy = ping(net, "b", "10.9.0.3", 300, "0.01");
            Matcher m = match(RECEIVED, lossy);
            double delivered = Double.parseDouble(m.group(2)) / Double.parseDouble(m.group(1));
            // each way 70 % -> about 49 % of echoes come back
            assertTrue(delivered > 0.35 && delivered < 0.63, "delivered " + delivered + "\n" + lossy);
            assertTrue(namespaces().contains(net.namespace("sw")));
        }
        assertNothingLeft(prefix);
    }

    @Test
    void aLoopIsRefusedAndNothingIsLeft() {
        Topology loop = Topology.builder().host("x").host("y").host("z")
                .link("x", "y", Topology.Link.perfect()).link("y", "z", Topology.Link.perfect())
                .link("z", "x", Topology.Link.perfect()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestNetwork.start(loop));
        assertTrue(e.getMessage().contains("closes a loop"), e.getMessage());
        assertFalse(namespaces().stream().anyMatch(n -> n.matches("tl-[0-9a-f]{6}-[xyz]")), namespaces().toString());
    }

    @Test
    void downRemovesLeftoversByPrefixAndStopsTheirProcesses() throws Exception {
        String ns = "tl-down-test-a";
        assertEquals(0, exec("ip", "netns", "add", ns));
        Process inside = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "sleep", "600").start();
        try {
            assertEquals(0, exec(script().toString(), "down", "tl-down-test-"));
            assertTrue(inside.waitFor(10, TimeUnit.SECONDS), "the process in the namespace was stopped");
            assertFalse(namespaces().contains(ns));
        } finally {
            inside.destroyForcibly();
            inside.waitFor();
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    private String ping(TestNetwork net, String host, String target, int count, String interval) throws Exception {
        Path out = tmp.resolve("ping-" + host + "-" + target);
        Process p = new ProcessBuilder(net.command(host, "busybox", "ping", "-c", String.valueOf(count),
                "-i", interval, "-W", "1", target)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ping finished");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static Matcher match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), "no " + p + " in\n" + text);
        return m;
    }

    private static void assertNothingLeft(String prefix) {
        assertFalse(namespaces().stream().anyMatch(n -> n.startsWith(prefix)), "namespaces left: " + namespaces());
        assertFalse(Files.exists(Path.of("/run/tendril-links", prefix)), "state left");
    }

    private static List<String> namespaces() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().map(l -> l.split(" ")[0]).toList();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("compose/links/tendril-links");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("compose/links/tendril-links not found");
    }
}
