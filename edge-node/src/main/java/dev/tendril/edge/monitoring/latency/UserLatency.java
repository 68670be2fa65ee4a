package dev.tendril.edge.monitoring.latency;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A user's round-trip time over the probe's moving window.
 *
 * @param user      who
 * @param medianRtt median of the smoothed RTT samples in the window (weighted by sample count)
 * @param minRtt    lowest minimum RTT the kernel reported for the user's connections
 * @param samples   kernel samples in the window (one per segment received from the user)
 * @param lastSeen  when the newest sample was collected
 */
public record UserLatency(UserKey user, Duration medianRtt, Duration minRtt, long samples, Instant lastSeen) {
    public UserLatency {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(medianRtt, "medianRtt");
        Objects.requireNonNull(minRtt, "minRtt");
        Objects.requireNonNull(lastSeen, "lastSeen");
        if (samples <= 0) {
            throw new IllegalArgumentException("a user latency needs at least one sample: " + samples);
        }
    }

    /** Median RTT in (fractional) milliseconds, for reports and thresholds. */
    public double medianMillis() {
        return medianRtt.toNanos() / 1_000_000.0;
    }
}
