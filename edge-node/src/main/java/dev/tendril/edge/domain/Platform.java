package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Names;

import java.util.Map;
import java.util.Objects;

/**
 * One machine that runs (or may run) an edge node: an entry of the infrastructure DB.
 *
 * @param treePort the port of its node's tree socket (where {@code Replicate} reaches it before
 *                 it hosts anything); 0 when not configured: the port every node uses by
 *                 default (see {@link #treeEndpoint})
 */
public record Platform(String id, String name, String address, GeoPoint position, Hardware hardware,
                       Map<String, String> labels, int treePort) {
    public Platform {
        Names.requireDnsLabel("platform id", id);
        name = name == null || name.isBlank() ? id : name;
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(hardware, "hardware");
        labels = Map.copyOf(labels);
        if (treePort < 0 || treePort > 65535) {
            throw new IllegalArgumentException("treePort must be in [0, 65535], got " + treePort);
        }
    }

    /** A platform whose tree port is not configured (the default port). */
    public Platform(String id, String name, String address, GeoPoint position, Hardware hardware, Map<String, String> labels) {
        this(id, name, address, position, hardware, labels, 0);
    }

    /** Where its node's tree socket listens: its address and its tree port, or {@code defaultPort} when none is configured. */
    public Endpoint treeEndpoint(int defaultPort) {
        return new Endpoint(address, treePort != 0 ? treePort : defaultPort);
    }
}
