package dev.tendril.eval.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CI smoke test of `tendril-eval topology --topologies A,H`: events recorded, percentiles computed. */
class TopologySmokeTest {
    @Test
    void topologyAMigratesReplicatesAndTerminates() {
        RunSeries s = new TopologyExperiment(TopologySpec.A, Duration.ofMillis(5)).run(3);
        assertEquals(3, s.runs());
        assertTrue(s.migrated() >= 2, s.problems().toString());
        assertEquals(3, s.replicated(), s.problems().toString());
        assertTrue(s.terminated() >= 1, "idle instances terminate");
        assertTrue(s.migrate().count() >= 2 && s.replicate().count() >= 3);
        // every message crosses at least two 5 ms links and the root is a round trip away
        assertTrue(s.migrateNetwork().p1() >= 20, "network share " + s.migrateNetwork());
        assertTrue(s.migrate().p50() >= s.migrateNetwork().p50() - 1e-6);
        assertTrue(s.replicateProcessing().count() == s.replicate().count());
    }

    @Test
    void heterogeneousReplicatesOntoTheArmPlatform() {
        RunSeries s = new HeterogeneousExperiment().run(3);
        assertEquals(3, s.replicated(), s.problems().toString());
        assertEquals(3, s.migrated(), s.problems().toString());
        assertEquals(3, s.replicate().count());
        assertTrue(s.containerStarts().p50() > 0, "container start reported apart");
    }
}
