package dev.tendril.edge.monitoring.hardware;

import java.util.List;

/**
 * One look at the machine: CPU load as a fraction of all CPUs in [0, 1], memory and disk in
 * bytes (used = total - free, as df counts it), and the GPUs (empty when none).
 */
public record HardwareReading(double cpuLoad, long memoryTotalBytes, long memoryUsedBytes,
                              long diskTotalBytes, long diskUsedBytes, List<GpuReading> gpus) {
    public HardwareReading {
        if (!(cpuLoad >= 0 && cpuLoad <= 1)) {
            throw new IllegalArgumentException("cpuLoad must be in [0, 1], got " + cpuLoad);
        }
        if (memoryTotalBytes < 0 || memoryUsedBytes < 0 || diskTotalBytes < 0 || diskUsedBytes < 0) {
            throw new IllegalArgumentException("sizes must be >= 0");
        }
        gpus = List.copyOf(gpus);
    }

    public double memoryFraction() {
        return fraction(memoryUsedBytes, memoryTotalBytes);
    }

    public double diskFraction() {
        return fraction(diskUsedBytes, diskTotalBytes);
    }

    /** Mean utilisation over all GPUs, 0 when there are none. */
    public double gpuUtilization() {
        return gpus.stream().mapToDouble(GpuReading::utilization).average().orElse(0);
    }

    private static double fraction(long used, long total) {
        return total <= 0 ? 0 : Math.min(1.0, (double) used / total);
    }
}
