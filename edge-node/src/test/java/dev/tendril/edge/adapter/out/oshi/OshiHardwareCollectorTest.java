package dev.tendril.edge.adapter.out.oshi;

import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads this machine through OSHI and compares with what the JDK sees. */
class OshiHardwareCollectorTest {
    @Test
    void readsThisMachine() {
        OshiHardwareCollector c = new OshiHardwareCollector(Path.of("/"), new NvidiaSmiGpuReader(cmd -> Optional.empty()));
        HardwareReading r = c.read().orElseThrow();
        assertTrue(r.memoryTotalBytes() > 0 && r.memoryUsedBytes() > 0 && r.memoryUsedBytes() <= r.memoryTotalBytes());
        File root = new File("/");
        assertEquals(root.getTotalSpace(), r.diskTotalBytes());
        long jdkUsed = root.getTotalSpace() - root.getFreeSpace();
        assertTrue(Math.abs(r.diskUsedBytes() - jdkUsed) < (256L << 20), "df-like used: " + r.diskUsedBytes() + " vs " + jdkUsed);
        assertTrue(r.cpuLoad() >= 0 && r.cpuLoad() <= 1);
        assertEquals(Runtime.getRuntime().availableProcessors(), c.logicalCpus());
        assertTrue(r.gpus().isEmpty());
    }
}
