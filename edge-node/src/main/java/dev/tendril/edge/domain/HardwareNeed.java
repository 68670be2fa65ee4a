package dev.tendril.edge.domain;

import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.util.EnumSet;
import java.util.Set;

/** What a platform must have free to host one more instance. An empty arch set means any arch. */
public record HardwareNeed(Set<Arch> archs, double cpus, long ramBytes, int gpus, long diskBytes) {
    public static final HardwareNeed ANY = new HardwareNeed(Set.of(), 0, 0, 0, 0);

    public HardwareNeed {
        archs = Set.copyOf(archs);
    }

    /** The need of a spec: archs it has an image for and allows, and its minimum resources. */
    public static HardwareNeed of(DeploymentSpec spec) {
        Set<Arch> archs = EnumSet.noneOf(Arch.class);
        for (Arch a : Arch.values()) {
            if (spec.runsOn(a)) {
                archs.add(a);
            }
        }
        var r = spec.requirements();
        return new HardwareNeed(archs.size() == Arch.values().length ? Set.of() : archs,
                r.minCpus(), r.minRamBytes(), r.minGpus(), r.minDiskBytes());
    }

    public boolean isMetBy(Hardware hardware, FreeCapacity free) {
        return (archs.isEmpty() || archs.contains(hardware.arch()))
                && free.cpus() >= cpus && free.ramBytes() >= ramBytes && free.gpus() >= gpus && free.diskBytes() >= diskBytes;
    }
}
