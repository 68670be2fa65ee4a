package dev.tendril.root.application.map;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.application.map.MapView.InstanceMark;
import dev.tendril.root.application.map.MapView.MigrationArrow;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.TableGeoLocator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.tendril.root.testing.Fixtures.MUNICH;
import static dev.tendril.root.testing.Fixtures.NEW_YORK;
import static dev.tendril.root.testing.Fixtures.TOKYO;
import static dev.tendril.root.testing.Fixtures.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescribeMapTest {
    static final TreeListing TREE = new TreeListing(List.of(
            new TreeNodeView("web", info("munich", MUNICH), "", true, 10),
            new TreeNodeView("web", info("newyork", NEW_YORK), "munich", false, 20)));
    static final MigrationListing MIGRATIONS = new MigrationListing(List.of(
            new MigrationView("web", "10.3.0.0/16", "munich", 100, 60_100),
            new MigrationView("web", "203.0.113.0/24", "gone", 200, 60_200)));

    private final MutableClock clock = new MutableClock(5_000);
    private final TableGeoLocator geo = new TableGeoLocator().add("10.3.0.0/16", TOKYO.latitude(), TOKYO.longitude(), "Tokyo");

    static RootMessage reads(RootMessage request) {
        if (request instanceof TreeQuery q && q.service().isEmpty()) {
            return TREE;
        } else if (request instanceof MigrationsQuery q && q.service().isEmpty()) {
            return MIGRATIONS;
        }
        return new ErrorReply("UNSUPPORTED", "not a read of every tree");
    }

    @Test
    void instancesMigrationsWithPositionsAndEvents() {
        RecentEvents events = new RecentEvents(5);
        events.add(new TopologyEvent(4_000, TopologyEvent.Kind.NODE_DOWN, "web", "newyork", ""));
        MapView view = new DescribeMap("root-a", DescribeMapTest::reads, geo, events, clock).describe().orElseThrow();

        assertEquals("root-a", view.rootId());
        assertEquals(5_000, view.timeMillis());
        assertEquals(List.of(
                new InstanceMark("web", "munich", info("munich", MUNICH).address(), MUNICH, true, Optional.empty(), 10),
                new InstanceMark("web", "newyork", info("newyork", NEW_YORK).address(), NEW_YORK, false, Optional.of("munich"), 20)),
                view.instances());
        assertEquals(List.of(
                new MigrationArrow("web", "10.3.0.0/16", Optional.of(TOKYO), "munich", Optional.of(MUNICH), 100, 60_100),
                new MigrationArrow("web", "203.0.113.0/24", Optional.empty(), "gone", Optional.empty(), 200, 60_200)),
                view.migrations(), "an unknown subnet and a target no longer listed have no position");
        assertEquals(events.latest(), view.events());
    }

    @Test
    void aRefusedReadGivesNoView() {
        RootMessage refused = new ErrorReply("INTERNAL", "root is shutting down");
        assertTrue(new DescribeMap("root-a", r -> refused, geo, new RecentEvents(1), clock).describe().isEmpty());
    }

    @Test
    void theSubnetIsLocatedByItsNetworkAddress() {
        GeoPoint here = new GeoPoint(1, 2);
        TableGeoLocator onlyTheNetwork = new TableGeoLocator().add("198.51.100.0/32", here.latitude(), here.longitude(), "");
        MigrationListing one = new MigrationListing(List.of(new MigrationView("web", "198.51.100.0/24", "munich", 1, 2)));
        MapView view = new DescribeMap("r", r -> r instanceof TreeQuery ? TREE : one, onlyTheNetwork, new RecentEvents(1), clock)
                .describe().orElseThrow();
        assertEquals(Optional.of(here), view.migrations().get(0).clientPosition());
    }
}
