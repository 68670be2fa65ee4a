package dev.tendril.eval.scale;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.eval.report.Percentiles;
import dev.tendril.eval.report.TrialTimes;
import dev.tendril.eval.scale.ScaleResult.Split;
import dev.tendril.eval.sim.GeoLinkModel;
import dev.tendril.eval.sim.SimPlatform;
import dev.tendril.eval.sim.SimWorld;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.root.domain.SpatialInstanceDirectory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One scale run: N platforms spread at random (seeded) over Europe form one service tree
 * through the root's real registration and parent assignment; their real node agents exchange
 * grids on simulated time over a network whose delay is 5 µs/km of great-circle distance plus
 * a constant per path; then bad-QoE users far from their instance trigger migrations and
 * overloaded nodes trigger replications onto spare platforms, all at once.
 */
public final class ScaleExperiment {
    /** Europe, roughly: where platforms and users are placed. */
    static final double LAT_MIN = 36, LAT_MAX = 60, LON_MIN = -10, LON_MAX = 30;
    static final GeoPoint FRANKFURT = new GeoPoint(50.11, 8.68);
    static final String SERVICE = "web";

    /**
     * @param warmUp   simulated time before the message count starts (grids reach the top)
     * @param window   simulated time over which messages are counted
     * @param trials   bad-QoE clusters and overloaded nodes set up (each)
     * @param perPath  constant one-way delay per path on top of the distance
     */
    public record Options(long seed, int fanOut, Duration warmUp, Duration window, int trials, Duration perPath,
                          boolean chargeProcessing) {
        public static Options defaults() {
            return new Options(1, 4, Duration.ofSeconds(8), Duration.ofSeconds(5), 20, Duration.ofMillis(1), true);
        }
    }

    private final Options options;

    public ScaleExperiment(Options options) {
        this.options = options;
    }

    /** One run's result and its per-trial times (to pair with a run without processing charged). */
    public record Run(ScaleResult result, TrialTimes times) {
    }

    /** Runs once with the options' processing setting and, when {@code split}, again without, to part network from processing. */
    public ScaleResult measure(int n, boolean split) {
        Run charged = run(n);
        if (!split || !options.chargeProcessing()) {
            return charged.result();
        }
        Run network = new ScaleExperiment(new Options(options.seed(), options.fanOut(), options.warmUp(), options.window(),
                options.trials(), options.perPath(), false)).run(n);
        return charged.result().withSplit(new Split(
                Percentiles.of(TrialTimes.msPaired(network.times().migrate(), charged.times().migrate())),
                Percentiles.of(TrialTimes.differenceMs(charged.times().migrate(), network.times().migrate())),
                Percentiles.of(TrialTimes.msPaired(network.times().replicate(), charged.times().replicate())),
                Percentiles.of(TrialTimes.differenceMs(charged.times().replicate(), network.times().replicate()))));
    }

    public Run run(int n) {
        long wallStart = System.nanoTime();
        SplittableRandom random = new SplittableRandom(options.seed() * 7919 + n);
        int spares = Math.max(2 * options.trials(), n / 100);
        SelfOrgPolicy policy = SelfOrgPolicy.defaults();
        SimWorld world = new SimWorld(options.seed(), policy, options.fanOut(), FRANKFURT,
                positions -> GeoLinkModel.fibre(positions, options.perPath()), options.chargeProcessing());
        List<SimPlatform> tree = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tree.add(world.platform(String.format("n%06d", i), randomPoint(random)));
        }
        List<SimPlatform> spare = new ArrayList<>(spares);
        for (int i = 0; i < spares; i++) {
            spare.add(world.platform(String.format("s%06d", i), randomPoint(random)));
        }
        DeploymentSpec spec = SimWorld.spec(SERVICE, 10, Duration.ofHours(1), 1);

        // root: registration and parent assignment through the real use cases
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        world.root().createTree(SERVICE, tree.get(0).nodeInfo());
        for (int i = 1; i < n; i++) {
            world.root().register(SERVICE, tree.get(i).nodeInfo());
        }
        double regPerSec = (n - 1) / ((System.nanoTime() - t0) / 1e9);
        long rootHeap = usedHeap() - heapBefore;
        long directoryHeap = directoryHeap(tree);

        world.start();
        for (SimPlatform p : tree) {
            world.hostOnly(p.id(), spec);
        }
        world.runFor(options.warmUp());
        long sentBefore = world.network().sent();
        world.runFor(options.window());
        double perNodeSec = (world.network().sent() - sentBefore) / (double) n / (options.window().toNanos() / 1e9);

        // bad QoE: a user placed next to a far instance, attached to this one
        List<SimPlatform> origins = pick(tree, random, options.trials() * 2);
        int u = 0;
        int migrationTrials = 0;
        for (int i = 0; i < options.trials(); i++) {
            SimPlatform origin = origins.get(i);
            SimPlatform far = farFrom(tree, origin, random);
            GeoPoint at = new GeoPoint(far.platform().position().latitude() + 0.01, far.platform().position().longitude());
            String address = "100.64." + (u / 250) + "." + (u % 250 + 1);
            u++;
            world.user(address, at);
            origin.attachUser(address, 0);
            migrationTrials++;
        }
        world.runFor(Duration.ofSeconds(6));
        // overload: CPU above the threshold for the load window, at nodes 400 km apart or more
        // (so that concurrent replications mostly want different spares); the load drops once
        // the node has decided (the simulated load does not follow offloaded users)
        List<SimPlatform> overloaded = spread(tree, random, options.trials(), 400);
        overloaded.forEach(p -> p.cpuLoad(0.95));
        for (int step = 0; step < 16; step++) {
            world.runFor(Duration.ofMillis(500));
            for (SimPlatform p : overloaded) {
                if (world.eventsOf(p.id()).stream().anyMatch(e -> e.kind() == EventKind.REPLICATION_DECIDED)) {
                    p.cpuLoad(0.1);
                }
            }
        }
        double simulated = (options.warmUp().plus(options.window()).toNanos()) / 1e9 + 14;

        List<SelfOrgEvent> events = world.events();
        TrialTimes times = TrialTimes.of(events);
        List<String> notFound = events.stream().filter(e -> e.kind() == EventKind.SEARCH_NOT_FOUND
                && e.detail().contains("replicating near the cluster")).map(e -> e.nodeId() + " " + e.detail()).toList();
        double wall = (System.nanoTime() - wallStart) / 1e9;
        return new Run(new ScaleResult(n, spares, regPerSec, rootHeap, directoryHeap, perNodeSec,
                Percentiles.ofDurations(times.migrate().values()), Percentiles.ofDurations(times.replicate().values()),
                migrationTrials, overloaded.size(), notFound.size(), depth(world, tree), searchHops(events), notFound,
                simulated, wall, Split.NONE), times);
    }

    /** The deepest level of the tree, the top at 0 (parents as the root assigned them). */
    private static int depth(SimWorld world, List<SimPlatform> tree) {
        Map<String, Integer> level = new HashMap<>();
        int max = 0;
        for (SimPlatform p : tree) {
            List<String> path = new ArrayList<>();
            String at = p.id();
            while (at != null && !level.containsKey(at) && path.size() <= tree.size()) {
                path.add(at);
                at = world.root().positionOf(at).parent(SERVICE).map(NodeInfo::nodeId).orElse(null);
            }
            int base = at == null || !level.containsKey(at) ? -1 : level.get(at);
            for (int i = path.size() - 1; i >= 0; i--) {
                level.put(path.get(i), ++base);
            }
            max = Math.max(max, level.get(p.id()));
        }
        return max;
    }

    /** Search messages (forwards, down, up and back) per migration search decided. */
    private static Percentiles searchHops(List<SelfOrgEvent> events) {
        Map<String, Integer> forwards = new HashMap<>();
        events.stream().filter(e -> e.kind() == EventKind.MIGRATION_DECIDED).forEach(e -> forwards.put(e.correlationId(), 0));
        events.stream().filter(e -> e.kind() == EventKind.SEARCH_FORWARDED && forwards.containsKey(e.correlationId()))
                .forEach(e -> forwards.merge(e.correlationId(), 1, Integer::sum));
        return Percentiles.of(forwards.values().stream().mapToDouble(Integer::doubleValue).toArray());
    }

    private static List<SimPlatform> spread(List<SimPlatform> tree, SplittableRandom r, int count, double minKm) {
        List<SimPlatform> out = new ArrayList<>();
        for (int tries = 0; tries < 100_000 && out.size() < count; tries++) {
            SimPlatform p = tree.get(r.nextInt(tree.size()));
            if (out.stream().allMatch(o -> o.platform().position().distanceKm(p.platform().position()) >= minKm)) {
                out.add(p);
            }
        }
        return out;
    }

    private static GeoPoint randomPoint(SplittableRandom r) {
        return new GeoPoint(LAT_MIN + r.nextDouble() * (LAT_MAX - LAT_MIN), LON_MIN + r.nextDouble() * (LON_MAX - LON_MIN));
    }

    private static List<SimPlatform> pick(List<SimPlatform> from, SplittableRandom r, int count) {
        Set<Integer> seen = new HashSet<>();
        List<SimPlatform> out = new ArrayList<>();
        while (out.size() < Math.min(count, from.size())) {
            int i = r.nextInt(from.size());
            if (seen.add(i)) {
                out.add(from.get(i));
            }
        }
        return out;
    }

    /** A tree node 1,500 to 2,500 km from {@code origin} (far beyond a 10 ms reach of 1,000 km). */
    private static SimPlatform farFrom(List<SimPlatform> tree, SimPlatform origin, SplittableRandom r) {
        GeoPoint o = origin.platform().position();
        for (int tries = 0; tries < 10_000; tries++) {
            SimPlatform p = tree.get(r.nextInt(tree.size()));
            double km = o.distanceKm(p.platform().position());
            if (km >= 1500 && km <= 2500) {
                return p;
            }
        }
        throw new IllegalStateException("no node 1,500-2,500 km from " + origin.id());
    }

    private static long directoryHeap(List<SimPlatform> tree) {
        long before = usedHeap();
        SpatialInstanceDirectory d = new SpatialInstanceDirectory(Clock.systemUTC());
        d.batch(x -> tree.forEach(p -> x.putInstance(SERVICE, p.nodeInfo(), true)));
        long after = usedHeap();
        if (d.service(SERVICE).isEmpty()) {
            throw new IllegalStateException("directory lost the service");
        }
        return after - before;
    }

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
