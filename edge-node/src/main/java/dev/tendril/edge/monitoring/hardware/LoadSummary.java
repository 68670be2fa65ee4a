package dev.tendril.edge.monitoring.hardware;

import java.util.Optional;

/**
 * The load of the machine as the windows see it: window means as fractions in [0, 1], the
 * latest reading, and which resources stayed above their threshold for a whole window.
 */
public record LoadSummary(Optional<HardwareReading> latest, double cpu, double memory, double disk, double gpu,
                          int samples, long failedReads, boolean cpuShort, boolean memoryShort, boolean diskShort,
                          boolean gpuShort) {
    public boolean anyShort() {
        return cpuShort || memoryShort || diskShort || gpuShort;
    }
}
