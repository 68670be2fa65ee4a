package dev.tendril.edge.selforg.sim;

import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Thresholds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Many edge nodes' self-organization in one process, on one fake clock: platforms, users,
 * an in-memory root and network. Declare platforms and users, {@link #start()}, deploy,
 * then {@link #runFor}. Everything random comes from the seed, so a run is reproducible.
 */
public final class SimWorld {
    /** A user: its address, position, and extra delay on its link to particular nodes. */
    public record User(String address, GeoPoint position, Map<String, Double> extraMs) {
    }

    public static final Duration TICK = Duration.ofMillis(500);

    private final long seed;
    private final SelfOrgPolicy policy;
    private final MutableClock clock = new MutableClock();
    private final SimScheduler scheduler = new SimScheduler(clock);
    private final SimRoot root = new SimRoot(clock);
    private final SimNetwork network;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, DeploymentSpec> specs = new HashMap<>();
    private Duration loadWindow = Duration.ofSeconds(3);
    private Duration tickLateness = Duration.ZERO;
    private boolean simultaneousTicks;
    private boolean started;

    public SimWorld(long seed, SelfOrgPolicy policy) {
        this.seed = seed;
        this.policy = policy;
        this.network = new SimNetwork(scheduler, seed);
    }

    public static SelfOrgPolicy testPolicy() {
        return new SelfOrgPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(5), 50, 3, 100, 8, Duration.ofSeconds(2),
                Duration.ofMinutes(10), Duration.ofMillis(400), 3, Duration.ofSeconds(30), 0.25, Duration.ofMinutes(10));
    }

    public SimNode platform(String id, double lat, double lon, Arch arch, double cpus, long ramBytes, int gpus) {
        if (started) {
            throw new IllegalStateException("declare platforms before start()");
        }
        Platform p = new Platform(id, id, "10.0." + (nodes.size() / 250) + "." + (nodes.size() % 250 + 1),
                new GeoPoint(lat, lon), new Hardware(arch, cpus, ramBytes, 100L << 30, gpus), Map.of());
        SimNode n = new SimNode(this, p);
        nodes.put(id, n);
        return n;
    }

    public SimNode platform(String id, double lat, double lon) {
        return platform(id, lat, lon, Arch.AMD64, 4, 8L << 30, 0);
    }

    public User user(String address, double lat, double lon) {
        User u = new User(address, new GeoPoint(lat, lon), new HashMap<>());
        users.put(address, u);
        return u;
    }

    public void extraDelay(String address, String nodeId, double ms) {
        users.get(address).extraMs().put(nodeId, ms);
    }

    public void loadWindow(Duration d) {
        loadWindow = d;
    }

    /**
     * Each tick runs up to {@code max} late (seeded), around an unchanged cadence: a real
     * scheduler's jitter, or time spent in the previous round.
     */
    public void tickLateness(Duration max) {
        tickLateness = max;
    }

    /** Every node ticks at the same instants (one after the other, in declaration order) instead of staggered. */
    public void simultaneousTicks() {
        simultaneousTicks = true;
    }

    public void start() {
        started = true;
        List<Platform> platforms = nodes.values().stream().map(SimNode::platform).toList();
        GeoLocator locator = address -> Optional.ofNullable(users.get(address.getHostAddress()))
                .map(u -> new GeoLocation(u.position(), 32, "", ""));
        Random lateness = new Random(seed * 17 + 5);
        int i = 0;
        for (SimNode n : nodes.values()) {
            String id = n.id();
            EventLog events = new EventLog(id, clock, 10_000, Boolean.getBoolean("selforg.sim.log"));
            TreeMessenger messenger = new TreeMessenger() {
                @Override
                public void send(NodeInfo to, SelfOrgMessage message) {
                    network.send(id, to.nodeId(), message);
                }

                @Override
                public void sendToPlatform(String platformId, SelfOrgMessage message) {
                    network.send(id, platformId, message);
                }

                @Override
                public void prepare(NodeInfo to) {
                    network.prepare(id, to.nodeId());
                }

                @Override
                public void prepareToPlatform(String platformId) {
                    network.prepare(id, platformId);
                }
            };
            AgentContext ctx = new AgentContext(id, policy, Thresholds.DEFAULT, loadWindow, clock,
                    new Random(seed * 31 + i), messenger, root.directory(), n, n, n, root.positionOf(id), locator,
                    new InfrastructureDb(platforms), events);
            NodeAgent agent = new NodeAgent(ctx, n.nodeInfo());
            n.attach(agent, events);
            network.join(id, agent);
            // staggered ticks, in a fixed order
            Runnable tick = () -> {
                if (!network.isRemoved(id)) {
                    agent.tick();
                }
            };
            scheduler.every(TICK, Duration.ofMillis(simultaneousTicks ? 10 : 10 + 7L * i), tickLateness.isZero() ? tick
                    : () -> scheduler.after(Duration.ofMillis(lateness.nextInt((int) tickLateness.toMillis() + 1)), tick));
            i++;
        }
    }

    /** Deploys {@code spec} on a node by hand (as an admin would): registers it and starts its agent. */
    public void deploy(String nodeId, DeploymentSpec spec) {
        String yaml = "spec:" + spec.service();
        specs.put(yaml, spec);
        SimNode n = nodes.get(nodeId);
        root.register(spec.service(), n.nodeInfo());
        n.agent().host(spec, yaml);
    }

    public DeploymentSpec specOf(String yaml) {
        DeploymentSpec s = specs.get(yaml);
        if (s == null) {
            throw new IllegalArgumentException("unknown spec text " + yaml);
        }
        return s;
    }

    public void runFor(Duration d) {
        scheduler.runFor(d);
    }

    /** The node is gone (crash): it stops ticking and receives nothing; the root keeps it until told. */
    public void vanish(String nodeId) {
        network.remove(nodeId);
    }

    public SimNode node(String id) {
        return nodes.get(id);
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    public SimRoot root() {
        return root;
    }

    public SimNetwork network() {
        return network;
    }

    public List<User> usersOf(String service, String nodeId) {
        List<User> out = new ArrayList<>();
        for (User u : users.values()) {
            if (root.resolve(service, u.address(), u.position()).equals(nodeId)) {
                out.add(u);
            }
        }
        return out;
    }

    /** Which node DNS answers {@code address} with. */
    public String resolve(String service, String address) {
        return root.resolve(service, address, users.get(address).position());
    }

    public double rttMs(User u, SimNode n) {
        return 1 + u.position().distanceKm(n.platform().position()) / 100.0 + u.extraMs().getOrDefault(n.id(), 0.0);
    }

    /** Every node's events, in time order. */
    public List<SelfOrgEvent> events() {
        List<SelfOrgEvent> all = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            all.addAll(n.events().all());
        }
        all.sort(Comparator.comparing(SelfOrgEvent::at).thenComparing(SelfOrgEvent::nodeId).thenComparingLong(SelfOrgEvent::seq));
        return all;
    }

    public static DeploymentSpec spec(String service, int maxLatencyMs, Duration idleTimeout, int minInstances) {
        return spec(service, maxLatencyMs, idleTimeout, minInstances, DeploymentSpec.Requirements.NONE);
    }

    public static DeploymentSpec spec(String service, int maxLatencyMs, Duration idleTimeout, int minInstances,
                                      DeploymentSpec.Requirements requirements) {
        return new DeploymentSpec(service, DeploymentSpec.Images.of("demo:1"), List.of(), List.of(), Map.of(),
                DeploymentSpec.Limits.NONE, requirements, maxLatencyMs,
                new DeploymentSpec.Policies(idleTimeout, minInstances, Optional.empty()), false, "svc.example.edge");
    }

    public static DeploymentSpec.Requirements requires(Set<Arch> archs, double cpus, long ramBytes, int gpus) {
        return new DeploymentSpec.Requirements(archs, cpus, ramBytes, gpus, 0);
    }
}
