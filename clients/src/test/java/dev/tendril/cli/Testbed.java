package dev.tendril.cli;

import dev.tendril.root.testing.ListenPorts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real processes for acceptance tests: a root and edge nodes started from their packaged
 * jars, plus dig, docker and HTTP helpers. Every process is a child of the test and is
 * killed by {@link #close()}.
 */
final class Testbed implements AutoCloseable {
    static final Path REPO = findRepo();
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    Testbed(Path dir) {
        this.dir = dir;
    }

    static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/build-demo-image.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static String classpath(String module) {
        Path jar = REPO.resolve(module + "/target/" + module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(jar) || !Files.isDirectory(REPO.resolve(module + "/target/lib"))) {
            throw new AssertionError(jar + " is missing: build it first (mvn -pl " + module + " -am package -DskipTests)");
        }
        return jar + ":" + REPO.resolve(module + "/target/lib") + "/*";
    }

    static void requireTool(String tool, String pkg) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(tool + " is missing: apt-get install " + pkg);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot look for " + tool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command to its end; returns stdout+stderr, or fails the test when it fails. */
    static String run(Duration limit, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + limit);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Process start(String name, Path workDir, String... command) throws IOException {
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(p);
        return p;
    }

    /** dig, a running dockerd and the locally built demo image: what the Docker-backed edge ITs need. */
    static void requireDockerAndDemoImage() {
        requireTool("dig", "dnsutils");
        requireTool("docker", "docker.io");
        run(Duration.ofSeconds(90), REPO.resolve("scripts/ensure-dockerd.sh").toString());
        run(Duration.ofSeconds(90), REPO.resolve("scripts/build-demo-image.sh").toString());
    }

    /** Starts bin/tendril-root on the built-in demo config with these ports and a database in this bed's folder; waits until it is ready. */
    Process startRoot(int dnsPort, int controlPort) throws IOException {
        Path ready = dir.resolve("root.ready");
        Files.deleteIfExists(ready); // a restart: wait for the new root's file
        Process p = start("root", dir, REPO.resolve("bin/tendril-root").toString(), "--config", "builtin:demo",
                "--set", "dns.port=" + dnsPort, "--set", "control.port=" + controlPort,
                "--set", "store.path=" + dir.resolve("topology.db"), "--ready-file", ready.toString());
        until("root ready", Duration.ofSeconds(60), () -> Files.exists(ready) ? Optional.of(true) : Optional.empty());
        return p;
    }

    /** docker rm -f of the named containers; missing ones are fine. */
    static void removeContainers(String... names) {
        List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
        cmd.addAll(List.of(names));
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            // nothing to clean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Waits for a line matching {@code pattern} in a process log; returns the match. */
    Matcher awaitLog(String name, Pattern pattern, Duration limit) {
        return until(name + ": " + pattern, limit, () -> {
            try {
                Path log = log(name);
                if (!Files.exists(log)) {
                    return Optional.empty();
                }
                Matcher m = pattern.matcher(Files.readString(log));
                return m.find() ? Optional.of(m) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    static <T> T until(String what, Duration limit, Supplier<Optional<T>> probe) {
        return until(what, limit, Duration.ofMillis(10), probe);
    }

    /**
     * As above; on a timeout the error carries {@code context} (a process's log tail: the process and its
     * folder may be gone by the time anyone reads the report).
     */
    static <T> T until(String what, Duration limit, Supplier<Optional<T>> probe, Supplier<String> context) {
        try {
            return until(what, limit, probe);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + context.get(), e);
        }
    }

    /**
     * Whether {@code tendrilctl deploy}'s output says the node registered under {@code parentId}: attached, or
     * attaching (the parent has not acknowledged the Attach within the call; the next round attaches again).
     */
    static boolean registeredUnder(String deployOutput, String parentId) {
        return deployOutput.contains("registered, attached to " + parentId)
                || deployOutput.contains("registered; attaching to " + parentId);
    }

    /** The last {@code chars} characters of {@code text}, whole lines. */
    static String tail(String text, int chars) {
        if (text.length() <= chars) {
            return text;
        }
        int from = text.indexOf('\n', text.length() - chars);
        return from < 0 ? text.substring(text.length() - chars) : text.substring(from + 1);
    }

    /** As above, probing every {@code pace} (a probe that starts processes should not run every 10 ms). */
    static <T> T until(String what, Duration limit, Duration pace, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what);
            }
            try {
                Thread.sleep(pace.toMillis()); // poll interval
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A free port for a server under test, never one the kernel hands out as a client's ({@link ListenPorts}). */
    static int freePort() {
        return ListenPorts.free();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
