package dev.tendril.edge.adapter.out.metrics;

import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.Timings;
import dev.tendril.protocol.transport.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The edge node's one metrics exporter: reads what the node keeps where things happen (the
 * latency monitor's users, the deployments, the self-organization event log, the sockets'
 * counters, the hardware monitor) into a Micrometer registry that renders the Prometheus text
 * format. Per-service gauges (users, latency percentiles) are computed at each scrape.
 *
 * <p>The registry ({@link EdgeMeterRegistry}, where the metric names live) is built at the
 * first scrape, not at start: an idle node that nobody scrapes does not load Micrometer
 * (docs/benchmarks.md, "Edge footprint"). Until then this class counts what only happens once:
 * self-organization events in its own {@link LongAdder}s (the registry reads them), and the
 * timings of completed migrations and replications in a bounded list that is replayed into
 * the registry's timers when it is built; when that list is full the registry is built
 * at once, so no timing is lost. The bindings are kept and applied to the registry when it is
 * built (or at once, when it already is).
 */
public final class PrometheusEdgeMetrics {
    private static final Logger log = LoggerFactory.getLogger(PrometheusEdgeMetrics.class);
    /** Timings kept before the first scrape; one more builds the registry. */
    static final int MAX_PENDING_TIMINGS = 1024;

    /** The self-organization timers. */
    enum Timing { TO_MIGRATE, TO_REPLICATE, CONTAINER_START }

    private record Pending(Timing timing, Duration duration) {
    }

    private final String nodeId;
    private final Map<EventKind, LongAdder> events;
    private final List<Consumer<EdgeMeterRegistry>> bindings = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    /** Null until the first scrape (or a full pending list). Guarded by this. */
    private EdgeMeterRegistry registry;

    public PrometheusEdgeMetrics(String nodeId) {
        this.nodeId = nodeId;
        Map<EventKind, LongAdder> counts = new EnumMap<>(EventKind.class);
        for (EventKind k : EventKind.values()) {
            counts.put(k, new LongAdder());
        }
        this.events = Collections.unmodifiableMap(counts);
    }

    /** Users and their latency percentiles per hosted service, from the latency monitor. */
    public void bindUsers(Deployments deployments, UserLatencies latencies) {
        bind(r -> r.bindUsers(deployments, latencies));
    }

    /** Hosted containers by state, and the trees this node belongs to. */
    public void bindDeployments(Deployments deployments, Overlay overlay) {
        bind(r -> r.bindDeployments(deployments, overlay));
    }

    /** Whether per-user latency is measured (1) or the probe is degraded (0). */
    public void bindProbe(LatencyProbe probe) {
        bind(r -> r.bindProbe(probe));
    }

    /** Load fractions (0-1) of the last hardware sample. */
    public void bindLoad(HardwareMonitor monitor) {
        bind(r -> r.bindLoad(monitor));
    }

    /** Frames of one of the node's sockets (tree, admin) by outcome. */
    public void bindSocket(String socket, Supplier<ServerStats> stats) {
        bind(r -> r.bindSocket(socket, stats));
    }

    /** The self-organization inbox (queued now, refused BUSY) and failures on the loop's thread. */
    public void bindSelfOrg(Supplier<SelfOrgLoop.Figures> figures) {
        bind(r -> r.bindSelfOrg(figures));
    }

    /** Counts self-organization events by kind and times migrations and replications as they complete. */
    public void bindEvents(EventLog log) {
        log.observe(e -> {
            events.get(e.kind()).increment();
            if (e.kind() == EventKind.MIGRATION_RECORDED || e.kind() == EventKind.REPLICA_REGISTERED) {
                // the decision is looked up now: the log is bounded and may have dropped it by the first scrape
                List<SelfOrgEvent> pair = log.all().stream().filter(x -> x.correlationId().equals(e.correlationId())).toList();
                Timings t = Timings.of(pair);
                t.toMigrate().forEach(d -> record(Timing.TO_MIGRATE, d));
                t.toReplicate().forEach(d -> record(Timing.TO_REPLICATE, d));
                t.containerStarts().forEach(d -> record(Timing.CONTAINER_START, d));
            }
        });
    }

    /** Every metric in the Prometheus text format (the first call builds the registry). */
    public synchronized String scrape() {
        return registry().scrape();
    }

    /** Whether the registry has been built (by a scrape or a full list of pending timings). */
    synchronized boolean built() {
        return registry != null;
    }

    private synchronized void bind(Consumer<EdgeMeterRegistry> binding) {
        bindings.add(binding);
        if (registry != null) {
            binding.accept(registry);
        }
    }

    private synchronized void record(Timing timing, Duration d) {
        if (registry == null && pending.size() < MAX_PENDING_TIMINGS) {
            pending.add(new Pending(timing, d));
        } else {
            registry().record(timing, d);
        }
    }

    private EdgeMeterRegistry registry() {
        if (registry == null) {
            long t0 = System.nanoTime();
            EdgeMeterRegistry r = new EdgeMeterRegistry(nodeId, events);
            bindings.forEach(b -> b.accept(r));
            pending.forEach(p -> r.record(p.timing(), p.duration()));
            pending.clear();
            registry = r;
            log.info("{}: metrics registry built in {} ms "
                    + "(at the first scrape)", nodeId, (System.nanoTime() - t0) / 1_000_000);
        }
        return registry;
    }
}
