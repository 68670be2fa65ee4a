package dev.tendril.root.application.map;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the root knows for its live map, at one moment: every instance of every tree, the live
 * migration records with the positions of their clients and targets, and the latest
 * self-organization events. Users per instance are not here: the root does not know them.
 *
 * @param rootId     the root that answered
 * @param timeMillis the root's clock when the view was taken (epoch milliseconds)
 */
public record MapView(String rootId, long timeMillis, List<InstanceMark> instances, List<MigrationArrow> migrations,
                      List<TopologyEvent> events) {
    public MapView {
        Objects.requireNonNull(rootId, "rootId");
        instances = List.copyOf(instances);
        migrations = List.copyOf(migrations);
        events = List.copyOf(events);
    }

    /**
     * One instance: a node of a service tree.
     *
     * @param parentId the parent's node id, empty for the tree's top node
     * @param live     false once the node was reported down (DNS does not answer it)
     */
    public record InstanceMark(String service, String nodeId, String address, GeoPoint position, boolean live,
                               Optional<String> parentId, long registeredAtMillis) {
        public InstanceMark {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(parentId, "parentId");
        }
    }

    /**
     * One live migration record: clients in {@code client} are answered with the target.
     *
     * @param client         the clients' subnet as the root stores it ("10.3.0.0/16")
     * @param clientPosition where the root's GeoIP locator puts the subnet's network address;
     *                       empty when no database knows it
     * @param targetPosition the target instance's position; empty when the root lists no such
     *                       instance of the service any more
     */
    public record MigrationArrow(String service, String client, Optional<GeoPoint> clientPosition, String targetNodeId,
                                 Optional<GeoPoint> targetPosition, long createdAtMillis, long expiresAtMillis) {
        public MigrationArrow {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(clientPosition, "clientPosition");
            Objects.requireNonNull(targetNodeId, "targetNodeId");
            Objects.requireNonNull(targetPosition, "targetPosition");
        }
    }
}
