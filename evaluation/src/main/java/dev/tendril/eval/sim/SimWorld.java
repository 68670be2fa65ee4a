package dev.tendril.eval.sim;

import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Many edge nodes' real self-organization code ({@link NodeAgent}) in one process on
 * simulated time: platforms, users, the simulated root and network. Declare platforms and
 * users, {@link #start()}, deploy, then {@link #runFor}. Everything random comes from the
 * seed (tick phases, the agents' generators); only the charged processing time, when
 * enabled, varies from run to run.
 */
public final class SimWorld {
    public static final Duration TICK = Duration.ofMillis(500);

    private final long seed;
    private final SelfOrgPolicy policy;
    private final SimClock clock;
    private final EventQueue queue;
    private final Map<String, GeoPoint> positions = new HashMap<>();
    private final LinkModel links;
    private final SimNetwork network;
    private final SimRoot root;
    private final Map<String, SimPlatform> platforms = new LinkedHashMap<>();
    private final Map<String, NodeAgent> agents = new HashMap<>();
    private final Map<String, EventLog> logs = new HashMap<>();
    private final Map<String, GeoPoint> users = new HashMap<>();
    private final Map<String, DeploymentSpec> specs = new HashMap<>();
    private Duration loadWindow = Duration.ofSeconds(3);
    private boolean started;

    /**
     * @param links            builds the link model over the positions of platforms, users and the root
     * @param chargeProcessing whether handlers' real run time counts as simulated time
     */
    public SimWorld(long seed, SelfOrgPolicy policy, int fanOut, GeoPoint rootPosition,
                    Function<Map<String, GeoPoint>, LinkModel> links, boolean chargeProcessing) {
        this.seed = seed;
        this.policy = policy;
        this.clock = new SimClock(chargeProcessing);
        this.queue = new EventQueue(clock);
        positions.put(LinkModel.ROOT, rootPosition);
        this.links = links.apply(positions);
        this.network = new SimNetwork(queue, this.links);
        this.root = new SimRoot(clock, this.links, fanOut);
    }

    public SimPlatform platform(String id, GeoPoint position, Arch arch, double cpus, long ramBytes) {
        if (started) {
            throw new IllegalStateException("declare platforms before start()");
        }
        int i = platforms.size();
        Platform p = new Platform(id, id, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), position,
                new Hardware(arch, cpus, ramBytes, 100L << 30, 0), Map.of());
        SimPlatform s = new SimPlatform(this, p);
        platforms.put(id, s);
        positions.put(id, position);
        return s;
    }

    public SimPlatform platform(String id, GeoPoint position) {
        return platform(id, position, Arch.AMD64, 4, 8L << 30);
    }

    /** A client address (an IPv4 literal) at a position, as GeoIP would place it. */
    public void user(String address, GeoPoint position) {
        users.put(address, position);
        positions.put(address, position);
    }

    public void loadWindow(Duration d) {
        loadWindow = d;
    }

    public void start() {
        started = true;
        InfrastructureDb infra = new InfrastructureDb(platforms.values().stream().map(SimPlatform::platform).toList());
        GeoLocator locator = address -> Optional.ofNullable(users.get(address.getHostAddress()))
                .map(p -> new GeoLocation(p, 32, "", ""));
        SplittableRandom phases = new SplittableRandom(seed);
        long i = 0;
        for (SimPlatform s : platforms.values()) {
            String id = s.id();
            EventLog events = new EventLog(id, clock, 1_000);
            TreeMessenger messenger = new TreeMessenger() {
                @Override
                public void send(NodeInfo to, SelfOrgMessage message) {
                    network.send(id, to.nodeId(), message);
                }

                @Override
                public void sendToPlatform(String platformId, SelfOrgMessage message) {
                    network.send(id, platformId, message);
                }
            };
            AgentContext ctx = new AgentContext(id, policy, Thresholds.DEFAULT, loadWindow, clock,
                    new java.util.Random(seed * 1_000_003 + i++), messenger, root.directoryFor(id), s, s, s,
                    root.positionOf(id), locator, infra, events);
            NodeAgent agent = new NodeAgent(ctx, s.nodeInfo());
            agents.put(id, agent);
            logs.put(id, events);
            network.join(id, agent);
            queue.every(TICK, SimClock.EPOCH.plusNanos(phases.nextLong(TICK.toNanos())), agent::tick);
        }
    }

    private static String yamlOf(DeploymentSpec spec) {
        return "spec:" + spec.service();
    }

    /** Creates the tree of {@code spec} with {@code nodeId} on top and starts its agent. */
    public void deployTop(String nodeId, DeploymentSpec spec) {
        specs.put(yamlOf(spec), spec);
        root.createTree(spec.service(), platforms.get(nodeId).nodeInfo());
        agents.get(nodeId).host(spec, yamlOf(spec));
    }

    /** Joins {@code nodeId} to the tree (as an admin's deploy would) and starts its agent. */
    public void deploy(String nodeId, DeploymentSpec spec) {
        specs.put(yamlOf(spec), spec);
        root.register(spec.service(), platforms.get(nodeId).nodeInfo());
        agents.get(nodeId).host(spec, yamlOf(spec));
    }

    /** Starts the agent of a node the root already holds (registered in bulk). */
    public void hostOnly(String nodeId, DeploymentSpec spec) {
        specs.put(yamlOf(spec), spec);
        agents.get(nodeId).host(spec, yamlOf(spec));
    }

    public DeploymentSpec specOf(String yaml) {
        DeploymentSpec s = specs.get(yaml);
        if (s == null) {
            throw new IllegalArgumentException("unknown spec text " + yaml);
        }
        return s;
    }

    public void runFor(Duration d) {
        queue.runFor(d);
    }

    public SimPlatform platform(String id) {
        return platforms.get(id);
    }

    public Collection<SimPlatform> platforms() {
        return platforms.values();
    }

    public NodeAgent agent(String id) {
        return agents.get(id);
    }

    public SimClock clock() {
        return clock;
    }

    public EventQueue queue() {
        return queue;
    }

    public SimRoot root() {
        return root;
    }

    public SimNetwork network() {
        return network;
    }

    public LinkModel links() {
        return links;
    }

    /** Where a platform, user or the root is. */
    public GeoPoint positionOf(String id) {
        return positions.get(id);
    }

    /** One node's events. */
    public List<SelfOrgEvent> eventsOf(String nodeId) {
        EventLog l = logs.get(nodeId);
        return l == null ? List.of() : l.all();
    }

    /** Every node's events (unordered across nodes). */
    public List<SelfOrgEvent> events() {
        List<SelfOrgEvent> all = new ArrayList<>();
        for (EventLog l : logs.values()) {
            all.addAll(l.all());
        }
        return all;
    }

    /** A spec for experiments: any arch of {@code archs}, QoS {@code maxLatencyMs}. */
    public static DeploymentSpec spec(String service, int maxLatencyMs, Duration idleTimeout, int minInstances, Arch... archs) {
        Map<Arch, String> images = new LinkedHashMap<>();
        for (Arch a : archs) {
            images.put(a, "demo-" + a.name().toLowerCase(java.util.Locale.ROOT) + ":1");
        }
        DeploymentSpec.Images img = images.isEmpty() ? DeploymentSpec.Images.of("demo:1")
                : new DeploymentSpec.Images(Optional.empty(), images);
        return new DeploymentSpec(service, img, List.of(), List.of(), Map.of(), DeploymentSpec.Limits.NONE,
                DeploymentSpec.Requirements.NONE, maxLatencyMs,
                new DeploymentSpec.Policies(idleTimeout, minInstances, Optional.empty()), false, "svc.example.edge");
    }
}
