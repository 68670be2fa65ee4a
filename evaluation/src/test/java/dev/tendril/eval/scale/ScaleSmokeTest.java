package dev.tendril.eval.scale;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CI smoke test of `tendril-eval scale --nodes 1000`: the results are sane (not fast). */
class ScaleSmokeTest {
    @Test
    void thousandNodesMigrateReplicateAndExchangeGrids() {
        var o = new ScaleExperiment.Options(3, 4, Duration.ofSeconds(4), Duration.ofSeconds(3), 5, Duration.ofMillis(1), true);
        ScaleResult r = new ScaleExperiment(o).measure(1000, true);
        assertEquals(1000, r.nodes());
        // every node sends its grid up and hears from its parent about once per exchange interval
        assertTrue(r.messagesPerNodeSec() > 0.5 && r.messagesPerNodeSec() < 4, "msg/node/s " + r.messagesPerNodeSec());
        assertTrue(r.migrate().count() >= 1, "no migration recorded: " + r);
        assertTrue(r.replicate().count() >= 5, "every overloaded node replicates: " + r);
        assertTrue(r.migrate().p1() <= r.migrate().p50() && r.migrate().p50() <= r.migrate().p99());
        assertTrue(r.replicate().p50() > 0, "time-to-replicate excludes the container start but not the network: " + r);
        assertTrue(r.split().migrateNetwork().count() >= 1, "network-only run paired: " + r.split());
        assertTrue(r.registrationsPerSec() > 0 && r.directoryHeapBytes() > 0 && r.rootHeapBytes() > 0);
    }
}
