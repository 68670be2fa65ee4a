package dev.tendril.root.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real root process (a separate JVM running RootMain on this test's classpath) on free
 * ports, for integration tests. Its log goes to {@code <dir>/root-<n>.log}.
 */
public final class RootProcessHandle implements AutoCloseable {
    private final Process process;
    private final Properties ready;
    private final Path log;

    private RootProcessHandle(Process process, Properties ready, Path log) {
        this.process = process;
        this.ready = ready;
        this.log = log;
    }

    /** Starts the built-in demo config with the database at {@code db}, DNS and control on free ports. */
    public static RootProcessHandle start(Path dir, Path db, String... extraSets) throws IOException {
        List<String> sets = new ArrayList<>(List.of("store.path=" + db, "dns.port=" + ListenPorts.free(), "control.port=" + ListenPorts.free(),
                "dns.ioThreads=1", "control.handlerThreads=16"));
        sets.addAll(List.of(extraSets));
        return start(dir, "builtin:demo", sets);
    }

    public static RootProcessHandle start(Path dir, String config, List<String> sets) throws IOException {
        return start(dir, config, sets, java.util.Map.of(), List.of());
    }

    /**
     * As {@link #start(Path, String, List)}, with these environment variables added (e.g. TENDRIL_LOG_FORMAT)
     * and these JVM options (e.g. -Dlogback.configurationFile=logback.xml: the production log setup
     * instead of the tests' logback-test.xml).
     */
    public static RootProcessHandle start(Path dir, String config, List<String> sets, java.util.Map<String, String> env,
                                          List<String> jvmOptions) throws IOException {
        int n = 1;
        while (Files.exists(dir.resolve("root-" + n + ".log"))) {
            n++;
        }
        Path log = dir.resolve("root-" + n + ".log");
        Path readyFile = dir.resolve("root-" + n + ".ready");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the launcher's variable (bin/tendril-root), so a benchmark can run the roots as the product is started
        String javaOpts = System.getenv("TENDRIL_ROOT_JAVA_OPTS");
        cmd.addAll(javaOpts == null || javaOpts.isBlank() ? List.of("-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                : List.of(javaOpts.trim().split("\\s+")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tendril.root.bootstrap.RootMain",
                "--config", config, "--ready-file", readyFile.toString()));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(readyFile)) {
            if (!p.isAlive()) {
                throw new AssertionError("the root exited with " + p.exitValue() + " before it was ready:\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the root was not ready within 60 s:\n" + Files.readString(log));
            }
            Poll.pause();
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(readyFile)) {
            props.load(in);
        }
        return new RootProcessHandle(p, props, log);
    }

    public int dnsPort() {
        return Integer.parseInt(ready.getProperty("dns.port"));
    }

    /** The operator HTTP port's {@code host:port}, when the root was started with {@code http.port}. */
    public String httpAuthority() {
        String a = ready.getProperty("http.authority");
        if (a == null) {
            throw new AssertionError("the root serves no HTTP port: start it with --set http.port=0");
        }
        return a;
    }

    public String controlEndpoint() {
        return ready.getProperty("control.endpoint");
    }

    public long startMillis() {
        return Long.parseLong(ready.getProperty("startMillis"));
    }

    /** Sends a signal by name (e.g. HUP) with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for a clean exit; returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
