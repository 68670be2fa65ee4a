package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The XDP path of {@link DnsServer} on a real link: a veth pair, one end in this test's network
 * namespace with the client, the other on the host with the server ({@code dns.xdpInterfaces}
 * naming it, the kernel's native veth XDP). Real {@code dig} and {@code dnsperf} in the client's
 * namespace: answers come over AF_XDP (counted), equal to the kernel socket path's; tens of
 * thousands of queries reuse every frame and ring slot many times over without a loss; TCP
 * and what the program passes on still reach the kernel's sockets; close() detaches the
 * program; a second program on the interface and an unknown interface fail start() with the
 * reason. Needs root (CI runs as root), iproute2, dig and dnsperf.
 */
class DnsXdpIT {
    private static final String Z = "svc.example.edge.";
    private static String server;
    private static String client;
    private static String ns;
    private static String hostEnd;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    private final List<DnsServer> servers = new ArrayList<>();

    @BeforeAll
    static void link() {
        String tag = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
        // a /30 of the benchmarking range 198.18.0.0/15 that no interface here has: a test link must
        // never shadow a route of the host (this VM's own link is 192.0.2.0/24, its gateway 192.0.2.1)
        String subnet = "198.19." + ThreadLocalRandom.current().nextInt(1, 255) + ".";
        String addresses = exec(List.of("ip", "-o", "-4", "addr"));
        assertFalse(addresses.contains(subnet), "the host has " + subnet + "0/24 already: " + addresses);
        server = subnet + "1";
        client = subnet + "2";
        ns = "txdp-" + tag;
        hostEnd = "txh" + tag;
        String clientEnd = "txc" + tag;
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", clientEnd);
        run("ip", "link", "set", clientEnd, "netns", ns);
        run("ip", "addr", "add", server + "/30", "dev", hostEnd);
        run("ip", "link", "set", hostEnd, "up");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", client + "/30", "dev", clientEnd);
        run("ip", "netns", "exec", ns, "ip", "link", "set", clientEnd, "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    @AfterAll
    static void unlink() {
        if (hostEnd != null) {
            exec(List.of("ip", "link", "del", hostEnd));
        }
        if (ns != null) {
            exec(List.of("ip", "netns", "del", ns));
        }
    }

    @AfterEach
    void stop() {
        servers.forEach(DnsServer::close);
    }

    @BeforeEach
    void instances() {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
        });
    }

    private DnsServer start(List<String> xdp) {
        DnsConfig c = DnsConfig.builder().zones(List.of(Z)).bindAddress(server).port(0).ioThreads(1).nsid("xdp")
                .defaultPosition(World.NEW_YORK).xdpInterfaces(xdp).build();
        DnsServer s = new DnsServer(c, dir, World.locator(), clock);
        servers.add(s);
        return s.start();
    }

    @Test
    void answersComeOverXdpEqualToTheSocketPathsAndTheProgramLeavesOnClose() {
        DnsServer plain = start(List.of());
        String[] ask = {"web." + Z, "A", "+subnet=198.18.0.0/24", "+nsid", "+nocookie"};
        String viaSocket = answerSection(dig(plain.port(), ask));
        plain.close();

        DnsServer s = start(List.of(hostEnd));
        assertTrue(s.udpIo().contains("XDP on " + hostEnd + " queue 0"), s.udpIo());
        assertTrue(linkShow().contains("prog/xdp"), "the program is attached: " + linkShow());
        String out = dig(s.port(), ask);
        assertTrue(out.contains("status: NOERROR"), out);
        assertEquals(viaSocket, answerSection(out), "the same chain answers both paths");
        assertTrue(out.contains("NSID") && out.contains("CLIENT-SUBNET: 198.18.0.0/24/"), out);
        assertEquals(1, s.xdpAnswers(), "the answer came over AF_XDP");

        String tcp = dig(s.port(), "web." + Z, "A", "+tcp");
        assertTrue(tcp.contains("status: NOERROR"), "TCP is the kernel's: " + tcp);
        assertEquals(1, s.xdpAnswers(), "TCP did not go through XDP");

        s.close();
        assertFalse(linkShow().contains("prog/xdp"), "close() detaches the program: " + linkShow());
        assertEquals(1, s.xdpAnswers());
    }

    @Test
    void aLongRunReusesEveryFrameAndRingSlotWithoutALoss() throws IOException {
        DnsServer s = start(List.of(hostEnd));
        Path queries = Files.createTempFile("xdp-queries", ".txt"); // dnsperf rereads its input: a file
        Files.writeString(queries, "web." + Z + " A\n");
        // 3 s at 8,000 q/s: 24,000 queries, each frame (1,024) and RX / TX slot (512) used dozens of times
        String out;
        try {
            out = inNamespace(List.of("dnsperf", "-s", server, "-p", Integer.toString(s.port()), "-l", "3",
                    "-Q", "8000", "-c", "4", "-d", queries.toString()), "");
        } finally {
            Files.deleteIfExists(queries);
        }
        Matcher completed = Pattern.compile("Queries completed:\\s+(\\d+)").matcher(out);
        Matcher lost = Pattern.compile("Queries lost:\\s+(\\d+)").matcher(out);
        assertTrue(completed.find() && lost.find(), out);
        long n = Long.parseLong(completed.group(1));
        assertTrue(n > 20_000, "dnsperf completed " + n + ": " + out);
        assertEquals(0, Long.parseLong(lost.group(1)), out);
        assertTrue(out.contains("NOERROR " + n), "every answer NOERROR: " + out);
        assertEquals(n, s.xdpAnswers(), "every one over AF_XDP");
    }

    @Test
    void aSecondProgramOnTheInterfaceFailsStartWithTheKernelsReason() {
        start(List.of(hostEnd));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(List.of(hostEnd)));
        assertTrue(e.getMessage().contains("dns.xdpInterfaces [" + hostEnd + "]") && e.getMessage().contains("BPF_LINK_CREATE")
                && e.getMessage().contains("busy"), e.getMessage());
        servers.remove(servers.size() - 1);
    }

    @Test
    void anUnknownInterfaceFailsStartNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(List.of("nosuch0")));
        assertTrue(e.getMessage().contains("no network interface nosuch0"), e.getMessage());
        servers.remove(servers.size() - 1);
    }

    /** The answer section of dig's output, TTLs and all, without the comment lines around it. */
    private static String answerSection(String dig) {
        int from = dig.indexOf(";; ANSWER SECTION:");
        assertTrue(from >= 0, dig);
        int to = dig.indexOf("\n\n", from);
        return dig.substring(from, to < 0 ? dig.length() : to);
    }

    private static String dig(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port), "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        return inNamespace(cmd, "");
    }

    private static String linkShow() {
        return exec(List.of("ip", "link", "show", "dev", hostEnd));
    }

    private static String inNamespace(List<String> cmd, String stdin) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(cmd);
        try {
            Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("did not finish: " + all);
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("running " + all + " failed", e);
        }
    }

    private static void run(String... cmd) {
        String out = exec(List.of(cmd));
        if (out.startsWith("exit ")) {
            fail(String.join(" ", cmd) + ": " + out + " (this test needs root and iproute2)");
        }
    }

    /** Runs {@code cmd}: its output, prefixed "exit N: " when it failed. */
    private static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
        } catch (IOException | InterruptedException | IllegalThreadStateException e) {
            throw new AssertionError("running " + cmd + " failed", e);
        }
    }
}
