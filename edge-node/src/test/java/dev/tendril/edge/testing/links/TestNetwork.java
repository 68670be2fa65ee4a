package dev.tendril.edge.testing.links;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * A running {@code compose/links/tendril-links up} (a child process) for one test: hosts in
 * network namespaces {@code <prefix><host>}, linked as the {@link Topology} says. Commands
 * started through {@link #spawn} are stopped and waited for on {@link #close()}, then the
 * harness tears everything down (and {@code tendril-links down <prefix>} runs if it could not).
 * Needs root, iproute2 and gcc (the harness builds its relay).
 */
public final class TestNetwork implements AutoCloseable {
    /**
     * How long the harness may take to build a network: a minute, plus a second per line of the
     * topology (a node or a link). Topology D (92 namespaces, 91 relayed links) once took over a
     * minute on the loaded 2-core VM right after the test suite.
     */
    static Duration readyTimeout(Topology topology) {
        return Duration.ofSeconds(60 + topology.text().lines().count());
    }

    private final Path script;
    private final String prefix;
    private final Process harness;
    private final List<String> harnessOutput = new CopyOnWriteArrayList<>();
    private final List<Process> spawned = new ArrayList<>();
    private final Path topologyFile;

    private TestNetwork(Path script, String prefix, Process harness, Path topologyFile) {
        this.script = script;
        this.prefix = prefix;
        this.harness = harness;
        this.topologyFile = topologyFile;
    }

    /** Builds the network and returns once every link forwards. */
    public static TestNetwork start(Topology topology) throws IOException, InterruptedException {
        Path script = script();
        String prefix = "tl-" + HexFormat.of().toHexDigits(RandomGenerator.getDefault().nextInt()).substring(0, 6) + "-";
        Path file = Files.createTempFile("tendril-topology", ".txt");
        Files.writeString(file, topology.text());
        Process p = new ProcessBuilder(script.toString(), "up", file.toString(), "--prefix", prefix)
                .redirectErrorStream(true).start();
        TestNetwork net = new TestNetwork(script, prefix, p, file);
        CountDownLatch ready = new CountDownLatch(1);
        AtomicBoolean sawReady = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    net.harnessOutput.add(line);
                    if (line.startsWith("READY ")) {
                        sawReady.set(true);
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the harness went away; close() reports
            }
            ready.countDown();
        }, "tendril-links " + prefix);
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(readyTimeout(topology).toMillis(), TimeUnit.MILLISECONDS) || !sawReady.get()) {
            net.close();
            throw new IllegalStateException("tendril-links did not come up: " + String.join("\n", net.harnessOutput));
        }
        return net;
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("compose/links/tendril-links");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("compose/links/tendril-links not found above " + Path.of("").toAbsolutePath());
    }

    public String prefix() {
        return prefix;
    }

    /** The network namespace of a host. */
    public String namespace(String host) {
        return prefix + host;
    }

    /** The namespace's inode number: what the kernel (and the eBPF probe) calls it. */
    public long namespaceInode(String host) throws IOException {
        return ((Number) Files.getAttribute(Path.of("/run/netns", namespace(host)), "unix:ino")).longValue();
    }

    /** {@code ip netns exec <namespace> command...} */
    public List<String> command(String host, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Starts a command in a host, output to {@code log}; stopped (SIGTERM) and reaped on close. */
    public Process spawn(Path log, String host, String... command) throws IOException {
        Process p = new ProcessBuilder(command(host, command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        spawned.add(p);
        return p;
    }

    /** Runs a command in a host to completion (or kills it at the timeout); returns its exit status. */
    public int run(Duration timeout, String host, String... command) throws IOException, InterruptedException {
        return runBehind(List.of(), timeout, host, command);
    }

    /**
     * As {@link #run}, the whole {@code ip netns exec} behind {@code prefix} (e.g. {@code nice -n 19}:
     * entering the namespace runs at that priority too).
     */
    public int runBehind(List<String> prefix, Duration timeout, String host, String... command)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command(host, command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            return -1;
        }
        return p.exitValue();
    }

    /**
     * Changes a running link ({@code tendril-links set}): delay, jitter and loss from now on.
     * Only links that were impaired from the start can change (give them e.g. 100 µs delay).
     */
    public void setLink(String a, String b, Topology.Link link) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "set", prefix, a, b));
        cmd.addAll(List.of(link.options().split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new IllegalStateException("tendril-links set " + a + "-" + b + " did not end");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("tendril-links set " + a + "-" + b + " failed: " + out.strip());
        }
    }

    /** What the harness printed so far (relay counters appear at teardown). */
    public List<String> harnessOutput() {
        return List.copyOf(harnessOutput);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : spawned) {
            p.destroy();
        }
        for (Process p : spawned) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        harness.destroy();
        if (!harness.waitFor(30, TimeUnit.SECONDS)) {
            harness.destroyForcibly();
            harness.waitFor();
        }
        try {
            Process down = new ProcessBuilder(script.toString(), "down", prefix).inheritIO().start();
            down.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(topologyFile);
        } catch (IOException e) {
            throw new IllegalStateException("tendril-links down " + prefix + " failed", e);
        }
    }
}
