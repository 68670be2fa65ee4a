package dev.tendril.edge.adapter.out.proc;

import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.monitoring.hardware.HardwareCollector;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Measures a Linux machine from {@code /proc}, as OSHI does there, without OSHI's start cost
 * (JNA, a few hundred classes, ~1 s for the first {@code SystemInfo}): CPU load between two
 * reads of the first line of {@code /proc/stat} (busy = all ticks but idle and iowait),
 * memory from {@code /proc/meminfo} (used = MemTotal - MemAvailable), and the file store that
 * holds {@code diskPath} (used = total - free, as df counts it); NVIDIA GPUs through
 * {@link NvidiaSmiGpuReader}. The first read reports the load since the collector was built.
 */
public final class ProcHardwareCollector implements HardwareCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ProcHardwareCollector.class);
    private final Path proc;
    private final Path diskPath;
    private final NvidiaSmiGpuReader gpus;
    private long[] previous;
    private String lastFailure = "";

    /** @param proc the proc file system ({@code /proc}; another folder in tests) */
    public ProcHardwareCollector(Path proc, Path diskPath, NvidiaSmiGpuReader gpus) {
        this.proc = proc;
        this.diskPath = diskPath.toAbsolutePath();
        this.gpus = gpus;
        this.previous = ticksOrZero();
    }

    /** Whether this machine has the files this collector reads (a Linux {@code /proc}). */
    public static boolean available(Path proc) {
        return Files.isReadable(proc.resolve("stat")) && Files.isReadable(proc.resolve("meminfo"));
    }

    @Override
    public synchronized Optional<HardwareReading> read() {
        try {
            long[] now = ticks();
            double load = load(previous, now);
            previous = now;
            long[] memory = memory();
            FileStore store = Files.getFileStore(diskPath);
            long diskTotal = store.getTotalSpace();
            long diskUsed = Math.max(0, diskTotal - store.getUnallocatedSpace());
            lastFailure = "";
            return Optional.of(new HardwareReading(load, memory[0], memory[1], diskTotal, diskUsed, gpus.read()));
        } catch (IOException | RuntimeException e) {
            if (!e.toString().equals(lastFailure)) { // once per distinct problem
                LOG.warn("hardware read failed: {}", e.toString());
                lastFailure = e.toString();
            }
            return Optional.empty();
        }
    }

    /** Busy share of the ticks between two reads, in [0, 1]; 0 when no tick passed. */
    static double load(long[] before, long[] after) {
        long total = 0;
        long idle = 0;
        for (int i = 0; i < after.length; i++) {
            long d = Math.max(0, after[i] - (i < before.length ? before[i] : 0));
            total += d;
            if (i == 3 || i == 4) { // idle, iowait
                idle += d;
            }
        }
        return total == 0 ? 0 : Math.min(1, Math.max(0, (double) (total - idle) / total));
    }

    /** user nice system idle iowait irq softirq steal of all CPUs (guest time is inside user). */
    private long[] ticks() throws IOException {
        try (var lines = Files.lines(proc.resolve("stat"))) {
            String cpu = lines.filter(l -> l.startsWith("cpu ")).findFirst()
                    .orElseThrow(() -> new IOException(proc.resolve("stat") + " has no 'cpu' line"));
            String[] f = cpu.trim().split("\\s+");
            long[] t = new long[Math.min(8, f.length - 1)];
            for (int i = 0; i < t.length; i++) {
                t[i] = Long.parseLong(f[i + 1]);
            }
            return t;
        }
    }

    private long[] ticksOrZero() {
        try {
            return ticks();
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /** {total, used} in bytes. */
    private long[] memory() throws IOException {
        long total = -1;
        long available = -1;
        for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                total = kibibytes(line);
            } else if (line.startsWith("MemAvailable:")) {
                available = kibibytes(line);
            }
        }
        if (total < 0 || available < 0) {
            throw new IOException(proc.resolve("meminfo") + " lacks MemTotal or MemAvailable");
        }
        return new long[] {total, Math.max(0, total - available)};
    }

    private static long kibibytes(String line) {
        List<String> f = List.of(line.trim().split("\\s+"));
        return Long.parseLong(f.get(1)) * 1024;
    }
}
