package dev.tendril.edge.adapter.out.proc;

import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads a /proc written by the test, and this machine's, compared with what the JDK sees. */
class ProcHardwareCollectorTest {
    private static final NvidiaSmiGpuReader NO_GPUS = new NvidiaSmiGpuReader(cmd -> Optional.empty());

    @TempDir
    Path proc;

    @Test
    void loadIsTheBusyShareOfTheTicksBetweenReads() throws IOException {
        stat(100, 0, 100, 700, 100, 0, 0, 0);
        meminfo(4_000_000, 1_000_000);
        ProcHardwareCollector c = new ProcHardwareCollector(proc, proc, NO_GPUS);
        // 300 ticks pass: 60 user + 30 system busy, 200 idle, 10 iowait -> 90 / 300 busy
        stat(160, 0, 130, 900, 110, 0, 0, 0);
        HardwareReading r = c.read().orElseThrow();
        assertEquals(0.3, r.cpuLoad(), 1e-9);
        assertEquals(4_000_000L * 1024, r.memoryTotalBytes());
        assertEquals(3_000_000L * 1024, r.memoryUsedBytes());
        assertTrue(r.diskTotalBytes() > 0 && r.diskUsedBytes() <= r.diskTotalBytes());
        assertTrue(r.gpus().isEmpty());
        // no tick passed since: load 0, not a division by zero
        assertEquals(0.0, c.read().orElseThrow().cpuLoad());
    }

    @Test
    void aMissingFigureIsNoReading() throws IOException {
        stat(1, 0, 1, 1, 0, 0, 0, 0);
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 1000 kB\n");
        assertFalse(new ProcHardwareCollector(proc, proc, NO_GPUS).read().isPresent());
        assertFalse(ProcHardwareCollector.available(proc.resolve("nothing")));
    }

    @Test
    void aLongMeminfoAndTabsAreRead() throws IOException {
        Files.writeString(proc.resolve("stat"), "cpu \t5 0\t5 90 0 0 0 0\n");
        // longer than the collector's first buffer (4 KB), the figure it needs last
        StringBuilder meminfo = new StringBuilder("MemTotal:\t2000 kB\n");
        for (int i = 0; i < 300; i++) {
            meminfo.append("Filler").append(i).append(":   ").append(i).append(" kB\n");
        }
        Files.writeString(proc.resolve("meminfo"), meminfo.append("MemAvailable: 500 kB").toString());
        ProcHardwareCollector c = new ProcHardwareCollector(proc, proc, NO_GPUS);
        HardwareReading r = c.read().orElseThrow();
        assertEquals(2000L * 1024, r.memoryTotalBytes());
        assertEquals(1500L * 1024, r.memoryUsedBytes());
        Files.writeString(proc.resolve("stat"), "cpu  15 0 15 170 0 0 0 0\n");
        assertEquals(0.2, c.read().orElseThrow().cpuLoad(), 1e-9);
    }

    @Test
    void aStatWithoutItsCpuLineFirstIsNoReading() throws IOException {
        meminfo(1000, 500);
        Files.writeString(proc.resolve("stat"), "intr 1\ncpu  1 2 3 4 5 6 7 8\n");
        assertFalse(new ProcHardwareCollector(proc, proc, NO_GPUS).read().isPresent());
        Files.writeString(proc.resolve("stat"), "cpu  x\n");
        assertFalse(new ProcHardwareCollector(proc, proc, NO_GPUS).read().isPresent());
    }

    @Test
    void numbersStopAtTheFirstWordThatIsNotOne() {
        assertArrayEquals(new long[] {1, 22, 333}, ProcHardwareCollector.numbers("cpu  1 22\t333 x 4", 4, 8));
        assertArrayEquals(new long[] {1, 22}, ProcHardwareCollector.numbers("cpu  1 22 333", 4, 2));
        assertArrayEquals(new long[0], ProcHardwareCollector.numbers("cpu ", 4, 8));
    }

    @Test
    void readsThisMachine() {
        Path real = Path.of("/proc");
        assertTrue(ProcHardwareCollector.available(real), "a Linux /proc");
        HardwareReading r = new ProcHardwareCollector(real, Path.of("/"), NO_GPUS).read().orElseThrow();
        assertTrue(r.memoryTotalBytes() > 0 && r.memoryUsedBytes() > 0 && r.memoryUsedBytes() <= r.memoryTotalBytes());
        File root = new File("/");
        assertEquals(root.getTotalSpace(), r.diskTotalBytes());
        long jdkUsed = root.getTotalSpace() - root.getFreeSpace();
        assertTrue(Math.abs(r.diskUsedBytes() - jdkUsed) < (256L << 20), "df-like used: " + r.diskUsedBytes() + " vs " + jdkUsed);
        assertTrue(r.cpuLoad() >= 0 && r.cpuLoad() <= 1);
    }

    private void stat(long... ticks) throws IOException {
        StringBuilder line = new StringBuilder("cpu ");
        for (long t : ticks) {
            line.append(' ').append(t);
        }
        Files.writeString(proc.resolve("stat"), line + " 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n");
    }

    private void meminfo(long totalKib, long availableKib) throws IOException {
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       " + totalKib + " kB\nMemFree: 5 kB\nMemAvailable:   "
                + availableKib + " kB\n");
    }
}
