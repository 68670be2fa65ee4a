package dev.tendril.edge.monitoring.hardware;

import dev.tendril.edge.adapter.out.file.FileHardwareCollector;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.spec.Thresholds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareMonitorTest {
    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();
    // 10 s window, 1 s samples, cpu threshold 0.8
    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 3);

    private void load(Path file, double cpu, double gpuUtil) throws IOException {
        Files.writeString(file, """
                {"cpuLoad": %s, "memory": {"total": "8Gi", "used": "2Gi"}, "disk": {"total": 1000, "used": 950},
                 "gpus": [{"name": "A100", "utilization": %s, "memoryTotal": "40Gi", "memoryUsed": "10Gi"}]}
                """.formatted(cpu, gpuUtil));
    }

    @Test
    void shortageOnlyAfterAWholeWindowAboveTheThreshold() throws IOException {
        Path file = dir.resolve("load.json");
        HardwareMonitor monitor = new HardwareMonitor(new FileHardwareCollector(file), clock, policies);
        load(file, 0.95, 0.2);
        for (int i = 0; i < 5; i++) {
            monitor.sample();
            clock.advance(Duration.ofSeconds(1));
        }
        assertFalse(monitor.summary().cpuShort(), "half a window is not a shortage");
        for (int i = 0; i < 6; i++) {
            monitor.sample();
            clock.advance(Duration.ofSeconds(1));
        }
        LoadSummary s = monitor.summary();
        assertTrue(s.cpuShort());
        assertTrue(s.diskShort(), "950 of 1000 bytes used is above 0.9");
        assertFalse(s.memoryShort());
        assertFalse(s.gpuShort());
        assertEquals(0.95, s.cpu(), 1e-9);
        assertEquals(0.25, s.memory(), 1e-9);
        assertEquals(1, s.latest().orElseThrow().gpus().size());

        load(file, 0.10, 0.2);
        monitor.sample();
        assertFalse(monitor.summary().cpuShort(), "one low sample ends the shortage");
        assertTrue(monitor.summary(Optional.of(new Thresholds(0.05, 0.9, 0.9, 0.99))).cpuShort(), "a service override applies");
    }

    @Test
    void aBadFileIsCountedAndKeepsTheWindows() throws IOException {
        Path file = dir.resolve("load.json");
        HardwareMonitor monitor = new HardwareMonitor(new FileHardwareCollector(file), clock, policies);
        load(file, 0.5, 0);
        monitor.sample();
        Files.writeString(file, "{\"cpuLoad\": 7}");
        monitor.sample();
        Files.delete(file);
        monitor.sample();
        LoadSummary s = monitor.summary();
        assertEquals(2, s.failedReads());
        assertEquals(1, s.samples());
        assertEquals(0.5, s.cpu(), 1e-9);
    }

    @Test
    void windowForgetsOldSamples() {
        MovingWindow w = new MovingWindow(Duration.ofSeconds(3));
        w.add(clock.instant(), 1.0);
        clock.advance(Duration.ofSeconds(2));
        w.add(clock.instant(), 3.0);
        assertEquals(2.0, w.mean(clock.instant()).orElseThrow(), 1e-9);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(3.0, w.mean(clock.instant()).orElseThrow(), 1e-9);
        assertEquals(1, w.size(clock.instant()));
    }
}
