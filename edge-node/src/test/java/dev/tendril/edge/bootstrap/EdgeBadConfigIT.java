package dev.tendril.edge.bootstrap;

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

/** A real edge process given a hostile or odd config file stops at once with exit status 2 and says why. */
class EdgeBadConfigIT {
    @TempDir
    Path dir;

    static Stream<Arguments> files() {
        String valid = EdgeConfigReaderTest.CONFIG.replace("  file: infra.yaml\n", "");
        return Stream.of(
                Arguments.of("duplicate admin key", valid + "admin: {key: other-key-0123456789}\n", 0, "duplicate key 'admin'"),
                Arguments.of("a list document", "- platform: {}\n", 0, "a list"),
                Arguments.of("a 30 MB config value", valid + "stateDir: \"", 30, "too large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void exitsWith2AndAClearError(String what, String yaml, int megabytesOfValue, String fragment) throws Exception {
        Path f = dir.resolve("edge.yaml");
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
        Path log = dir.resolve("edge.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.tendril.edge.bootstrap.EdgeNodeMain", "--config", f.toString(), "--check"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), what + ": the edge did not stop");
        String out = Files.readString(log);
        assertEquals(2, p.exitValue(), what + ": " + out);
        assertTrue(out.contains("not a valid edge node configuration") && out.contains(fragment), what + ": " + out);
        assertTrue(out.length() < 2_000, what + ": a short error, not the value: " + out.length() + " characters");
    }
}
