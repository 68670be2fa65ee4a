package dev.tendril.edge.selforg.adapter.out.monitoring;

import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import dev.tendril.edge.selforg.application.port.out.LoadGauge;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.protocol.grid.Capacity;

import java.util.Optional;

/**
 * {@link LoadGauge} from the hardware monitor's latest reading (OSHI, nvidia-smi, or the
 * file collector that spoofs load). Free capacity: the platform's CPUs times the idle
 * fraction, free memory and disk, GPUs below half utilisation.
 */
public final class MonitorLoadGauge implements LoadGauge {
    private final HardwareMonitor monitor;
    private final Platform platform;

    public MonitorLoadGauge(HardwareMonitor monitor, Platform platform) {
        this.monitor = monitor;
        this.platform = platform;
    }

    private Optional<HardwareReading> latest() {
        return monitor.summary().latest();
    }

    @Override
    public LoadSample load() {
        return latest().map(r -> new LoadSample(r.cpuLoad(), r.memoryFraction(), r.gpuUtilization(), r.diskFraction()))
                .orElse(LoadSample.IDLE);
    }

    @Override
    public Capacity free() {
        var h = platform.hardware();
        return latest().map(r -> Capacity.of(h.cpus() * (1 - r.cpuLoad()),
                        Math.max(0, r.memoryTotalBytes() - r.memoryUsedBytes()),
                        r.gpus().isEmpty() ? 0 : r.gpus().stream().filter(g -> g.utilization() < 0.5).count(),
                        Math.max(0, r.diskTotalBytes() - r.diskUsedBytes())))
                .orElse(Capacity.of(h.cpus(), h.ramBytes(), h.gpus(), h.diskBytes()));
    }
}
