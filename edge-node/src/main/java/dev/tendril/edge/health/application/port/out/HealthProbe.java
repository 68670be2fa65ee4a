package dev.tendril.edge.health.application.port.out;

import dev.tendril.edge.health.domain.ProbeVerdict;
import dev.tendril.protocol.spec.HealthCheck;

/** Port: probes an instance once, as {@code check} says, at {@code address:port}; returns within about {@code check.timeout()}. */
public interface HealthProbe {
    ProbeVerdict probe(String address, int port, HealthCheck check);
}
