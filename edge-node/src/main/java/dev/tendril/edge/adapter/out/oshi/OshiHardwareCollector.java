package dev.tendril.edge.adapter.out.oshi;

import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.monitoring.hardware.HardwareCollector;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.software.os.OSFileStore;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * Measures this machine with OSHI: CPU load between two reads (all CPUs), memory
 * (used = total - available), and the disk that holds {@code diskPath} (used = total -
 * free, as df counts it); NVIDIA GPUs through {@link NvidiaSmiGpuReader}. The first read
 * after start reports the load since the collector was built.
 */
public final class OshiHardwareCollector implements HardwareCollector {
    private static final Logger LOG = LoggerFactory.getLogger(OshiHardwareCollector.class);
    private final SystemInfo system = new SystemInfo();
    private final CentralProcessor cpu;
    private final GlobalMemory memory;
    private final Path diskPath;
    private final NvidiaSmiGpuReader gpus;
    private long[] previousTicks;

    public OshiHardwareCollector(Path diskPath, NvidiaSmiGpuReader gpus) {
        this.cpu = system.getHardware().getProcessor();
        this.memory = system.getHardware().getMemory();
        this.diskPath = diskPath.toAbsolutePath();
        this.gpus = gpus;
        this.previousTicks = cpu.getSystemCpuLoadTicks();
    }

    @Override
    public synchronized Optional<HardwareReading> read() {
        try {
            double load = cpu.getSystemCpuLoadBetweenTicks(previousTicks);
            previousTicks = cpu.getSystemCpuLoadTicks();
            long memTotal = memory.getTotal();
            long memUsed = memTotal - memory.getAvailable();
            Optional<OSFileStore> store = fileStore();
            long diskTotal = store.map(OSFileStore::getTotalSpace).orElse(0L);
            long diskUsed = store.map(s -> s.getTotalSpace() - s.getFreeSpace()).orElse(0L);
            return Optional.of(new HardwareReading(Math.min(1, Math.max(0, load)), memTotal, memUsed,
                    diskTotal, diskUsed, gpus.read()));
        } catch (RuntimeException e) {
            LOG.warn("hardware read failed: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Number of logical CPUs (for reports). */
    public int logicalCpus() {
        return cpu.getLogicalProcessorCount();
    }

    private Optional<OSFileStore> fileStore() {
        String path = diskPath.toString();
        return system.getOperatingSystem().getFileSystem().getFileStores().stream()
                .filter(s -> path.equals(s.getMount()) || path.startsWith(s.getMount().endsWith("/") ? s.getMount() : s.getMount() + "/"))
                .max(Comparator.comparingInt(s -> s.getMount().length()));
    }
}
