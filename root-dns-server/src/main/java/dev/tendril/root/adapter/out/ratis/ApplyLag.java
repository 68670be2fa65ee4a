package dev.tendril.root.adapter.out.ratis;

import java.util.Arrays;

/**
 * How long after the leader proposed an entry this root had applied it (leader's clock at
 * proposal to this root's clock at apply; the same clock on one machine, else includes
 * their skew), counted per command (an entry of several commands counts each). Keeps the samples of one reporting window (at most {@value #CAPACITY}, the
 * latest win) and reports their percentiles when the window is taken. Thread-safe.
 */
final class ApplyLag {
    static final int CAPACITY = 16_384;

    /** One window: entries applied, and lag percentiles in milliseconds. */
    record Window(long entries, long p50, long p99, long max) {
        @Override
        public String toString() {
            return entries == 0 ? "no entries" : entries + " entries, lag p50 " + p50 + " ms, p99 " + p99 + " ms, max " + max + " ms";
        }
    }

    private final long[] samples = new long[CAPACITY];
    private long recorded;

    synchronized void record(long lagMillis) {
        samples[(int) (recorded % CAPACITY)] = Math.max(0, lagMillis);
        recorded++;
    }

    /** One entry of {@code commands} commands applied: each of them waited {@code lagMillis}. */
    synchronized void record(long lagMillis, int commands) {
        for (int i = 0; i < commands; i++) {
            record(lagMillis);
        }
    }

    /** The window's figures; starts a new window. */
    synchronized Window take() {
        int n = (int) Math.min(recorded, CAPACITY);
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        Window w = n == 0 ? new Window(0, 0, 0, 0)
                : new Window(recorded, sorted[(n - 1) / 2], sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)], sorted[n - 1]);
        recorded = 0;
        return w;
    }
}
