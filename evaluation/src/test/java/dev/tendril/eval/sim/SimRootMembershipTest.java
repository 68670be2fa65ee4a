package dev.tendril.eval.sim;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage.Membership;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The simulated root answers a replica's membership check with the root's own use case, for one round trip. */
class SimRootMembershipTest {
    private final SimClock clock = new SimClock(false);
    private final SimRoot root = new SimRoot(clock, (from, to) -> Duration.ofMillis(10), 4);

    private static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "10.0.0.1", new GeoPoint(lat, lon), List.of(), 7400);
    }

    @Test
    void aMemberAndAStrangerEachForOneRoundTrip() {
        root.createTree("web", node("munich", 48.14, 11.58));
        root.register("web", node("augsburg", 48.37, 10.90));
        Instant before = clock.instant();

        assertEquals(new Membership("web", "munich", true, true, List.of("munich", "augsburg")),
                root.membershipFrom("garching", "web", "munich", Optional.of(new GeoPoint(48.25, 11.65)), 3));
        assertEquals(new Membership("web", "evil-1", false, false, List.of()),
                root.membershipFrom("garching", "web", "evil-1", Optional.empty(), 0));
        assertEquals(Duration.ofMillis(40), Duration.between(before, clock.instant()), "two round trips of 2 x 10 ms");
        assertEquals(2, root.requests());
    }
}
