package dev.tendril.edge.selforg.adapter.out.monitoring;

import dev.tendril.edge.application.MonitorLatency;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.protocol.spec.PortSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

/**
 * {@link UserLatencies} from the latency monitoring round (eBPF per-user RTT): the users on
 * the service's TCP host ports, one per address (the worst median when an address shows
 * up in several namespaces or ports). Empty while the probe is degraded.
 *
 * <p>The probe sees every network namespace of the machine. {@code servedNamespaces} keeps
 * the users whose server-side socket lives where this node's instances serve: with the
 * process runtime that is the node's own namespace, so several nodes sharing one kernel
 * (the testbed: one node per emulated host) each count only their own users; with Docker
 * every namespace counts (the proxy's or the containers').
 */
public final class ProbeUserLatencies implements UserLatencies {
    private final MonitorLatency latency;
    private final LatencyProbe probe;
    private final Deployments deployments;
    private final LongPredicate servedNamespaces;

    public ProbeUserLatencies(MonitorLatency latency, LatencyProbe probe, Deployments deployments,
                              LongPredicate servedNamespaces) {
        this.latency = latency;
        this.probe = probe;
        this.deployments = deployments;
        this.servedNamespaces = servedNamespaces;
    }

    @Override
    public Optional<List<UserSample>> users(String service) {
        if (!probe.status().measuring()) {
            return Optional.empty();
        }
        Set<Integer> ports = deployments.get(service).map(d -> d.spec().ports().stream()
                .filter(p -> p.protocol().equals("tcp")).map(PortSpec::hostPort).collect(Collectors.toSet())).orElse(Set.of());
        Map<String, Double> worst = new TreeMap<>();
        for (Map.Entry<UserKey, UserLatency> e : latency.users().entrySet()) {
            if (ports.contains(e.getKey().port()) && servedNamespaces.test(e.getKey().namespace())) {
                worst.merge(e.getKey().address().getHostAddress(), e.getValue().medianMillis(), Math::max);
            }
        }
        List<UserSample> out = new ArrayList<>();
        worst.forEach((a, ms) -> out.add(new UserSample(a, ms)));
        return Optional.of(out);
    }
}
