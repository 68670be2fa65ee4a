package dev.tendril.edge.selforg.adapter.out.monitoring;

import dev.tendril.edge.application.MonitorLatency;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.ServedSockets;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.protocol.spec.PortSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link UserLatencies} from the latency monitoring round (eBPF per-user RTT): the users of
 * the service's TCP ports, one per address (the worst median when an address shows up in
 * several namespaces or ports). Empty while the probe is degraded.
 *
 * <p>The probe sees every network namespace of the machine. {@link ServedSockets} keeps the
 * users whose server-side socket belongs to this node's instances: the host port in the
 * node's own namespace (process instances, Docker's userland proxy), the container port in
 * its own containers' namespaces (Docker's DNAT). So several nodes sharing one kernel (the
 * testbed: one node per emulated host) each count only their own users.
 */
public final class ProbeUserLatencies implements UserLatencies {
    private final MonitorLatency latency;
    private final LatencyProbe probe;
    private final Deployments deployments;
    private final ServedSockets served;

    public ProbeUserLatencies(MonitorLatency latency, LatencyProbe probe, Deployments deployments,
                              ServedSockets served) {
        this.latency = latency;
        this.probe = probe;
        this.deployments = deployments;
        this.served = served;
    }

    @Override
    public Optional<List<UserSample>> users(String service) {
        if (!probe.status().measuring()) {
            return Optional.empty();
        }
        List<PortSpec> ports = deployments.get(service).map(d -> d.spec().ports().stream()
                .filter(p -> p.protocol().equals("tcp")).toList()).orElse(List.of());
        Map<String, Double> worst = new TreeMap<>();
        for (Map.Entry<UserKey, UserLatency> e : latency.users().entrySet()) {
            UserKey k = e.getKey();
            if (ports.stream().anyMatch(p -> served.serves(k.namespace(), k.port(), p))) {
                worst.merge(k.address().getHostAddress(), e.getValue().medianMillis(), Math::max);
            }
        }
        List<UserSample> out = new ArrayList<>();
        worst.forEach((a, ms) -> out.add(new UserSample(a, ms)));
        return Optional.of(out);
    }
}
