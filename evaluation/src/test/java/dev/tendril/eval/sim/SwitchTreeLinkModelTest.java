package dev.tendril.eval.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SwitchTreeLinkModelTest {
    @Test
    void hopsFollowTheBinaryTree() {
        assertEquals(0, SwitchTreeLinkModel.hops(3, 3));
        assertEquals(1, SwitchTreeLinkModel.hops(0, 1));
        assertEquals(2, SwitchTreeLinkModel.hops(1, 2));
        assertEquals(4, SwitchTreeLinkModel.hops(3, 6)); // leaf to leaf across the top
        assertEquals(2, SwitchTreeLinkModel.hops(3, 4)); // siblings under switch 1
        assertEquals(2, SwitchTreeLinkModel.depth(3));
    }

    @Test
    void hostDelayCountsAccessLinks() {
        SwitchTreeLinkModel m = new SwitchTreeLinkModel(3, Duration.ofMillis(5));
        assertEquals(7, m.switches());
        m.attach("a", 3);
        m.attach("b", 6);
        m.attach("c", 3);
        assertEquals(Duration.ofMillis(30), m.oneWay("a", "b"));
        assertEquals(Duration.ofMillis(10), m.oneWay("a", "c"));
        assertEquals(Duration.ZERO, m.oneWay("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> m.attach("d", 7));
        assertThrows(IllegalArgumentException.class, () -> m.oneWay("a", "nowhere"));
    }
}
