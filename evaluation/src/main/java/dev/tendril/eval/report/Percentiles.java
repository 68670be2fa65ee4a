package dev.tendril.eval.report;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;

/** Nearest-rank percentiles of a sample, in milliseconds. */
public record Percentiles(int count, double p1, double p50, double p75, double p90, double p99) {
    public static final Percentiles NONE = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Percentiles ofDurations(Collection<Duration> sample) {
        return of(sample.stream().mapToDouble(d -> d.toNanos() / 1e6).toArray());
    }

    public static Percentiles of(double[] valuesMs) {
        if (valuesMs.length == 0) {
            return NONE;
        }
        double[] v = valuesMs.clone();
        Arrays.sort(v);
        return new Percentiles(v.length, rank(v, 1), rank(v, 50), rank(v, 75), rank(v, 90), rank(v, 99));
    }

    /** Nearest rank: the smallest value with at least p% of the sample at or below it. */
    static double rank(double[] sorted, double p) {
        int r = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, r - 1))];
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
