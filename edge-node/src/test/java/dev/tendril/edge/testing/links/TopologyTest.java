package dev.tendril.edge.testing.links;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopologyTest {
    @Test
    void rendersTheHarnessFormat() {
        Topology t = Topology.builder()
                .host("srv", "10.0.0.1/24").switchNode("sw").host("c1", "10.0.0.2/24", "fd00::2/64")
                .link("srv", "sw", Topology.Link.perfect())
                .link("sw", "c1", Topology.Link.delay(Duration.ofMillis(20)).withJitter(Duration.ofMillis(1)).withLoss(0.05))
                .build();
        assertEquals("""
                host srv 10.0.0.1/24
                switch sw
                host c1 10.0.0.2/24 fd00::2/64
                link srv sw delay=0us jitter=0us loss=0.000000
                link sw c1 delay=20000us jitter=1000us loss=0.050000
                """, t.text());
        assertEquals(java.util.List.of("srv", "c1"), t.hosts());
    }

    @Test
    void refusesBadNamesAndUnknownNodes() {
        assertThrows(IllegalArgumentException.class, () -> Topology.builder().host("Bad Name"));
        assertThrows(IllegalArgumentException.class, () -> Topology.builder().host("a").link("a", "b", Topology.Link.perfect()));
        assertThrows(IllegalArgumentException.class, () -> Topology.Link.perfect().withLoss(1.5));
    }
}
