package dev.tendril.edge.selforg.domain;

/** The platform's load now, as fractions in [0, 1] of CPU, RAM, GPU and disk. */
public record LoadSample(double cpu, double ram, double gpu, double disk) {
    public static final LoadSample IDLE = new LoadSample(0, 0, 0, 0);
}
