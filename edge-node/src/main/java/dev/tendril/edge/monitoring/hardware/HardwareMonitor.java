package dev.tendril.edge.monitoring.hardware;

import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.protocol.spec.Thresholds;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Samples a {@link HardwareCollector} into moving windows (CPU, memory, disk, GPU
 * utilisation). {@link #sample()} is called by a scheduler every sample interval; readers
 * get a {@link LoadSummary}. Thread-safe (methods are synchronized; sampling is cheap).
 */
public final class HardwareMonitor {
    private final HardwareCollector collector;
    private final Clock clock;
    private final NodePolicies policies;
    private final MovingWindow cpu;
    private final MovingWindow memory;
    private final MovingWindow disk;
    private final MovingWindow gpu;
    private HardwareReading latest;
    private long failedReads;

    public HardwareMonitor(HardwareCollector collector, Clock clock, NodePolicies policies) {
        this.collector = collector;
        this.clock = clock;
        this.policies = policies;
        this.cpu = new MovingWindow(policies.loadWindow());
        this.memory = new MovingWindow(policies.loadWindow());
        this.disk = new MovingWindow(policies.loadWindow());
        this.gpu = new MovingWindow(policies.loadWindow());
    }

    /** Takes one reading now; a failed read is counted and leaves the windows as they are. */
    public synchronized void sample() {
        Optional<HardwareReading> r = collector.read();
        if (r.isEmpty()) {
            failedReads++;
            return;
        }
        Instant now = clock.instant();
        latest = r.get();
        cpu.add(now, latest.cpuLoad());
        memory.add(now, latest.memoryFraction());
        disk.add(now, latest.diskFraction());
        gpu.add(now, latest.gpuUtilization());
    }

    /** The summary against the node's thresholds, or a service's override. */
    public synchronized LoadSummary summary(Optional<Thresholds> override) {
        Thresholds t = override.orElse(policies.thresholds());
        Instant now = clock.instant();
        var slack = policies.sampleInterval();
        boolean hasGpu = latest != null && !latest.gpus().isEmpty();
        return new LoadSummary(Optional.ofNullable(latest),
                cpu.mean(now).orElse(0), memory.mean(now).orElse(0), disk.mean(now).orElse(0), gpu.mean(now).orElse(0),
                cpu.size(now), failedReads,
                cpu.aboveForWholeWindow(t.cpu(), now, slack),
                memory.aboveForWholeWindow(t.ram(), now, slack),
                disk.aboveForWholeWindow(t.disk(), now, slack),
                hasGpu && gpu.aboveForWholeWindow(t.gpu(), now, slack));
    }

    public LoadSummary summary() {
        return summary(Optional.empty());
    }
}
