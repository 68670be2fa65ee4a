package dev.tendril.edge.monitoring.latency;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The probe of a node that cannot measure latency: reports its reason, measures nothing. */
public final class UnavailableLatencyProbe implements LatencyProbe {
    private final ProbeStatus.Degraded status;

    public UnavailableLatencyProbe(ProbeStatus.Degraded status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public ProbeStatus status() {
        return status;
    }

    @Override
    public void watchPorts(Set<Integer> ports) {
        // nothing to watch with
    }

    @Override
    public Map<UserKey, UserLatency> sample() {
        return Map.of();
    }

    @Override
    public void close() {
        // nothing held
    }
}
