package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.sim.SimNetwork;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.message.SelfOrgMessage.NeighbourGrids;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flow 4: subtree grids go up, children's grids go to their siblings, and nothing further. */
class GridExchangeTest {
    @Test
    void gridsGoUpAndToSiblingsOnly() {
        SimWorld w = new SimWorld(41, SimWorld.testPolicy());
        w.platform("top", 48.0, 11.0);
        w.platform("a", 48.0, 15.0);
        w.platform("b", 44.0, 11.0);
        w.platform("c", 52.0, 11.0);
        w.platform("a1", 48.0, 17.0);      // child of a
        w.start();
        for (String n : List.of("top", "a", "b", "c", "a1")) {
            w.deploy(n, SimWorld.spec("web", 0, Duration.ofHours(1), 1));
        }
        assertEquals("a", w.root().parentOf("web", "a1").orElseThrow());
        w.runFor(Duration.ofSeconds(4));
        List<SimNetwork.Delivery> late = w.network().delivered().stream()
                .filter(d -> d.at().isAfter(w.scheduler().now().minusSeconds(1))).toList();

        SubtreeGrid fromA = late.stream().filter(d -> d.message() instanceof SubtreeGrid g && g.nodeId().equals("a"))
                .map(d -> (SubtreeGrid) d.message()).reduce((x, y) -> y).orElseThrow();
        assertEquals(2, fromA.grid().nodes(), "a's subtree: a and a1");
        assertEquals(new Capacity(2 * 3600, 2 * (long) ((8L << 30) * 0.7), 0, 2 * (long) ((100L << 30) * 0.8)),
                fromA.grid().totalFree(), "free capacity of a and a1, exactly");
        for (String child : List.of("a", "b", "c")) {
            NeighbourGrids n = late.stream().filter(d -> d.to().equals(child) && d.message() instanceof NeighbourGrids)
                    .map(d -> (NeighbourGrids) d.message()).reduce((x, y) -> y).orElseThrow();
            Set<String> siblings = n.siblings().stream().map(s -> s.node().nodeId()).collect(Collectors.toSet());
            Set<String> expected = new java.util.HashSet<>(Set.of("a", "b", "c"));
            expected.remove(child);
            assertEquals(expected, siblings, "siblings of " + child);
            assertEquals("top", n.parentId());
        }
        NeighbourGrids toA1 = late.stream().filter(d -> d.to().equals("a1") && d.message() instanceof NeighbourGrids)
                .map(d -> (NeighbourGrids) d.message()).reduce((x, y) -> y).orElseThrow();
        assertEquals(List.<SiblingGrid>of(), toA1.siblings(), "a1 has no siblings; its uncles' grids are not forwarded");
        assertTrue(late.stream().noneMatch(d -> d.message() instanceof NeighbourGrids && d.to().equals("top")));
        // siblings never exchange grids directly: their connections are opened ahead of a search, once each
        List<String> prepared = w.network().prepared();
        for (String pair : List.of("a>b", "a>c", "b>a", "b>c", "c>a", "c>b")) {
            assertEquals(1, prepared.stream().filter(pair::equals).count(), pair + " prepared once: " + prepared);
        }
        assertTrue(prepared.stream().noneMatch(p -> p.startsWith("a1>") || p.startsWith("top>")),
                "nodes without siblings prepare nothing: " + prepared);
        assertTrue(late.stream().noneMatch(d -> d.message() instanceof SubtreeGrid && !d.to().equals("top") && !d.to().equals("a")));
    }

    @Test
    void exchangesKeepTheirCadenceWhenTicksAreLate() {
        SimWorld w = new SimWorld(42, SimWorld.testPolicy()); // exchange every 1 s, ticks every 500 ms
        w.platform("top", 48.0, 11.0);
        w.platform("child", 48.0, 12.0);
        w.tickLateness(Duration.ofMillis(40));
        w.start();
        w.deploy("top", SimWorld.spec("web", 0, Duration.ofHours(1), 1));
        w.deploy("child", SimWorld.spec("web", 0, Duration.ofHours(1), 1));
        w.runFor(Duration.ofSeconds(70));
        java.time.Instant from = w.scheduler().now().minusSeconds(60);
        long up = w.network().delivered().stream()
                .filter(d -> d.message() instanceof SubtreeGrid && d.to().equals("top") && !d.at().isBefore(from)).count();
        long down = w.network().delivered().stream()
                .filter(d -> d.message() instanceof NeighbourGrids && d.to().equals("child") && !d.at().isBefore(from)).count();
        // a late tick must not push the next exchange a whole tick later (that drifted to ~1.5 s)
        assertTrue(up >= 59 && up <= 61, "child -> top grids in a simulated minute: " + up);
        assertTrue(down >= 59 && down <= 61, "top -> child grids in a simulated minute: " + down);
    }
}
