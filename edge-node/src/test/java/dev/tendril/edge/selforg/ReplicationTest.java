package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.tendril.edge.selforg.MigrationTest.only;
import static dev.tendril.edge.selforg.Places.AUGSBURG;
import static dev.tendril.edge.selforg.Places.EBERSBERG;
import static dev.tendril.edge.selforg.Places.ERDING;
import static dev.tendril.edge.selforg.Places.FRANKFURT;
import static dev.tendril.edge.selforg.Places.GARCHING;
import static dev.tendril.edge.selforg.Places.MUNICH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shortage: a replica on the nearest platform that fits, then users offloaded until the load is normal. */
class ReplicationTest {
    private static final Duration LONG_IDLE = Duration.ofHours(1);
    private static final long GIB = 1L << 30;

    private static SelfOrgPolicy townRadius() {
        SelfOrgPolicy p = SimWorld.testPolicy();
        return new SelfOrgPolicy(p.gridSize(), p.exchangeInterval(), p.gridStaleAfter(), 10, p.clusterScoreThreshold(),
                p.kmPerRttMs(), p.hopLimit(), p.searchTimeout(), p.migrationLifetime(), p.replyTimeout(),
                p.replicateAttempts(), p.readyTimeout(), p.idleJitter(), p.migrationHoldDown());
    }

    @Test
    void overloadReplicatesOnTheNearestFittingPlatformAndOffloadsUntilNormal() {
        SimWorld w = new SimWorld(11, townRadius());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.2).cpuPerUser(0.06);
        w.platform("schwabing-arm", 48.16, 11.58, Arch.ARM64, 8, 16 * GIB, 0);     // nearest, wrong arch
        w.platform("garching", GARCHING[0], GARCHING[1], Arch.AMD64, 2, GIB, 0);   // too little RAM
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1], Arch.AMD64, 8, 16 * GIB, 0).cpuPerUser(0.06);
        w.platform("frankfurt", FRANKFURT[0], FRANKFURT[1], Arch.AMD64, 8, 16 * GIB, 0);
        int n = 0;
        for (double[] town : List.of(MUNICH, ERDING, EBERSBERG)) {
            for (int i = 0; i < 4; i++) {
                w.user("10.9." + n / 4 + "." + (i + 1), town[0] + i * 0.002, town[1]);
                n++;
            }
        }
        w.start();
        DeploymentSpec spec = SimWorld.spec("web", 0, LONG_IDLE, 1,
                SimWorld.requires(Set.of(Arch.AMD64), 1, 2 * GIB, 0));
        w.deploy("munich", spec);
        assertEquals(0.92, w.node("munich").cpuLoad(), 1e-9);
        w.runFor(Duration.ofSeconds(2));
        // above the threshold, the 3 s window not yet passed: no decision, but the connections to
        // the platforms that fit are opened already, nearest first
        assertTrue(w.events().stream().noneMatch(e -> e.kind() == EventKind.REPLICATION_DECIDED));
        assertEquals(List.of("munich>augsburg", "munich>frankfurt"),
                w.network().prepared().stream().filter(pair -> pair.startsWith("munich>")).toList());
        // and told that a Replicate may follow, so that they can check munich's membership now
        assertEquals(List.of("munich>augsburg", "munich>frankfurt"), w.network().delivered().stream()
                .filter(d -> d.message() instanceof SelfOrgMessage.ReplicateSoon).map(d -> d.from() + ">" + d.to()).toList());
        assertEquals(List.of("web<munich"), w.node("augsburg").expected());
        assertEquals(List.of("web<munich"), w.node("frankfurt").expected());
        assertEquals(List.of(), w.node("garching").expected(), "a platform that does not fit is told nothing");
        w.runFor(Duration.ofSeconds(8));

        assertEquals(Set.of("munich", "augsburg"), w.root().hosts("web"));
        assertEquals(1, w.node("augsburg").deploys("web"));
        assertEquals(0, w.node("schwabing-arm").deploys("web") + w.node("garching").deploys("web"));
        List<SelfOrgEvent> events = w.events();
        SelfOrgEvent decided = only(events, EventKind.REPLICATION_DECIDED);
        assertTrue(decided.detail().startsWith("shortage: cpu 0.92 > 0.80 for 3.0 s"), decided.detail());
        assertTrue(decided.detail().contains("schwabing-arm: arch arm64 not in [amd64]"), decided.detail());
        assertTrue(decided.detail().contains("garching: RAM 1024 MiB free < 2048 MiB"), decided.detail());
        assertTrue(decided.detail().contains("candidates [augsburg 56 km, frankfurt"), decided.detail());
        // and no others by the decision
        assertEquals(Set.of("munich>augsburg", "munich>frankfurt"), w.network().prepared().stream()
                .filter(pair -> pair.startsWith("munich>")).collect(java.util.stream.Collectors.toSet()));
        // one town (4 users) was enough: 0.2 + 8 x 0.06 = 0.68 <= 0.8
        assertEquals(1, events.stream().filter(e -> e.kind() == EventKind.OFFLOADED).count());
        assertEquals(1, events.stream().filter(e -> e.kind() == EventKind.OFFLOAD_DONE).count());
        assertEquals(0.68, w.node("munich").cpuLoad(), 1e-9);
        assertEquals(8, w.node("munich").usersServed());
        assertEquals(4, w.node("augsburg").usersServed());

        // a hint about a service the node hosts already asks nothing (its Replicate is answered "hosting")
        w.network().send("augsburg", "munich", new SelfOrgMessage.ReplicateSoon("web", "augsburg"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(), w.node("munich").expected());
    }

    @Test
    void candidatesThatDoNotFitAreSkipped() {
        SimWorld w = new SimWorld(12, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1], Arch.AMD64, 8, 16 * GIB, 1).baseCpu(0.95);
        w.platform("near-arm", 48.15, 11.6, Arch.ARM64, 8, 16 * GIB, 1);
        w.platform("near-no-gpu", 48.16, 11.6, Arch.AMD64, 8, 16 * GIB, 0);
        w.platform("near-small-ram", 48.17, 11.6, Arch.AMD64, 8, GIB, 1);
        w.platform("near-few-cpus", 48.18, 11.6, Arch.AMD64, 1, 16 * GIB, 1);
        w.platform("frankfurt", FRANKFURT[0], FRANKFURT[1], Arch.AMD64, 8, 16 * GIB, 1);
        w.start();
        w.deploy("munich", SimWorld.spec("gpu-web", 0, LONG_IDLE, 1,
                SimWorld.requires(Set.of(Arch.AMD64), 2, 2 * GIB, 1)));
        w.runFor(Duration.ofSeconds(8));

        assertEquals(Set.of("munich", "frankfurt"), w.root().hosts("gpu-web"));
        for (String misfit : List.of("near-arm", "near-no-gpu", "near-small-ram", "near-few-cpus")) {
            assertEquals(0, w.node(misfit).deploys("gpu-web"), misfit);
        }
        String detail = only(w.events(), EventKind.REPLICATION_DECIDED).detail();
        assertTrue(detail.contains("near-arm: arch arm64 not in [amd64]"), detail);
        assertTrue(detail.contains("near-no-gpu: no GPU free (needs 1)"), detail);
        assertTrue(detail.contains("near-small-ram: RAM 1024 MiB free < 2048 MiB"), detail);
        assertTrue(detail.contains("near-few-cpus: CPU 1.00 free < 2.00"), detail);
        assertTrue(detail.contains("candidates [frankfurt 304 km]"), detail);
    }

    /**
     * Garching does not host "web" but hosts "api" with Munich and is busy: Munich learns its
     * free CPU from the api tree's grid exchange, so the web replica skips it although its
     * hardware would fit (on static figures it would be the nearest candidate).
     */
    @Test
    void freeCapacityLearntFromTheGridsSkipsABusyPlatform() {
        SimWorld w = new SimWorld(16, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]).baseCpu(0.9);
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.start();
        // api only runs on arm64, which no platform has: the api agents' own shortage finds no candidate
        w.deploy("garching", SimWorld.spec("api", 0, LONG_IDLE, 1, SimWorld.requires(Set.of(Arch.ARM64), 0, 0, 0)));
        w.deploy("munich", SimWorld.spec("api", 0, LONG_IDLE, 1, SimWorld.requires(Set.of(Arch.ARM64), 0, 0, 0)));
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1, SimWorld.requires(Set.of(Arch.AMD64), 1, 2 * GIB, 0)));
        w.runFor(Duration.ofSeconds(8));

        assertEquals(Set.of("munich", "augsburg"), w.root().hosts("web"));
        assertEquals(0, w.node("garching").deploys("web"));
        SelfOrgEvent decided = events(w, EventKind.REPLICATION_DECIDED).stream().filter(e -> e.service().equals("web"))
                .findFirst().orElseThrow();
        assertTrue(decided.detail().contains("garching: CPU 0.40 free < 1.00"), decided.detail());
        assertTrue(decided.detail().contains("candidates [augsburg"), decided.detail());
        assertEquals(0.4, w.node("munich").agent().context().infra().free("garching").cpus(), 2e-3);
    }

    /**
     * With the root holding registration watches, the origin learns of its replica from the
     * root's answer, one one-way trip after the registration, before the replica's ReplicaReady
     * comes; the REPLICA_REGISTERED is stamped then and still carries the container start, which
     * only the ReplicaReady reports. Same world, same seed: without watches it comes later.
     */
    @Test
    void theRootsAnswerToTheWatchTellsTheOriginBeforeTheReplicaReady() {
        SelfOrgEvent told = replicaRegistered(true);
        SelfOrgEvent ready = replicaRegistered(false);
        assertTrue(told.detail().contains("registered (the root told)"), told.detail());
        assertTrue(told.detail().contains("container start 800 ms (reported apart"), told.detail());
        assertEquals(800, told.containerStartMillis());
        assertFalse(ready.detail().contains("the root told"), ready.detail());
        assertEquals(800, ready.containerStartMillis());
        assertTrue(told.at().isBefore(ready.at()), told.at() + " vs " + ready.at());
    }

    private static SelfOrgEvent replicaRegistered(boolean watches) {
        SimWorld w = new SimWorld(13, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.start();
        if (watches) {
            w.root().answerWatches(w.scheduler(), Duration.ofMillis(1));
        }
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(8));
        assertEquals(Set.of("munich", "augsburg"), w.root().hosts("web"));
        List<SelfOrgEvent> registered = events(w, EventKind.REPLICA_REGISTERED);
        assertEquals(1, registered.size(), registered.toString());
        return registered.get(0);
    }

    @Test
    void aFailedDeploymentFallsBackToTheNextCandidate() {
        SimWorld w = new SimWorld(13, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]).failDeploys(true);
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(8));
        assertEquals(Set.of("munich", "augsburg"), w.root().hosts("web"));
        SelfOrgEvent refused = events(w, EventKind.REPLICA_REFUSED).stream().filter(e -> e.nodeId().equals("munich"))
                .findFirst().orElseThrow();
        assertTrue(refused.detail().startsWith("garching deployment failed: simulated runtime failure"), refused.detail());
    }

    @Test
    void retriedAndDuplicatedRequestsNeverCreateASecondReplica() {
        SimWorld w = new SimWorld(14, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]).containerStart(Duration.ofSeconds(5));
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.network().duplicateRate(1.0);                      // every message arrives twice
        w.network().replyDelay(Duration.ofMillis(900));      // replies come after the 400 ms reply timeout: resends
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(12));

        assertEquals(1, w.node("garching").deploys("web"), "one deployment, however often the request arrived");
        assertEquals(0, w.node("augsburg").deploys("web"), "a slow replica is waited for, not replaced");
        assertEquals(Set.of("munich", "garching"), w.root().hosts("web"));
        long replicates = w.network().delivered().stream()
                .filter(d -> d.message() instanceof dev.tendril.protocol.message.SelfOrgMessage.Replicate).count();
        assertTrue(replicates >= 4, "the request was delivered " + replicates + " times");
        assertEquals(1, events(w, EventKind.REPLICA_REGISTERED).size());
    }

    @Test
    void twoOriginsAskingTheSamePlatformGetOneReplica() {
        SimWorld w = new SimWorld(15, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("erding", ERDING[0], ERDING[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]).containerStart(Duration.ofSeconds(2));
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.deploy("erding", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(8));
        assertEquals(1, w.node("garching").deploys("web"));
        List<SelfOrgEvent> registered = events(w, EventKind.REPLICA_REGISTERED);
        assertEquals(Set.of("munich", "erding"), Set.copyOf(registered.stream().map(SelfOrgEvent::nodeId).toList()),
                "both origins learn of the one replica");
    }

    /**
     * The overlay's members round listed the tree lately: the decision ranks with that list and
     * asks the root nothing (a round trip on the timed path), and the platforms in it are no
     * candidates.
     */
    @Test
    void aDecisionWithTheTreesMembersListedLatelyAsksTheRootNothing() {
        SimWorld w = new SimWorld(17, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.deploy("garching", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.root().listMembers("web");
        int queriesBefore = w.root().hostedSetQueries();
        w.runFor(Duration.ofSeconds(8));

        String detail = only(w.events(), EventKind.REPLICATION_DECIDED).detail();
        assertTrue(detail.contains("candidates [augsburg"), detail);
        assertTrue(detail.contains("ranked with the tree's members as the root listed them"), detail);
        assertEquals(queriesBefore, w.root().hostedSetQueries(), "no hosted-set round trip at the decision");
        assertEquals(1, w.node("augsburg").deploys("web"));
        assertEquals(0, w.node("garching").deploys("web"), "the listed member was not asked");
        assertEquals(Set.of("munich", "garching", "augsburg"), w.root().hosts("web"));
    }

    /**
     * Without a recent members list the decision asks the root (and says so); a platform that
     * began hosting after the list was taken is asked anyway, answers that it hosts, and the
     * origin offloads to its instance: no second instance there.
     */
    @Test
    void aListTakenBeforeAPlatformBeganHostingStillEndsWithOneInstanceThere() {
        SimWorld asked = new SimWorld(18, SimWorld.testPolicy());
        asked.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        asked.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        asked.start();
        asked.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        asked.runFor(Duration.ofSeconds(8));
        String detail = only(asked.events(), EventKind.REPLICATION_DECIDED).detail();
        assertTrue(detail.contains("ranked after the root's hosted-set answer"), detail);
        assertTrue(asked.root().hostedSetQueries() >= 1);

        SimWorld w = new SimWorld(19, SimWorld.testPolicy());
        w.platform("munich", MUNICH[0], MUNICH[1]).baseCpu(0.95);
        w.platform("garching", GARCHING[0], GARCHING[1]);
        w.platform("augsburg", AUGSBURG[0], AUGSBURG[1]);
        w.start();
        w.deploy("munich", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.root().listMembers("web");                         // munich only
        w.deploy("garching", SimWorld.spec("web", 0, LONG_IDLE, 1));
        w.runFor(Duration.ofSeconds(8));

        assertTrue(only(w.events(), EventKind.REPLICATION_DECIDED).detail().contains("candidates [garching"));
        assertEquals(0, w.node("garching").deploys("web"), "asked, it answered that it hosts: no replica deployed");
        assertEquals(0, w.node("augsburg").deploys("web"));
        assertEquals(0, events(w, EventKind.REPLICA_REGISTERED).size(), "no new replica");
        assertEquals(Set.of("munich", "garching"), w.root().hosts("web"));
    }

    static List<SelfOrgEvent> events(SimWorld w, EventKind kind) {
        return w.events().stream().filter(e -> e.kind() == kind).toList();
    }
}
