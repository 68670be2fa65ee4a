package dev.tendril.edge.adapter.out.file;

import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spoofable load file is parsed only when its text changed, and every change is seen. */
class FileHardwareCollectorTest {
    @TempDir
    Path dir;

    private static String load(String cpu) {
        return "{\"cpuLoad\": " + cpu + ", \"memory\": {\"total\": \"8Gi\", \"used\": \"2Gi\"}}";
    }

    @Test
    void everyRewriteIsSeenEvenOfTheSameLength() throws IOException {
        Path file = dir.resolve("load.json");
        FileHardwareCollector c = new FileHardwareCollector(file);
        Files.writeString(file, load("0.95"));
        assertEquals(0.95, c.read().orElseThrow().cpuLoad(), 1e-9);
        assertEquals(0.95, c.read().orElseThrow().cpuLoad(), 1e-9, "unchanged text, same reading");
        Files.writeString(file, load("0.15")); // same length, written at once
        assertEquals(0.15, c.read().orElseThrow().cpuLoad(), 1e-9);
    }

    @Test
    void aBadFileBetweenTwoGoodOnesGivesNoReadingAndThenTheReadingAgain() throws IOException {
        Path file = dir.resolve("load.json");
        FileHardwareCollector c = new FileHardwareCollector(file);
        Files.writeString(file, load("0.5"));
        HardwareReading first = c.read().orElseThrow();
        Files.writeString(file, "{\"cpuLoad\": 7}");
        assertEquals(Optional.empty(), c.read());
        Files.delete(file);
        assertEquals(Optional.empty(), c.read());
        Files.writeString(file, load("0.5"));
        assertEquals(Optional.of(first), c.read());
        assertTrue(c.read().isPresent());
    }
}
