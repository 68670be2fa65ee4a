package dev.tendril.edge.monitoring.latency;

import java.util.Objects;

/**
 * A user's cumulative counters as the kernel keeps them (one entry of the eBPF map).
 *
 * @param user          who
 * @param samples       samples so far (grows until the entry is evicted and created anew)
 * @param srttSumMicros sum of the samples' smoothed RTTs, microseconds
 * @param srttMicros    the latest sample's smoothed RTT, microseconds
 * @param minRttMicros  lowest minimum RTT of the user's connections, microseconds; 0 if unknown
 * @param lastSeenNanos kernel monotonic clock at the latest sample
 */
public record RttCounters(UserKey user, long samples, long srttSumMicros, long srttMicros,
                          long minRttMicros, long lastSeenNanos) {
    public RttCounters {
        Objects.requireNonNull(user, "user");
    }
}
