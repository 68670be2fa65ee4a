package dev.tendril.edge.selforg.application;

import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.selforg.application.port.out.LoadGauge;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.RootDirectory;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.spec.Thresholds;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What every service agent of one node shares: its id (= its platform's id), policies,
 * the injected clock and random generator, and the ports.
 *
 * @param nodeThresholds load thresholds of the node (a spec may override them)
 * @param loadWindow     how long a threshold must be exceeded to count as a shortage
 */
public record AgentContext(String nodeId, SelfOrgPolicy policy, Thresholds nodeThresholds, Duration loadWindow,
                           Clock clock, RandomGenerator random, TreeMessenger messenger, RootDirectory root,
                           ReplicaHost host, LoadGauge load, UserLatencies latencies, TreePosition tree,
                           GeoLocator locator, InfrastructureDb infra, EventLog events) {
    public AgentContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(nodeThresholds, "nodeThresholds");
        Objects.requireNonNull(loadWindow, "loadWindow");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(messenger, "messenger");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(latencies, "latencies");
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(locator, "locator");
        Objects.requireNonNull(infra, "infra");
        Objects.requireNonNull(events, "events");
    }

    /**
     * This context with other ports for what an agent sends, deploys, records and draws: a scratch
     * agent beside the node's own (a rehearsal, a test) shares everything else it only reads.
     */
    public AgentContext withPorts(RandomGenerator random, TreeMessenger messenger, ReplicaHost host, EventLog events) {
        return new AgentContext(nodeId, policy, nodeThresholds, loadWindow, clock, random, messenger, root, host, load,
                latencies, tree, locator, infra, events);
    }

    /**
     * This context with another view of the node's trees: a scratch agent that must route a
     * service's messages as a member of its tree without the node being one (a rehearsal).
     */
    public AgentContext withTree(TreePosition tree) {
        return new AgentContext(nodeId, policy, nodeThresholds, loadWindow, clock, random, messenger, root, host, load,
                latencies, tree, locator, infra, events);
    }

    /** A fresh correlation id: {@code <prefix>-<node>-<seq>-<random hex>} (random from the injected generator). */
    public String newId(String prefix, long seq) {
        return prefix + "-" + nodeId + "-" + seq + "-" + Integer.toHexString(random.nextInt(0x10000));
    }
}
