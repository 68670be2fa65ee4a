package dev.tendril.edge.application;

import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import dev.tendril.protocol.spec.PortSpec;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The latency monitoring round: points the probe at the TCP ports of the hosted services
 * (host ports, and container ports, where Docker's DNAT delivers users inside the container) and folds its samples into the users' windows. {@link #run()} is called by one
 * ticker thread (the probe is not thread-safe); {@link #statusLine()} may be read by anyone.
 */
public final class MonitorLatency implements Runnable {
    private final LatencyProbe probe;
    private final Deployments deployments;
    private Set<Integer> watched = Set.of();
    private volatile Map<UserKey, UserLatency> users = Map.of();
    private volatile String ports = "[]";

    public MonitorLatency(LatencyProbe probe, Deployments deployments) {
        this.probe = probe;
        this.deployments = deployments;
    }

    @Override
    public void run() {
        Set<Integer> now = new TreeSet<>();
        for (Deployment d : deployments.all()) {
            for (PortSpec p : d.spec().ports()) {
                if (p.protocol().equals("tcp")) {
                    now.add(p.hostPort());
                    now.add(p.containerPort());
                }
            }
        }
        if (!now.equals(watched)) {
            probe.watchPorts(now);
            watched = Set.copyOf(now);
            ports = now.toString();
        }
        users = probe.sample();
    }

    /** The users measured in the last round (latency per remote address and service port). */
    public Map<UserKey, UserLatency> users() {
        return users;
    }

    /** One line for {@code tendrilctl stats}. */
    public String statusLine() {
        var status = probe.status();
        return status.summary() + (status.measuring() ? "; " + users.size() + " user(s) on ports " + ports : "");
    }
}
