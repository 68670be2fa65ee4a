package dev.tendril.edge.domain;

/** What a platform has left: CPUs, RAM bytes, disk bytes, idle GPUs. */
public record FreeCapacity(double cpus, long ramBytes, long diskBytes, int gpus) {
    public static FreeCapacity all(Hardware h) {
        return new FreeCapacity(h.cpus(), h.ramBytes(), h.diskBytes(), h.gpus());
    }
}
