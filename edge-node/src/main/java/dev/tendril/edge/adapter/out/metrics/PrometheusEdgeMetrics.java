package dev.tendril.edge.adapter.out.metrics;

import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.application.port.out.UserLatencies.UserSample;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.Timings;
import dev.tendril.protocol.transport.ServerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The edge node's one metrics exporter: reads what the node keeps where things happen (the
 * latency monitor's users, the deployments, the self-organization event log, the sockets'
 * counters, the hardware monitor) into a Micrometer registry that renders the Prometheus text
 * format. Per-service gauges (users, latency percentiles) are computed at each scrape. All
 * metric names of the edge node live here (docs/operations.md lists them).
 */
public final class PrometheusEdgeMetrics {
    private static final Duration[] SELF_ORG_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Micrometer holds the objects that function meters read weakly: keep them here. */
    private final List<Object> read = new CopyOnWriteArrayList<>();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private final Map<EventKind, Counter> events = new EnumMap<>(EventKind.class);
    private final Timer toMigrate;
    private final Timer toReplicate;
    private final Timer containerStart;

    public PrometheusEdgeMetrics(String nodeId) {
        registry.config().commonTags("node", nodeId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (EventKind k : EventKind.values()) {
            events.put(k, Counter.builder("tendril.edge.selforg.events")
                    .description("Self-organization events recorded here: decisions (*_decided) and their outcomes")
                    .tag("kind", k.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        toMigrate = selfOrgTimer("tendril.edge.time.to.migrate", "Migration decided -> the root recorded the redirect");
        toReplicate = selfOrgTimer("tendril.edge.time.to.replicate",
                "Replication decided -> replica registered and attached, minus its container start");
        containerStart = selfOrgTimer("tendril.edge.replica.container.start", "Container start reported by a new replica");
    }

    private Timer selfOrgTimer(String name, String help) {
        return Timer.builder(name).description(help).serviceLevelObjectives(SELF_ORG_BUCKETS).register(registry);
    }

    /** Users and their latency percentiles per hosted service, from the latency monitor. */
    public void bindUsers(Deployments deployments, UserLatencies latencies) {
        read.add(deployments);
        read.add(latencies);
        MultiGauge users = MultiGauge.builder("tendril.edge.users")
                .description("Users (client addresses) of a hosted service seen in the latency window").register(registry);
        MultiGauge rtt = MultiGauge.builder("tendril.edge.user.rtt.seconds")
                .description("Percentiles over a hosted service's users of each user's median TCP round-trip time").register(registry);
        beforeScrape.add(() -> {
            List<MultiGauge.Row<?>> userRows = new ArrayList<>();
            List<MultiGauge.Row<?>> rttRows = new ArrayList<>();
            for (Deployment d : deployments.all()) {
                Optional<List<UserSample>> seen = latencies.users(d.service());
                if (seen.isEmpty()) {
                    continue; // not measured (probe degraded): no figure rather than a false 0
                }
                List<UserSample> list = seen.get();
                userRows.add(MultiGauge.Row.of(Tags.of("service", d.service()), list.size()));
                double[] ms = list.stream().mapToDouble(UserSample::medianMs).sorted().toArray();
                for (double q : QUANTILES) {
                    if (ms.length > 0) {
                        int rank = (int) Math.ceil(q * ms.length);
                        rttRows.add(MultiGauge.Row.of(Tags.of("service", d.service(), "quantile", Double.toString(q)),
                                ms[Math.max(0, rank - 1)] / 1000.0));
                    }
                }
            }
            users.register(userRows, true);
            rtt.register(rttRows, true);
        });
    }

    /** Hosted containers by state, and the trees this node belongs to. */
    public void bindDeployments(Deployments deployments, Overlay overlay) {
        read.add(deployments);
        read.add(overlay);
        Gauge.builder("tendril.edge.containers", deployments, d -> d.all().stream().filter(x -> x.instance().running()).count())
                .tag("state", "running").description("Hosted service instances, by state").register(registry);
        Gauge.builder("tendril.edge.containers", deployments, d -> d.all().stream().filter(x -> !x.instance().running()).count())
                .tag("state", "stopped").description("Hosted service instances, by state").register(registry);
        Gauge.builder("tendril.edge.trees", overlay, o -> o.all().size())
                .description("Service trees this node is a member of").register(registry);
        FunctionCounter.builder("tendril.edge.overlay.unknown.service", overlay, Overlay::unknownServiceCount)
                .description("Overlay messages for a service this node does not host").register(registry);
    }

    /** Whether per-user latency is measured (1) or the probe is degraded (0). */
    public void bindProbe(LatencyProbe probe) {
        read.add(probe);
        Gauge.builder("tendril.edge.latency.probe.measuring", probe, p -> p.status().measuring() ? 1 : 0)
                .description("1 while per-user TCP latency is measured (eBPF), 0 while degraded").register(registry);
    }

    /** Load fractions (0-1) of the last hardware sample. */
    public void bindLoad(HardwareMonitor monitor) {
        read.add(monitor);
        load(monitor, "cpu", s -> s.summary().cpu());
        load(monitor, "memory", s -> s.summary().memory());
        load(monitor, "disk", s -> s.summary().disk());
        load(monitor, "gpu", s -> s.summary().gpu());
    }

    private void load(HardwareMonitor monitor, String resource, ToDoubleFunction<HardwareMonitor> f) {
        Gauge.builder("tendril.edge.load", monitor, f).tag("resource", resource)
                .description("Load of a resource over the load window, as a fraction").register(registry);
    }

    /** Counts self-organization events by kind and times migrations and replications as they complete. */
    public void bindEvents(EventLog log) {
        read.add(log);
        log.observe(e -> {
            events.get(e.kind()).increment();
            if (e.kind() == EventKind.MIGRATION_RECORDED || e.kind() == EventKind.REPLICA_REGISTERED) {
                List<SelfOrgEvent> pair = log.all().stream().filter(x -> x.correlationId().equals(e.correlationId())).toList();
                Timings t = Timings.of(pair);
                t.toMigrate().forEach(toMigrate::record);
                t.toReplicate().forEach(toReplicate::record);
                t.containerStarts().forEach(containerStart::record);
            }
        });
    }

    /** Frames of one of the node's sockets (tree, admin) by outcome. */
    public void bindSocket(String socket, Supplier<ServerStats> stats) {
        read.add(stats);
        frames(socket, "received", stats, ServerStats::received);
        frames(socket, "handled", stats, ServerStats::handled);
        frames(socket, "duplicate", stats, ServerStats::duplicates);
        frames(socket, "malformed", stats, ServerStats::malformed);
        frames(socket, "invalid", stats, ServerStats::invalid);
        frames(socket, "unknown_type", stats, ServerStats::unknownType);
        frames(socket, "unknown_version", stats, ServerStats::unknownVersion);
        frames(socket, "overloaded", stats, ServerStats::overloaded);
        frames(socket, "handler_failure", stats, ServerStats::handlerFailures);
        // refusals of who the peer is (CURVE/ZAP) and of what it may ask (policy)
        frames(socket, "refused_connection", stats, ServerStats::refusedConnections);
        frames(socket, "refused_key", stats, ServerStats::refusedKeys);
        frames(socket, "forbidden", stats, ServerStats::forbidden);
        frames(socket, "failed_handshake", stats, ServerStats::failedHandshakes);
    }

    private void frames(String socket, String outcome, Supplier<ServerStats> stats, ToDoubleFunction<ServerStats> f) {
        FunctionCounter.builder("tendril.edge.socket.frames", stats, s -> f.applyAsDouble(s.get()))
                .description("Frames of the node's sockets, by socket and outcome")
                .tag("socket", socket).tag("outcome", outcome).register(registry);
    }

    /** Every metric in the Prometheus text format. */
    public synchronized String scrape() {
        for (Runnable r : beforeScrape) {
            r.run();
        }
        return registry.scrape();
    }
}
