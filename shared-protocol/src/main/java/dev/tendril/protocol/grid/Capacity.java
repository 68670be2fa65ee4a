package dev.tendril.protocol.grid;

/**
 * Free capacity of one node, or the sum over many, in integer units so that sums are exact
 * in any order: CPU in thousandths of a core, RAM and disk in bytes, GPUs as a count.
 * Sums that would overflow a long throw {@link ArithmeticException}.
 */
public record Capacity(long cpuMillis, long ramBytes, long gpus, long diskBytes) {
    public static final Capacity ZERO = new Capacity(0, 0, 0, 0);

    public Capacity {
        if (cpuMillis < 0 || ramBytes < 0 || gpus < 0 || diskBytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + cpuMillis + " mCPU, " + ramBytes
                    + " B RAM, " + gpus + " GPU, " + diskBytes + " B disk");
        }
    }

    /** Capacity of {@code cpus} cores (rounded down to a thousandth), RAM, GPUs and disk. */
    public static Capacity of(double cpus, long ramBytes, long gpus, long diskBytes) {
        return new Capacity((long) Math.floor(Math.max(0, cpus) * 1000), Math.max(0, ramBytes), Math.max(0, gpus),
                Math.max(0, diskBytes));
    }

    public Capacity plus(Capacity o) {
        return new Capacity(Math.addExact(cpuMillis, o.cpuMillis), Math.addExact(ramBytes, o.ramBytes),
                Math.addExact(gpus, o.gpus), Math.addExact(diskBytes, o.diskBytes));
    }

    /** True when every resource is at least that of {@code need}. */
    public boolean covers(Capacity need) {
        return cpuMillis >= need.cpuMillis && ramBytes >= need.ramBytes && gpus >= need.gpus && diskBytes >= need.diskBytes;
    }

    public double cpus() {
        return cpuMillis / 1000.0;
    }
}
