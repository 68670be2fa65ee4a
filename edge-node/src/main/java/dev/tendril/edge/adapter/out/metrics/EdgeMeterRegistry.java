package dev.tendril.edge.adapter.out.metrics;

import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.application.port.out.UserLatencies.UserSample;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.protocol.transport.ServerStats;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer side of {@link PrometheusEdgeMetrics}: a Prometheus registry with the edge
 * node's meters, built at the first scrape (Micrometer and the Prometheus client are several
 * hundred classes and ~3 MB of an idle node that nobody scrapes). What it shows is read from
 * where the node keeps it: function meters read the node's state at each scrape, the
 * self-organization event counts are {@link PrometheusEdgeMetrics}'s own counters, and timings
 * recorded before this registry existed are replayed into its timers when it is built. All
 * metric names of the edge node live here (docs/operations.md lists them). Not thread-safe:
 * {@link PrometheusEdgeMetrics} calls it under its lock.
 */
final class EdgeMeterRegistry {
    private static final Duration[] SELF_ORG_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Micrometer holds the objects that function meters read weakly: keep them here. */
    private final List<Object> read = new ArrayList<>();
    private final List<Runnable> beforeScrape = new ArrayList<>();
    private final Map<PrometheusEdgeMetrics.Timing, Timer> timers = new EnumMap<>(PrometheusEdgeMetrics.Timing.class);

    EdgeMeterRegistry(String nodeId, Map<EventKind, LongAdder> events) {
        registry.config().commonTags("node", nodeId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        read.add(events);
        for (Map.Entry<EventKind, LongAdder> e : events.entrySet()) {
            FunctionCounter.builder("tendril.edge.selforg.events", e.getValue(), LongAdder::doubleValue)
                    .description("Self-organization events recorded here: decisions (*_decided) and their outcomes")
                    .tag("kind", e.getKey().name().toLowerCase(Locale.ROOT)).register(registry);
        }
        timers.put(PrometheusEdgeMetrics.Timing.TO_MIGRATE,
                selfOrgTimer("tendril.edge.time.to.migrate", "Migration decided -> the root recorded the redirect"));
        timers.put(PrometheusEdgeMetrics.Timing.TO_REPLICATE, selfOrgTimer("tendril.edge.time.to.replicate",
                "Replication decided -> replica registered, minus its container start"));
        timers.put(PrometheusEdgeMetrics.Timing.CONTAINER_START,
                selfOrgTimer("tendril.edge.replica.container.start", "Container start reported by a new replica"));
    }

    private Timer selfOrgTimer(String name, String help) {
        return Timer.builder(name).description(help).serviceLevelObjectives(SELF_ORG_BUCKETS).register(registry);
    }

    void record(PrometheusEdgeMetrics.Timing timing, Duration d) {
        timers.get(timing).record(d);
    }

    /** Users and their latency percentiles per hosted service, from the latency monitor. */
    void bindUsers(Deployments deployments, UserLatencies latencies) {
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
    void bindDeployments(Deployments deployments, Overlay overlay) {
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
    void bindProbe(LatencyProbe probe) {
        read.add(probe);
        Gauge.builder("tendril.edge.latency.probe.measuring", probe, p -> p.status().measuring() ? 1 : 0)
                .description("1 while per-user TCP latency is measured (eBPF), 0 while degraded").register(registry);
    }

    /** Load fractions (0-1) of the last hardware sample. */
    void bindLoad(HardwareMonitor monitor) {
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

    /** Frames of one of the node's sockets (tree, admin) by outcome. */
    void bindSocket(String socket, Supplier<ServerStats> stats) {
        read.add(stats);
        ServerStats.OUTCOMES.forEach((outcome, f) -> frames(socket, outcome, stats, f::applyAsLong));
    }

    private void frames(String socket, String outcome, Supplier<ServerStats> stats, ToDoubleFunction<ServerStats> f) {
        FunctionCounter.builder("tendril.edge.socket.frames", stats, s -> f.applyAsDouble(s.get()))
                .description("Frames of the node's sockets, by socket and outcome")
                .tag("socket", socket).tag("outcome", outcome).register(registry);
    }

    /** The self-organization inbox (queued now, refused BUSY) and failures on the loop's thread. */
    void bindSelfOrg(Supplier<SelfOrgLoop.Figures> figures) {
        read.add(figures);
        Gauge.builder("tendril.edge.selforg.inbox.queued", figures, f -> f.get().queued())
                .description("Self-organization messages waiting for the self-organization thread").register(registry);
        busy(figures, "queue_full", SelfOrgLoop.Figures::busyQueueFull);
        busy(figures, "reply_wait", SelfOrgLoop.Figures::busyReplyWait);
        FunctionCounter.builder("tendril.edge.selforg.inbox.unsupported", figures, f -> f.get().unsupported())
                .description("Messages for the self-organization thread refused UNSUPPORTED: not self-organization "
                        + "messages").register(registry);
        failures(figures, "message", SelfOrgLoop.Figures::messageFailures);
        failures(figures, "task", SelfOrgLoop.Figures::taskFailures);
        failures(figures, "round", SelfOrgLoop.Figures::roundFailures);
    }

    private void busy(Supplier<SelfOrgLoop.Figures> figures, String reason, ToDoubleFunction<SelfOrgLoop.Figures> f) {
        FunctionCounter.builder("tendril.edge.selforg.inbox.busy", figures, s -> f.applyAsDouble(s.get()))
                .description("Self-organization messages answered BUSY: the inbox was full, or a Replicate's reply "
                        + "did not come in time").tag("reason", reason).register(registry);
    }

    private void failures(Supplier<SelfOrgLoop.Figures> figures, String stage, ToDoubleFunction<SelfOrgLoop.Figures> f) {
        FunctionCounter.builder("tendril.edge.selforg.failures", figures, s -> f.applyAsDouble(s.get()))
                .description("Failures on the self-organization thread: message handlers, tasks, rounds")
                .tag("stage", stage).register(registry);
    }

    /** Every metric in the Prometheus text format. */
    String scrape() {
        for (Runnable r : beforeScrape) {
            r.run();
        }
        return registry.scrape();
    }
}
