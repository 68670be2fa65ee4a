package dev.tendril.edge.health.application;

import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.edge.health.application.port.out.HealthProbe;
import dev.tendril.edge.health.application.port.out.ServingReport;
import dev.tendril.edge.health.domain.InstanceHealth;
import dev.tendril.edge.health.domain.ProbeVerdict;
import dev.tendril.edge.health.domain.RestartBackoff;
import dev.tendril.protocol.spec.HealthCheck;
import dev.tendril.protocol.spec.PortSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Use case: keeps the hosted instances healthy and DNS truthful. Each {@link #run()} (every
 * watch interval) asks the runtime which instances run, notices one that exited behind the
 * node's back, restarts it as its spec's restart policy says (with back-off), and starts the
 * probes that are due (on {@code probes}, so a slow probe never delays the watch). Whenever
 * an instance stops or starts serving (running, and its probe holds), the change is handed
 * to {@link ServingReport}, which takes it out of DNS or puts it back.
 */
public final class WatchInstances {
    private static final Logger log = LoggerFactory.getLogger(WatchInstances.class);

    private static final class Tracked {
        String instanceId;
        final InstanceHealth health;
        boolean reportedServing = true;
        String lastRestartFailure = "";

        Tracked(String instanceId, InstanceHealth health) {
            this.instanceId = instanceId;
            this.health = health;
        }
    }

    private record Change(String service, boolean serving) {
    }

    private final String nodeId;
    private final String address;
    private final Deployments deployments;
    private final HealthProbe probe;
    private final ServingReport report;
    private final Clock clock;
    private final Executor probes;
    private final Supplier<RestartBackoff> backoffs;
    private final Map<String, Tracked> tracked = new HashMap<>();
    /** The last listing failure logged (null: the runtime answers), so an outage is logged once. */
    private volatile String listFailure;

    /**
     * @param address the platform's address, where instances publish their host ports
     */
    public WatchInstances(String nodeId, String address, Deployments deployments, HealthProbe probe, ServingReport report,
                          Clock clock, Executor probes, Supplier<RestartBackoff> backoffs) {
        this.nodeId = nodeId;
        this.address = address;
        this.deployments = deployments;
        this.probe = probe;
        this.report = report;
        this.clock = clock;
        this.probes = probes;
        this.backoffs = backoffs;
    }

    /** One watch round. */
    public void run() {
        // the deployments before the listing: one deployed between the two would be missing from
        // the listing and taken for exited (and restarted, killing the fresh container)
        List<Deployment> all = deployments.all();
        Map<String, Instance> listed = new HashMap<>();
        try {
            for (Instance i : deployments.runtime().list()) {
                listed.put(i.id(), i);
            }
        } catch (RuntimeException e) {
            // the runtime does not answer (dockerd restarting): nothing is known, nothing changes
            String why = String.valueOf(e.getMessage());
            if (!why.equals(listFailure)) {
                log.warn("{}: cannot list instances ({}): health unknown until the runtime answers", nodeId, why);
                listFailure = why;
            }
            return;
        }
        if (listFailure != null) {
            log.info("{}: the runtime answers again", nodeId);
            listFailure = null;
        }
        List<Change> changes = new ArrayList<>();
        List<Deployment> restart = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            Set<String> present = new HashSet<>();
            for (Deployment d : all) {
                present.add(d.service());
                Tracked t = track(d, now);
                Instance i = listed.get(t.instanceId);
                boolean running = i != null && i.running();
                int exit = running ? 0 : deployments.runtime().exitCode(t.instanceId).orElse(-1);
                boolean wasRunning = t.health.phase() != InstanceHealth.Phase.EXITED && t.health.phase() != InstanceHealth.Phase.STOPPED;
                t.health.observe(running, exit, now);
                if (wasRunning && !running) {
                    log.warn("{}: {}: instance {} exited ({}) behind the node's back: {}", nodeId, d.service(),
                            t.instanceId, exit < 0 ? "status unknown" : "status " + exit, t.health.describe(now));
                }
                if (t.health.restartDue(now)) {
                    restart.add(d);
                }
                startProbeIfDue(d, t, now);
                change(d.service(), t).ifPresent(changes::add);
            }
            tracked.keySet().retainAll(present);
        }
        changes.forEach(c -> report.serving(c.service(), c.serving())); // out of DNS before the restart
        for (Deployment d : restart) {
            restart(d);
        }
    }

    private Tracked track(Deployment d, Instant now) {
        Tracked t = tracked.get(d.service());
        if (t == null || !t.instanceId.equals(d.instance().id())) {
            t = new Tracked(d.instance().id(), new InstanceHealth(d.spec().restart(), d.spec().health(), backoffs.get(), now));
            tracked.put(d.service(), t);
        }
        return t;
    }

    private void restart(Deployment d) {
        Optional<RuntimeResult> r = deployments.restart(d.service(), d.instance().id());
        List<Change> changes = new ArrayList<>();
        synchronized (this) {
            Tracked t = tracked.get(d.service());
            if (r.isEmpty() || t == null) {
                return; // removed or replaced meanwhile
            }
            Instant now = clock.instant();
            if (r.get() instanceof RuntimeResult.Started s) {
                t.instanceId = s.instance().id();
                t.health.restarted(now);
                t.lastRestartFailure = "";
            } else {
                String why = r.get() instanceof RuntimeResult.Failed f ? f.reason() : r.get().toString();
                if (!why.equals(t.lastRestartFailure)) {
                    log.warn("{}: {}: restart failed: {}; trying again with back-off", nodeId, d.service(), why);
                }
                t.lastRestartFailure = why;
                t.health.restartFailed(now); // counts for the back-off
            }
            change(d.service(), t).ifPresent(changes::add);
        }
        changes.forEach(c -> report.serving(c.service(), c.serving()));
    }

    private void startProbeIfDue(Deployment d, Tracked t, Instant now) {
        Optional<HealthCheck> check = d.spec().health();
        Optional<PortSpec> port = d.spec().healthPort();
        if (check.isEmpty() || port.isEmpty() || !t.health.takeProbe(now)) {
            return;
        }
        String service = d.service();
        probes.execute(() -> {
            ProbeVerdict v;
            try {
                v = probe.probe(address, port.get().hostPort(), check.get());
            } catch (RuntimeException e) {
                v = ProbeVerdict.fail(e.toString());
            }
            probed(service, t, v);
        });
    }

    private void probed(String service, Tracked t, ProbeVerdict v) {
        Optional<Change> c;
        synchronized (this) {
            if (tracked.get(service) != t) {
                return;
            }
            boolean was = t.health.serving();
            t.health.probed(v);
            if (was != t.health.serving()) {
                log.info("{}: {}: {}", nodeId, service, t.health.describe(clock.instant()));
            }
            c = change(service, t);
        }
        c.ifPresent(x -> report.serving(x.service(), x.serving()));
    }

    /** Under the lock: the change to report, if serving differs from what was reported. */
    private static Optional<Change> change(String service, Tracked t) {
        boolean serving = t.health.serving();
        if (serving == t.reportedServing) {
            return Optional.empty();
        }
        t.reportedServing = serving;
        return Optional.of(new Change(service, serving));
    }

    /** The health of each watched instance, in words, by service. */
    public synchronized Map<String, String> describe() {
        Instant now = clock.instant();
        Map<String, String> out = new HashMap<>();
        tracked.forEach((service, t) -> out.put(service, t.health.describe(now)));
        return out;
    }

    /** Whether the instance of {@code service} is answered (true for one not watched yet). */
    public synchronized boolean serving(String service) {
        Tracked t = tracked.get(service);
        return t == null || t.health.serving();
    }
}
