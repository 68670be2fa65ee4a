package dev.tendril.edge.selforg.sim;

import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.LoadGauge;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One simulated platform: its node agent and fakes of the ports it uses. Load is
 * {@code baseCpu + cpuPerUser × users served}; users are whoever the root resolves to this
 * node, with an RTT of 1 ms + 1 ms per 100 km + any extra delay set on the user's link.
 */
public final class SimNode implements LoadGauge, UserLatencies, ReplicaHost {
    private final List<String> expected = new ArrayList<>();
    private final SimWorld world;
    private final Platform platform;
    private final Map<String, Integer> deploys = new HashMap<>();
    private NodeAgent agent;
    private EventLog events;
    private double baseCpu = 0.1;
    private double cpuPerUser;
    private boolean degraded;
    private boolean failDeploys;
    private Duration containerStart = Duration.ofMillis(800);
    private int terminations;

    SimNode(SimWorld world, Platform platform) {
        this.world = world;
        this.platform = platform;
    }

    void attach(NodeAgent agent, EventLog events) {
        this.agent = agent;
        this.events = events;
    }

    public String id() {
        return platform.id();
    }

    public Platform platform() {
        return platform;
    }

    public NodeAgent agent() {
        return agent;
    }

    public EventLog events() {
        return events;
    }

    public SimNode baseCpu(double v) {
        baseCpu = v;
        return this;
    }

    public SimNode cpuPerUser(double v) {
        cpuPerUser = v;
        return this;
    }

    public SimNode degraded(boolean v) {
        degraded = v;
        return this;
    }

    public SimNode failDeploys(boolean v) {
        failDeploys = v;
        return this;
    }

    public SimNode containerStart(Duration d) {
        containerStart = d;
        return this;
    }

    /** How often a replica of {@code service} was deployed here. */
    public int deploys(String service) {
        return deploys.getOrDefault(service, 0);
    }

    public NodeInfo nodeInfo() {
        return new NodeInfo(platform.id(), platform.address(), platform.position(), List.of(), 7400);
    }

    /** Users the root currently answers with this node, for any hosted service. */
    public int usersServed() {
        int n = 0;
        for (String service : agent.services()) {
            n += world.usersOf(service, id()).size();
        }
        return n;
    }

    public double cpuLoad() {
        return Math.min(1.0, baseCpu + cpuPerUser * usersServed());
    }

    @Override
    public LoadSample load() {
        return new LoadSample(cpuLoad(), 0.3, 0, 0.2);
    }

    @Override
    public Capacity free() {
        var h = platform.hardware();
        return Capacity.of(h.cpus() * (1 - cpuLoad()), (long) (h.ramBytes() * 0.7), h.gpus(), (long) (h.diskBytes() * 0.8));
    }

    @Override
    public Optional<List<UserSample>> users(String service) {
        if (degraded) {
            return Optional.empty();
        }
        List<UserSample> out = new ArrayList<>();
        for (SimWorld.User u : world.usersOf(service, id())) {
            out.add(new UserSample(u.address(), world.rttMs(u, this)));
        }
        return Optional.of(out);
    }

    @Override
    public void deploy(String service, String specYaml, Consumer<Outcome> done) {
        deploys.merge(service, 1, Integer::sum);
        world.scheduler().after(containerStart, () -> {
            if (failDeploys) {
                done.accept(new Failed("simulated runtime failure on " + id()));
                return;
            }
            DeploymentSpec spec = world.specOf(specYaml);
            world.root().register(service, nodeInfo());
            done.accept(new Deployed(nodeInfo(), spec, containerStart, world.scheduler().now()));
        });
    }

    /** Records the hint ("service<origin"); the simulated root needs no membership check. */
    @Override
    public void expect(String service, String origin) {
        expected.add(service + "<" + origin);
    }

    /** Every ReplicateSoon hint handed to this node's host, "service<origin", in order. */
    public List<String> expected() {
        return List.copyOf(expected);
    }

    /** The root decides and signs off at once; the instance stops afterwards (the tree no longer counts it). */
    @Override
    public Termination terminate(String service, int minInstances) {
        Termination t = world.root().leaveIfAtLeast(service, id(), minInstances);
        if (t instanceof Granted) {
            terminations++;
        }
        return t;
    }

    /** How many times an instance here was granted termination. */
    public int terminations() {
        return terminations;
    }
}
