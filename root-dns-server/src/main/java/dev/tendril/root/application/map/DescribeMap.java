package dev.tendril.root.application.map;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.map.MapView.InstanceMark;
import dev.tendril.root.application.map.MapView.MigrationArrow;
import dev.tendril.root.application.port.in.RootControl;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes the {@link MapView}: the tree listing and the live migration records through the
 * {@link RootControl} port (the same read queries {@code tendrilctl tree} and
 * {@code migrations} send), each migration's client subnet located by the root's GeoIP
 * locator (its network address), and the recent events.
 */
public final class DescribeMap {
    private final String rootId;
    private final RootControl reads;
    private final GeoLocator geo;
    private final RecentEvents events;
    private final Clock clock;

    public DescribeMap(String rootId, RootControl reads, GeoLocator geo, RecentEvents events, Clock clock) {
        this.rootId = rootId;
        this.reads = reads;
        this.geo = geo;
        this.events = events;
        this.clock = clock;
    }

    /** The view now; empty when the root refused a read (e.g. while it stops). */
    public Optional<MapView> describe() {
        long now = clock.millis();
        RootMessage trees = reads.handle(new TreeQuery(""));
        RootMessage migrations = reads.handle(new MigrationsQuery(""));
        if (!(trees instanceof TreeListing listing) || !(migrations instanceof MigrationListing records)) {
            return Optional.empty();
        }
        List<InstanceMark> instances = new ArrayList<>();
        Map<String, GeoPoint> positions = new HashMap<>();
        for (TreeNodeView n : listing.nodes()) {
            instances.add(new InstanceMark(n.service(), n.node().nodeId(), n.node().address(), n.node().position(), n.live(),
                    n.parentId().isEmpty() ? Optional.empty() : Optional.of(n.parentId()), n.registeredAtMillis()));
            positions.put(key(n.service(), n.node().nodeId()), n.node().position());
        }
        List<MigrationArrow> arrows = new ArrayList<>();
        for (MigrationView m : records.migrations()) {
            arrows.add(new MigrationArrow(m.service(), m.client(), locate(m.client()), m.targetNodeId(),
                    Optional.ofNullable(positions.get(key(m.service(), m.targetNodeId()))), m.createdAtMillis(),
                    m.expiresAtMillis()));
        }
        return Optional.of(new MapView(rootId, now, instances, arrows, events.latest()));
    }

    private Optional<GeoPoint> locate(String subnet) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(subnet);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the root stores parsed subnets; nothing to place otherwise
        }
        return geo.locate(cidr.networkAddress()).map(GeoLocation::point);
    }

    private static String key(String service, String nodeId) {
        return service + "\n" + nodeId;
    }
}
