package dev.tendril.edge.bootstrap;

import dev.tendril.edge.adapter.out.docker.DockerContainerRuntime;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.application.MonitorLatency;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.ServedSockets;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.protocol.geo.GeoLocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.tendril.protocol.transport.PipelinedClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Wires self-organization into the edge node: the default policy (exchange and assessment
 * every heartbeat interval, at most a second), the configured GeoIP databases for locating
 * users (default the demo database bundled with geoip-data, the root's default too), and a seeded generator for the loop's
 * decisions (seeded from the node's secure random, logged ids stay unpredictable).
 */
final class SelfOrgWiring {
    private SelfOrgWiring() {
    }

    static SelfOrgLoop start(EdgeConfig config, Clock clock, SecureRandom random, RootControl root, Overlay overlay,
                             HostedServices hosted, Deployments deployments, HardwareMonitor monitor, MonitorLatency latency,
                             LatencyProbe probe, InfrastructureDb infra, int treePort, ServedSockets served,
                             PipelinedClient requests, dev.tendril.edge.adapter.out.zmq.CurveClients curve) {
        Duration hb = config.policies().heartbeatInterval();
        Duration tick = hb.compareTo(Duration.ofSeconds(1)) < 0 ? hb : Duration.ofSeconds(1);
        SelfOrgPolicy d = SelfOrgPolicy.defaults();
        SelfOrgPolicy policy = new SelfOrgPolicy(d.gridSize(), tick, tick.multipliedBy(5), d.clusterRadiusKm(),
                d.clusterScoreThreshold(), d.kmPerRttMs(), d.hopLimit(), d.searchTimeout(), d.migrationLifetime(),
                d.replyTimeout(), d.replicateAttempts(), d.readyTimeout(), d.idleJitter(), d.migrationHoldDown());
        GeoLocator locator = GeoDatabases.openNamed(config.geoipDatabases());
        int port = config.treeBind().port() != 0 ? config.treeBind().port() : treePort;
        return SelfOrgLoop.start(new SelfOrgLoop.Parts(config.platform(), config.policies(), policy, clock,
                new SplittableRandom(random.nextLong()), random, root, overlay, hosted, deployments, monitor, latency, probe,
                locator, infra, port, tick, served, requests, curve));
    }

    /**
     * Whose users count (the eBPF probe sees every namespace of the kernel): process
     * instances serve in this node's own network namespace; Docker containers in their own
     * namespaces (DNAT) and through the userland proxy in the node's. {@code containers} is
     * the Docker runtime's view of this node's containers, or null for the process runtime.
     */
    static ServedSockets servedSockets(String nodeId, DockerContainerRuntime containers) {
        long own;
        try {
            own = ((Number) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return ServedSockets.anyNamespace(); // no procfs: cannot tell namespaces apart
        }
        if (containers == null) {
            return ServedSockets.ownNamespace(own);
        }
        ServedSockets served = ServedSockets.withContainers(own, () -> containers.networkNamespaces(nodeId));
        served.refresh();
        return served;
    }
}
