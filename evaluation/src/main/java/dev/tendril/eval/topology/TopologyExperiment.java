package dev.tendril.eval.topology;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.eval.report.TrialTimes;
import dev.tendril.eval.sim.LinkModel;
import dev.tendril.eval.sim.SimPlatform;
import dev.tendril.eval.sim.SimWorld;
import dev.tendril.eval.sim.SwitchTreeLinkModel;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The thesis' topology experiments on simulated time: a binary tree of switches with 5 ms
 * links, platforms and users placed at random (seeded) over Munich, the real node agents and
 * root use cases. Each run: grids settle; then one user's link to its instance turns bad
 * (extra delay) -> migration; one instance's CPU goes above its threshold -> replication;
 * instances without users pass the idle timeout -> termination down to the minimum.
 */
public final class TopologyExperiment {
    static final double LAT_MIN = 48.06, LAT_MAX = 48.25, LON_MIN = 11.36, LON_MAX = 11.72;
    static final GeoPoint MUNICH = new GeoPoint(48.137, 11.575);
    static final String SERVICE = "web";
    static final int MAX_LATENCY_MS = 150;
    static final int MIN_INSTANCES = 2;

    private final TopologySpec topology;
    private final Duration linkDelay;

    public TopologyExperiment(TopologySpec topology, Duration linkDelay) {
        this.topology = topology;
        this.linkDelay = linkDelay;
    }

    /** {@code runs} runs (seeds 1..runs), each also without processing charged; a first warm-up run is discarded. */
    public RunSeries run(int runs) {
        runOnce(0, true);
        RunSeries series = new RunSeries();
        for (int r = 1; r <= runs; r++) {
            Result charged = runOnce(r, true);
            Result network = runOnce(r, false);
            series.add(r, charged.times(), network.times(), charged.outcome());
        }
        return series;
    }

    record Result(TrialTimes times, RunSeries.Outcome outcome) {
    }

    Result runOnce(long seed, boolean chargeProcessing) {
        SplittableRandom random = new SplittableRandom(seed * 104729 + topology.name().hashCode());
        SwitchTreeLinkModel links = new SwitchTreeLinkModel(topology.switchDepth(), linkDelay);
        links.attach(LinkModel.ROOT, 0);
        SimWorld world = new SimWorld(seed, SelfOrgPolicy.defaults(), 4, MUNICH, positions -> links, chargeProcessing);
        List<Integer> evenSwitches = new ArrayList<>();
        for (int s = 0; s < links.switches(); s++) {
            if (SwitchTreeLinkModel.depth(s) % 2 == 0) {
                evenSwitches.add(s);
            }
        }
        List<SimPlatform> platforms = new ArrayList<>();
        for (int i = 0; i < topology.platforms(); i++) {
            String id = "p" + i;
            // A: one platform per switch; B-D: on switches at even depth, so that platforms
            // next to each other in the switch tree are an even number of hops apart
            int sw = topology.switchDepth() == 3 ? i % links.switches() : evenSwitches.get(random.nextInt(evenSwitches.size()));
            links.attach(id, sw);
            platforms.add(world.platform(id, randomPoint(random)));
        }
        List<String> users = new ArrayList<>();
        for (int i = 0; i < topology.users(); i++) {
            String address = "100.64.0." + (i + 1);
            links.attach(address, topology.switchDepth() == 3 ? i % links.switches() : random.nextInt(links.switches()));
            world.user(address, randomPoint(random));
            users.add(address);
        }
        world.start();
        DeploymentSpec spec = SimWorld.spec(SERVICE, MAX_LATENCY_MS, Duration.ofSeconds(10), MIN_INSTANCES);
        List<SimPlatform> order = new ArrayList<>(platforms);
        shuffle(order, random);
        List<SimPlatform> instances = order.subList(0, topology.instances());
        world.deployTop(instances.get(0).id(), spec);
        for (SimPlatform p : instances.subList(1, instances.size())) {
            world.deploy(p.id(), spec);
        }
        // every user on its geographically nearest instance, as DNS answers at first
        for (String u : users) {
            nearest(world, instances, u).attachUser(u, 0);
        }
        world.runFor(Duration.ofSeconds(3));

        // bad QoE: a user moved to the instance farthest from it, with 200 ms extra on that path
        String badUser = users.get(random.nextInt(users.size()));
        GeoPoint userAt = world.positionOf(badUser);
        SimPlatform from = nearest(world, instances, badUser);
        SimPlatform far = instances.stream()
                .max(Comparator.comparingDouble((SimPlatform p) -> p.platform().position().distanceKm(userAt))).orElseThrow();
        from.detachUser(badUser);
        far.attachUser(badUser, 200);
        // overload: another instance above the CPU threshold until it decides to replicate
        List<SimPlatform> others = instances.stream().filter(p -> p != far).toList();
        SimPlatform hot = others.get(random.nextInt(others.size()));
        hot.cpuLoad(0.95);
        // the user follows DNS: once redirected, it talks to the target (at the network's delay)
        SimPlatform[] servedBy = {far};
        Runnable followDns = () -> world.root().migrationTarget(SERVICE, badUser).map(world::platform)
                .filter(t -> t != servedBy[0]).ifPresent(t -> {
                    servedBy[0].detachUser(badUser);
                    t.attachUser(badUser, 0);
                    servedBy[0] = t;
                });
        for (int step = 0; step < 16; step++) {
            world.runFor(Duration.ofMillis(500));
            if (world.eventsOf(hot.id()).stream().anyMatch(e -> e.kind() == EventKind.REPLICATION_DECIDED)) {
                hot.cpuLoad(0.1);
            }
            followDns.run();
        }
        // idle: instances without users terminate after the idle timeout (10 s + up to 25 %)
        for (int step = 0; step < 32; step++) {
            world.runFor(Duration.ofMillis(500));
            followDns.run();
        }

        List<SelfOrgEvent> events = world.events();
        TrialTimes times = TrialTimes.of(events);
        Optional<String> target = world.root().migrationTarget(SERVICE, badUser);
        boolean migrated = target.isPresent() && !target.get().equals(far.id()) && servedBy[0] != far;
        boolean replicated = world.eventsOf(hot.id()).stream().anyMatch(e -> e.kind() == EventKind.REPLICA_REGISTERED);
        int terminations = (int) events.stream().filter(e -> e.kind() == EventKind.TERMINATED).count();
        int live = world.root().liveCount(SERVICE);
        String problem = "";
        if (!migrated) {
            problem += "user " + badUser + " not redirected away from " + far.id() + " (target " + target.orElse("none") + "); ";
        }
        if (!replicated) {
            problem += "no replica registered for overloaded " + hot.id() + "; ";
        }
        if (live < MIN_INSTANCES) {
            problem += "live instances " + live + " < min " + MIN_INSTANCES + "; ";
        }
        return new Result(times, new RunSeries.Outcome(migrated, replicated, terminations, problem.trim()));
    }

    private static SimPlatform nearest(SimWorld world, List<SimPlatform> instances, String user) {
        GeoPoint at = world.positionOf(user);
        return instances.stream().min(Comparator.comparingDouble((SimPlatform p) -> p.platform().position().distanceKm(at)))
                .orElseThrow();
    }

    static GeoPoint randomPoint(SplittableRandom r) {
        return new GeoPoint(LAT_MIN + r.nextDouble() * (LAT_MAX - LAT_MIN), LON_MIN + r.nextDouble() * (LON_MAX - LON_MIN));
    }

    static <T> void shuffle(List<T> list, SplittableRandom r) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
