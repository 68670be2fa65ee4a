package dev.tendril.edge.monitoring.hardware;

/** One GPU: utilisation as a fraction in [0, 1], memory in bytes. */
public record GpuReading(int index, String name, double utilization, long memoryTotalBytes, long memoryUsedBytes) {
    public GpuReading {
        name = name == null ? "" : name;
        if (!(utilization >= 0 && utilization <= 1) || memoryTotalBytes < 0 || memoryUsedBytes < 0) {
            throw new IllegalArgumentException("bad GPU reading: utilization " + utilization + ", memory " + memoryUsedBytes + "/" + memoryTotalBytes);
        }
    }
}
