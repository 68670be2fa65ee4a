package dev.tendril.protocol.spec;

/** Load thresholds as fractions in (0, 1]: above them for a window, a resource counts as short. */
public record Thresholds(double cpu, double ram, double gpu, double disk) {
    public static final Thresholds DEFAULT = new Thresholds(0.8, 0.85, 0.9, 0.9);

    public Thresholds {
        check("cpu", cpu);
        check("ram", ram);
        check("gpu", gpu);
        check("disk", disk);
    }

    private static void check(String name, double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " threshold must be in (0, 1], got " + v);
        }
    }

    /** Reads {cpu, ram, gpu, disk}; absent keys keep the value of {@code base}. */
    public static Thresholds read(TreeReader r, Thresholds base) {
        r.rejectUnknown("cpu", "ram", "gpu", "disk");
        return new Thresholds(
                positiveFraction(r, "cpu", base.cpu()),
                positiveFraction(r, "ram", base.ram()),
                positiveFraction(r, "gpu", base.gpu()),
                positiveFraction(r, "disk", base.disk()));
    }

    private static double positiveFraction(TreeReader r, String key, double fallback) {
        double v = r.number(key, fallback, 0, 1);
        if (v == 0) {
            r.bad(key, v, "a fraction in (0, 1], e.g. 0.8");
            return fallback;
        }
        return v;
    }
}
