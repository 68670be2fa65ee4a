package dev.tendril.edge.adapter.out.ebpf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Degraded mode: a process that may not load eBPF programs still starts its probe, logs ONE
 * line saying what is missing and that latency-driven actions are off, and reports
 * "not measuring" (BpfProbeCheck exits 3). Two ways to be denied: an unprivileged user
 * (nobody), and root with every capability dropped. Needs root (to drop to them) and setpriv
 * (util-linux).
 */
class BpfProbeDegradedIT {
    private static final String MESSAGE = "latency-driven actions are off";

    @TempDir
    Path tmp;

    @Test
    void unprivilegedUserGetsDegradedModeWithOneClearMessage() throws Exception {
        String classPath = worldReadableCopyOfClassPath();
        Result r = runCheck(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), classPath);
        assertDegraded(r);
    }

    @Test
    void rootWithoutCapabilitiesGetsDegradedModeWithOneClearMessage() throws Exception {
        Result r = runCheck(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all"),
                System.getProperty("java.class.path"));
        assertDegraded(r);
    }

    private static void assertDegraded(Result r) {
        assertEquals(3, r.exit(), "BpfProbeCheck should exit 3 (degraded):\n" + r.output());
        List<String> lines = r.output().lines().filter(l -> l.contains(MESSAGE)).toList();
        assertEquals(1, lines.size(), "exactly one degraded-mode message:\n" + r.output());
        String line = lines.get(0);
        assertTrue(line.contains("WARN"), line);
        assertTrue(line.contains("DEGRADED"), line);
        assertTrue(line.contains("CAP_BPF") && line.contains("root"), "says what is missing: " + line);
        assertTrue(r.output().contains("measuring: false"), r.output());
        assertTrue(!r.output().contains("Exception"), "no stack traces:\n" + r.output());
    }

    private record Result(int exit, String output) { }

    private Result runCheck(List<String> dropPrivileges, String classPath) throws Exception {
        Tools.require("setpriv", "util-linux");
        List<String> cmd = new ArrayList<>(dropPrivileges);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-cp", classPath, BpfProbeCheck.class.getName()));
        Path out = tmp.resolve("check.out");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** nobody may not read a class path under /root: copy it to a world-readable place. */
    private String worldReadableCopyOfClassPath() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve(i++ + "-" + source.getFileName());
            copy(source, target);
            entries.add(target.toString());
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copy(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.copy(source, target);
            return;
        }
        try (Stream<Path> all = Files.walk(source)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

}
