package dev.tendril.eval.topology;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.eval.report.TrialTimes;
import dev.tendril.eval.sim.GeoLinkModel;
import dev.tendril.eval.sim.SimPlatform;
import dev.tendril.eval.sim.SimWorld;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The thesis' heterogeneous case on simulated time: three amd64 platforms in Potsdam host the
 * service, an idle arm64 platform in Munich does not, a user in Munich sees a bad QoE. No
 * existing instance is nearer, so the search ends without a target; the node replicates onto
 * the Munich platform (the spec declares an amd64 and an arm64 image) and moves the user
 * there. Delay: 5 ms per path plus 5 µs/km.
 */
public final class HeterogeneousExperiment {
    static final GeoPoint POTSDAM = new GeoPoint(52.391, 13.065);
    static final GeoPoint MUNICH = new GeoPoint(48.137, 11.575);
    static final GeoPoint FRANKFURT = new GeoPoint(50.11, 8.68);
    static final String SERVICE = "web";

    public RunSeries run(int runs) {
        runOnce(0, true);
        RunSeries series = new RunSeries();
        for (int r = 1; r <= runs; r++) {
            TopologyExperiment.Result charged = runOnce(r, true);
            TopologyExperiment.Result network = runOnce(r, false);
            series.add(r, charged.times(), network.times(), charged.outcome());
        }
        return series;
    }

    TopologyExperiment.Result runOnce(long seed, boolean chargeProcessing) {
        SplittableRandom random = new SplittableRandom(seed * 31337);
        SelfOrgPolicy d = SelfOrgPolicy.defaults();
        // the latency model of searches and QoE replicas: 30 km per ms of RTT (the 5 ms access
        // links eat most of a 12 ms budget), so Potsdam (~500 km) is out of reach of a Munich user
        SelfOrgPolicy policy = new SelfOrgPolicy(d.gridSize(), d.exchangeInterval(), d.gridStaleAfter(), d.clusterRadiusKm(),
                d.clusterScoreThreshold(), 30, d.hopLimit(), d.searchTimeout(), d.migrationLifetime(), d.replyTimeout(),
                d.replicateAttempts(), d.readyTimeout(), d.idleJitter(), d.migrationHoldDown());
        SimWorld world = new SimWorld(seed, policy, 4, FRANKFURT,
                positions -> GeoLinkModel.fibre(positions, Duration.ofMillis(5)), chargeProcessing);
        SimPlatform[] potsdam = new SimPlatform[3];
        for (int i = 0; i < 3; i++) {
            potsdam[i] = world.platform("potsdam-" + i, jitter(POTSDAM, random), Arch.AMD64, 8, 16L << 30);
        }
        SimPlatform munich = world.platform("munich-arm", jitter(MUNICH, random), Arch.ARM64, 4, 8L << 30);
        String user = "100.64.1.1";
        world.user(user, jitter(MUNICH, random));
        world.start();
        DeploymentSpec spec = SimWorld.spec(SERVICE, 12, Duration.ofHours(1), 1, Arch.AMD64, Arch.ARM64);
        world.deployTop(potsdam[0].id(), spec);
        world.deploy(potsdam[1].id(), spec);
        world.deploy(potsdam[2].id(), spec);
        world.runFor(Duration.ofSeconds(3));
        SimPlatform origin = potsdam[random.nextInt(3)];
        origin.attachUser(user, 0); // RTT Potsdam-Munich ~15 ms > 12 ms
        world.runFor(Duration.ofSeconds(8));
        TrialTimes times = TrialTimes.of(world.events());
        Optional<String> target = world.root().migrationTarget(SERVICE, user);
        boolean replicated = munich.deploys() == 1
                && world.eventsOf(origin.id()).stream().anyMatch(e -> e.kind() == EventKind.REPLICA_REGISTERED);
        boolean migrated = target.filter(munich.id()::equals).isPresent();
        String problem = (replicated ? "" : "no replica on the arm64 platform; ")
                + (migrated ? "" : "user not redirected to the arm64 replica (target " + target.orElse("none") + ")");
        return new TopologyExperiment.Result(times, new RunSeries.Outcome(migrated, replicated, 0,
                problem.trim()));
    }

    private static GeoPoint jitter(GeoPoint p, SplittableRandom r) {
        return new GeoPoint(p.latitude() + (r.nextDouble() - 0.5) * 0.05, p.longitude() + (r.nextDouble() - 0.5) * 0.05);
    }

}
