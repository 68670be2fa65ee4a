package dev.tendril.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The topology runner's summary lines (TopologyEvents). */
class TopologyEventsTest {
    private static TopologyEvents.Trial replication(String target, double measuredMs, double pathMs) {
        return new TopologyEvents.Trial("replicate-shortage", "p1", target, measuredMs, pathMs, "p1>" + target + ">root>p1",
                new double[] {Double.NaN, Double.NaN, Double.NaN});
    }

    @Test
    void marksEachReplicaNodesFirstAndSplitsTheMedians() {
        List<TopologyEvents.Trial> runs = List.of(replication("p3", 113, 100), replication("p4", 90, 80),
                replication("p3", 108, 100), replication("p5", 131, 120), replication("p4", 87, 80));
        assertEquals("replication processing in decision order, ms (* a replica node's first in the set): "
                        + "13.0* 10.0* 8.0 11.0* 7.0; p50 of a node's first 11.0 (3), of the later ones 7.0 (2)\n",
                TopologyEvents.byRun(runs));
    }

    @Test
    void saysSoWhenThereIsNoRepeat() {
        String line = TopologyEvents.byRun(List.of(replication("p3", 113, 100)));
        assertTrue(line.endsWith("p50 of a node's first 13.0 (1), of the later ones - (0)\n"), line);
    }
}
