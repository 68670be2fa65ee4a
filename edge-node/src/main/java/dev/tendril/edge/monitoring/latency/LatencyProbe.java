package dev.tendril.edge.monitoring.latency;

import java.util.Map;
import java.util.Set;

/**
 * Per-user TCP round-trip times of the hosted services, measured where the users are
 * served. Adapters: {@code adapter.out.ebpf.BpfLatencyProbe} (the kernel),
 * {@code adapter.out.file.FileLatencyProbe} (a JSON file, for tests and demos) and
 * {@link UnavailableLatencyProbe} (degraded mode). Not thread-safe: one monitoring loop
 * drives it.
 */
public interface LatencyProbe extends AutoCloseable {

    /** Whether latency is measured; {@link ProbeStatus.Degraded} says what is missing. */
    ProbeStatus status();

    /** Measures connections to these local ports from now on (the hosted services' ports). */
    void watchPorts(Set<Integer> ports);

    /**
     * Collects the samples taken since the last call, folds them into each user's moving
     * window, forgets users with no sample in the window, and returns every remaining
     * user. Call it once per monitoring period (e.g. every second).
     */
    Map<UserKey, UserLatency> sample();

    /** Detaches from the kernel (or whatever the source is); idempotent. */
    @Override
    void close();
}
