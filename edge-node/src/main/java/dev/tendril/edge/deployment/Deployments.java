package dev.tendril.edge.deployment;

import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.PortSpec;
import dev.tendril.protocol.spec.Quantities;
import dev.tendril.protocol.spec.Validated;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The services this node hosts, one instance each, kept in step with the runtime:
 * deploy (after checking the spec fits this platform), remove, and adopt after a restart.
 * Thread-safe (one lock; runtime calls are short).
 */
public final class Deployments {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Deployments.class);
    /** What {@link #adopt()} found: services taken over, and instance ids removed as duplicates or leftovers. */
    public record Adoption(List<Deployment> adopted, List<String> removed) {
    }

    private final Platform self;
    private final String zone;
    private final ContainerRuntime runtime;
    private final Function<String, Validated<DeploymentSpec>> specParser;
    private final Clock clock;
    private final Map<String, Deployment> byService = new LinkedHashMap<>();
    /**
     * Held while the runtime starts or removes instances: one such operation at a time. The
     * listing ({@code this}) is only locked around its reads and writes, so readers (the
     * self-organization loop, stats) never wait for a container start or stop.
     */
    private final Object operations = new Object();

    public Deployments(Platform self, String zone, ContainerRuntime runtime,
                       Function<String, Validated<DeploymentSpec>> specParser, Clock clock) {
        this.self = self;
        this.zone = zone;
        this.runtime = runtime;
        this.specParser = specParser;
        this.clock = clock;
    }

    public ContainerRuntime runtime() {
        return runtime;
    }

    public synchronized List<Deployment> all() {
        return List.copyOf(byService.values());
    }

    public synchronized Optional<Deployment> get(String service) {
        return Optional.ofNullable(byService.get(service));
    }

    /** Problems that keep {@code spec} off this platform (empty: it fits). */
    public synchronized List<String> checkFits(DeploymentSpec spec) {
        List<String> problems = new ArrayList<>();
        var hw = self.hardware();
        var req = spec.requirements();
        if (!req.allowsArch(hw.arch())) {
            problems.add("requirements.arch: got '" + req.archs() + "'; this platform is " + hw.arch());
        } else if (spec.images().forArch(hw.arch()).isEmpty()) {
            problems.add("images: no image for " + hw.arch() + ", the arch of this platform");
        }
        if (req.minCpus() > hw.cpus()) {
            problems.add("requirements.minCpus: got '" + req.minCpus() + "'; this platform has " + hw.cpus());
        }
        if (req.minRamBytes() > hw.ramBytes()) {
            problems.add("requirements.minRam: got '" + Quantities.formatSize(req.minRamBytes()) + "'; this platform has "
                    + Quantities.formatSize(hw.ramBytes()));
        }
        if (req.minGpus() > hw.gpus()) {
            problems.add("requirements.minGpus: got '" + req.minGpus() + "'; this platform has " + hw.gpus());
        }
        if (req.minDiskBytes() > hw.diskBytes() && hw.diskBytes() > 0) {
            problems.add("requirements.minDisk: got '" + Quantities.formatSize(req.minDiskBytes()) + "'; this platform has "
                    + Quantities.formatSize(hw.diskBytes()));
        }
        if (!spec.zone().isEmpty() && !spec.zone().equals(zone)) {
            problems.add("zone: got '" + spec.zone() + "'; this node serves zone " + zone);
        }
        for (Deployment d : byService.values()) {
            if (d.service().equals(spec.service())) {
                continue;
            }
            for (PortSpec mine : spec.ports()) {
                for (PortSpec theirs : d.spec().ports()) {
                    if (mine.hostPort() == theirs.hostPort() && mine.protocol().equals(theirs.protocol())) {
                        problems.add("ports." + mine.name() + ".hostPort: got '" + mine.hostPort() + "'; already used by service "
                                + d.service() + " on this node");
                    }
                }
            }
        }
        return problems;
    }

    public DeployResult deploy(DeploymentSpec spec, String specText) {
        synchronized (operations) {
            DeployResult refused = refusal(spec);
            return refused != null ? refused : start(spec, specText);
        }
    }

    /** Why {@code spec} cannot be started now, or null. */
    private synchronized DeployResult refusal(DeploymentSpec spec) {
        Deployment existing = byService.get(spec.service());
        if (existing != null) {
            if (existing.spec().equals(spec)) {
                return new DeployResult.AlreadyDeployed(existing);
            }
            return new DeployResult.Rejected(List.of("service: got '" + spec.service()
                    + "'; it is already deployed here with another spec: remove it first"));
        }
        List<String> problems = checkFits(spec);
        return problems.isEmpty() ? null : new DeployResult.Rejected(problems);
    }

    /** Under {@link #operations}. */
    private DeployResult start(DeploymentSpec spec, String specText) {
        InstanceRequest request = request(spec, specText);
        String image = request.image();
        Instant asked = clock.instant();
        RuntimeResult result = runtime.start(request);
        Instant up = clock.instant();
        Duration took = up.isAfter(asked) ? Duration.between(asked, up) : Duration.ZERO;
        if (result instanceof RuntimeResult.Started started) {
            log.info("{}: started {} ({} {}) in {} ms", self.id(), spec.service(), runtime.kind(), image, took.toMillis());
            Deployment d = new Deployment(spec, specText, started.instance(), up, took, false);
            synchronized (this) {
                byService.put(spec.service(), d);
            }
            return new DeployResult.Deployed(d);
        }
        return new DeployResult.Failed(result instanceof RuntimeResult.Failed f ? f.reason() : result.toString());
    }

    private InstanceRequest request(DeploymentSpec spec, String specText) {
        String image = spec.images().forArch(self.hardware().arch()).orElseThrow();
        return new InstanceRequest(self.id(), spec.service(), image, spec.command(), spec.ports(), spec.env(),
                spec.limits(), self.address(), specText);
    }

    /**
     * Starts the instance of {@code service} again after it exited on its own: the same spec,
     * a new instance in place of {@code exitedInstanceId}. Nothing is done when the service was
     * removed or its instance replaced meanwhile (empty), or when the runtime refuses (the
     * result says why; the old deployment stays listed, so a later try may succeed).
     */
    public Optional<RuntimeResult> restart(String service, String exitedInstanceId) {
        synchronized (operations) {
            Optional<Deployment> d = get(service);
            if (d.isEmpty() || !d.get().instance().id().equals(exitedInstanceId)) {
                return Optional.empty();
            }
            RuntimeResult result = runtime.start(request(d.get().spec(), d.get().specText()));
            if (result instanceof RuntimeResult.Started started) {
                log.info("{}: restarted {} ({}; was {})", self.id(), service, started.instance().id(), exitedInstanceId);
                synchronized (this) {
                    byService.put(service, new Deployment(d.get().spec(), d.get().specText(), started.instance(),
                            d.get().since(), d.get().startTook(), d.get().adopted()));
                }
            }
            return Optional.of(result);
        }
    }

    public RemoveResult remove(String service) {
        synchronized (operations) {
            Optional<Deployment> d = get(service);
            if (d.isEmpty()) {
                return new RemoveResult.NotDeployed(service);
            }
            RuntimeResult r = runtime.remove(d.get().instance().id());
            if (r instanceof RuntimeResult.Failed f) {
                return new RemoveResult.Failed(f.reason());
            }
            synchronized (this) {
                byService.remove(service);
            }
            return new RemoveResult.Removed(d.get());
        }
    }

    /**
     * After a restart: takes over this node's running instances (one per service, with a
     * readable spec; the newest when there are several) and removes every other instance
     * labelled with this node's id (stopped ones, duplicates, unreadable specs). Instances
     * of other nodes are left alone.
     */
    public Adoption adopt() {
        synchronized (operations) {
            synchronized (this) {
                return adoptRunning();
            }
        }
    }

    private Adoption adoptRunning() {
        List<Deployment> adopted = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, List<Instance>> mine = new LinkedHashMap<>();
        for (Instance i : runtime.list()) {
            if (i.nodeId().equals(self.id())) {
                mine.computeIfAbsent(i.service(), k -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<String, List<Instance>> e : mine.entrySet()) {
            Optional<DeploymentSpec> keep = Optional.empty();
            Instance kept = null;
            List<Instance> candidates = new ArrayList<>(e.getValue());
            candidates.sort(Comparator.comparing(Instance::running).reversed());
            for (Instance i : candidates) {
                Optional<DeploymentSpec> spec = parse(i.specText()).filter(s -> s.service().equals(i.service()));
                if (kept == null && i.running() && spec.isPresent() && !byService.containsKey(i.service())) {
                    kept = i;
                    keep = spec;
                } else {
                    runtime.remove(i.id());
                    removed.add(i.id());
                }
            }
            if (kept != null) {
                Deployment d = new Deployment(keep.get(), kept.specText(), kept, clock.instant(), Duration.ZERO, true);
                byService.put(d.service(), d);
                adopted.add(d);
            }
        }
        return new Adoption(adopted, removed);
    }

    private Optional<DeploymentSpec> parse(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return specParser.apply(text) instanceof Validated.Valid<DeploymentSpec> v ? Optional.of(v.value()) : Optional.empty();
    }
}
