package dev.tendril.eval.sim;

import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.port.out.LoadGauge;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.UserLatencies;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One simulated platform: the ports its node agent uses. Load is set by the experiment;
 * users are the clients the experiment attaches to it, each with an extra delay on top of the
 * link model's round trip; a replica offered by another node is first checked with the root
 * (a round trip), then its deployment takes {@link #containerStart} of simulated time, then
 * registers with the root (a round trip) and attaches.
 */
public final class SimPlatform implements LoadGauge, UserLatencies, ReplicaHost {
    private final SimWorld world;
    private final Platform platform;
    private final Map<String, Double> users = new LinkedHashMap<>(); // address -> extra ms
    private double cpuLoad = 0.1;
    private Duration containerStart = Duration.ofMillis(800);
    private int deploys;

    SimPlatform(SimWorld world, Platform platform) {
        this.world = world;
        this.platform = platform;
    }

    public String id() {
        return platform.id();
    }

    public Platform platform() {
        return platform;
    }

    public NodeInfo nodeInfo() {
        return new NodeInfo(platform.id(), platform.address(), platform.position(), List.of(), 7400);
    }

    public void cpuLoad(double load) {
        cpuLoad = load;
    }

    public void containerStart(Duration d) {
        containerStart = d;
    }

    public void attachUser(String address, double extraMs) {
        users.put(address, extraMs);
    }

    public void detachUser(String address) {
        users.remove(address);
    }

    public int deploys() {
        return deploys;
    }

    @Override
    public LoadSample load() {
        return new LoadSample(cpuLoad, 0.3, 0, 0.2);
    }

    @Override
    public Capacity free() {
        var h = platform.hardware();
        return Capacity.of(h.cpus() * (1 - cpuLoad), (long) (h.ramBytes() * 0.7), h.gpus(), (long) (h.diskBytes() * 0.8));
    }

    @Override
    public Optional<List<UserSample>> users(String service) {
        List<UserSample> out = new ArrayList<>(users.size());
        for (var u : users.entrySet()) {
            double rttMs = 2 * world.links().oneWay(u.getKey(), id()).toNanos() / 1e6;
            out.add(new UserSample(u.getKey(), rttMs + u.getValue()));
        }
        return Optional.of(out);
    }

    @Override
    public void deploy(String service, String specYaml, Consumer<Outcome> done) {
        deploys++;
        Duration start = containerStart;
        world.queue().after(start, () -> {
            DeploymentSpec spec = world.specOf(specYaml);
            world.root().registerFrom(service, nodeInfo());
            done.accept(new Deployed(nodeInfo(), spec, start, world.clock().instant()));
        });
    }

    /**
     * As the edge node's replica host does: deploys only when {@code offeredBy} is a node of the
     * tree by the root's account (a {@code MembershipQuery} round trip from here, with this node's
     * likely parents), or this node already is one; the container starts after the answer.
     */
    @Override
    public void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Outcome> done) {
        if (offeredBy != null && !world.root().membershipFrom(id(), service, offeredBy.nodeId(),
                Optional.of(platform.position()), HostedServices.LIKELY_PARENTS).member()
                && !world.root().membershipFrom(id(), service, id(), Optional.empty(), 0).member()) {
            Outcome refused = new Failed("refused: '" + offeredBy.nodeId() + "' is not a node of the tree of " + service);
            world.queue().after(Duration.ZERO, () -> done.accept(refused));
            return;
        }
        deploy(service, specYaml, done);
    }

    @Override
    public Termination terminate(String service, int minInstances) {
        var d = world.root().leaveIfAtLeast(service, id(), minInstances);
        return d.granted() ? new Granted(d.liveInstances()) : new Refused(d.liveInstances());
    }
}
