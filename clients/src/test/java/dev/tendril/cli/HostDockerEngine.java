package dev.tendril.cli;

import dev.tendril.edge.testing.links.TestNetwork;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker engine of its own for one emulated host of a link-harness network, so that
 * published ports bind inside that host's network namespace, as on a real machine: its
 * {@code docker0} bridge, its iptables DNAT rules and its userland proxies all live there.
 *
 * <p>{@code dockerd} (with its own managed containerd) enters only the host's network
 * namespace ({@code nsenter --net}): {@code ip netns exec} would also remount {@code /sys}
 * for the namespace, which hides the cgroup mounts ("Devices cgroup isn't mounted"). It
 * runs under {@code docker-init -s} (tini as a subreaper), so the containerd shims that
 * outlive their parents are reaped (PID 1 does not reap orphans on these machines). State:
 * {@code <dir>/data} (images, containers) and a short exec root under {@code /run} (unix
 * socket paths are limited to 108 bytes). The default bridge uses 10.254.0.1/24, apart from
 * the harness' test addresses. {@link #close()} removes the containers, stops the engine,
 * unmounts what it left and deletes its state, also after a failed test.
 */
final class HostDockerEngine implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private final String host;
    private final Path data;
    private final Path execRoot;
    private final Path log;
    private final Process process;

    private HostDockerEngine(String host, Path data, Path execRoot, Path log, Process process) {
        this.host = host;
        this.data = data;
        this.execRoot = execRoot;
        this.log = log;
        this.process = process;
    }

    /** Starts dockerd in {@code host}'s namespace; returns without waiting for it (see {@link #awaitReady()}). */
    static HostDockerEngine start(TestNetwork net, String host, Path dir) throws IOException {
        Testbed.requireTool("dockerd", "docker.io");
        Testbed.requireTool("docker-init", "docker.io");
        Testbed.requireTool("nsenter", "util-linux");
        Path data = Files.createDirectories(dir.resolve("docker-" + host));
        Path execRoot = Path.of("/run/tdk-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6));
        Files.createDirectories(execRoot);
        Path log = dir.resolve("dockerd-" + host + ".log");
        List<String> cmd = List.of("nsenter", "--net=/run/netns/" + net.namespace(host), "docker-init", "-s", "--",
                "dockerd", "--host", "unix://" + execRoot.resolve("docker.sock"), "--data-root", data.resolve("data").toString(),
                "--exec-root", execRoot.toString(), "--pidfile", execRoot.resolve("docker.pid").toString(),
                "--bip", "10.254.0.1/24", "--log-level", "warn");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new HostDockerEngine(host, data, execRoot, log, p);
    }

    /** What the edge node's {@code runtime.dockerHost} says. */
    String dockerHost() {
        return "unix://" + execRoot.resolve("docker.sock");
    }

    /** Waits until the engine answers; fails with the end of its log. */
    void awaitReady() {
        try {
            Testbed.until("dockerd in " + host, START_LIMIT, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("dockerd in " + host + " exited: " + tail());
                }
                return docker(Duration.ofSeconds(10), "info").isPresent() ? Optional.of(true) : Optional.empty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + tail(), e);
        }
    }

    /** Builds the demo image (scripts/build-demo-image.sh) into this engine. */
    void loadDemoImage() {
        try {
            ProcessBuilder b = new ProcessBuilder(Testbed.REPO.resolve("scripts/build-demo-image.sh").toString())
                    .redirectErrorStream(true);
            b.environment().put("DOCKER_HOST", dockerHost());
            Process p = b.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("build-demo-image into " + host + "'s engine failed: " + out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code docker -H <this engine> args}: its output when it exits 0. */
    Optional<String> docker(Duration limit, String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", dockerHost()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Removes every container, stops the engine and deletes its state; safe to call twice. */
    @Override
    public void close() {
        if (process.isAlive()) {
            docker(Duration.ofSeconds(30), "ps", "-aq").ifPresent(ids -> {
                List<String> all = ids.lines().filter(l -> !l.isBlank()).toList();
                if (!all.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(all);
                    docker(Duration.ofSeconds(30), rm.toArray(String[]::new));
                }
            });
            process.destroy(); // SIGTERM: tini hands it to dockerd, which stops containerd and unmounts
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unmountUnder(data);
        unmountUnder(execRoot);
        delete(data);
        delete(execRoot);
    }

    /** Unmounts whatever a killed engine left mounted below {@code dir} (overlay layers, netns files). */
    private static void unmountUnder(Path dir) {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].startsWith(dir.toString())) {
                    points.add(f[4]);
                }
            }
            points.sort(Comparator.comparingInt(String::length).reversed());
            for (String point : points) {
                new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            // nothing mounted we could see
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // the temp dir cleanup tries again
        }
    }
}
