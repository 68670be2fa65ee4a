package dev.tendril.edge.domain;

import dev.tendril.protocol.spec.Arch;

import java.util.Objects;

/** What a platform has: arch, CPUs, RAM and disk in bytes, GPU count. */
public record Hardware(Arch arch, double cpus, long ramBytes, long diskBytes, int gpus) {
    public Hardware {
        Objects.requireNonNull(arch, "arch");
        if (!(cpus > 0) || ramBytes <= 0 || diskBytes < 0 || gpus < 0) {
            throw new IllegalArgumentException("hardware needs cpus > 0, ram > 0, disk >= 0, gpus >= 0");
        }
    }
}
