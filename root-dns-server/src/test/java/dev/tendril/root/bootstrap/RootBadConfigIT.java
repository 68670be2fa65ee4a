package dev.tendril.root.bootstrap;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A real root process given a hostile or odd config file stops at once with exit status 2 and says why. */
class RootBadConfigIT {
    @TempDir
    Path dir;

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("duplicate dns key", "dns:\n  port: 0\ndns:\n  port: 1\n", 0, "duplicate key 'dns'"),
                Arguments.of("a list document", "- id: a\n- id: b\n", 0, "a list"),
                Arguments.of("a 30 MB config value", "id: \"", 30, "bytes; at most"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void exitsWith2AndAClearError(String what, String yaml, int megabytesOfValue, String fragment) throws Exception {
        Path f = dir.resolve("root.yaml");
        try (var out = Files.newBufferedWriter(f)) {
            out.write(yaml);
            String chunk = "x".repeat(1 << 20);
            for (int i = 0; i < megabytesOfValue; i++) {
                out.write(chunk);
            }
            if (megabytesOfValue > 0) {
                out.write("\"\n");
            }
        }
        Path log = dir.resolve("root.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.tendril.root.bootstrap.RootMain", "--config", f.toString(), "--set", "store.path=" + dir.resolve("t.db")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), what + ": the root did not stop");
        String out = Files.readString(log);
        assertEquals(2, p.exitValue(), what + ": " + out);
        assertTrue(out.contains("invalid configuration") && out.contains(fragment), what + ": " + out);
        assertTrue(out.length() < 2_000, what + ": a short error, not the value: " + out.length() + " characters");
        assertFalse(Files.exists(dir.resolve("t.db")), "nothing was started");
    }
}
