package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One instance of a service as the query path sees it: the registered node, its parsed
 * address, whether it is live, and its position as a unit vector (x, y, z) on the sphere.
 * The straight-line (chord) distance between unit vectors grows monotonically with the
 * great-circle distance, so ranking by chord distance is ranking by great-circle distance,
 * with no special case for the antimeridian or the poles.
 */
public record Instance(NodeInfo node, InetAddress address, boolean live, double x, double y, double z) {
    public Instance {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
    }

    public static Instance of(NodeInfo node, boolean live) {
        GeoPoint p = node.position();
        double lat = Math.toRadians(p.latitude());
        double lon = Math.toRadians(p.longitude());
        return new Instance(node, node.inetAddress(), live,
                Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat));
    }

    public String nodeId() {
        return node.nodeId();
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public Instance withLive(boolean newLive) {
        return newLive == live ? this : new Instance(node, address, newLive, x, y, z);
    }

    /** Squared chord distance to the unit vector (qx, qy, qz). */
    double chord2(double qx, double qy, double qz) {
        double dx = x - qx;
        double dy = y - qy;
        double dz = z - qz;
        return dx * dx + dy * dy + dz * dz;
    }

    /** The unit vector of a position: {x, y, z}. */
    static double[] unitVector(GeoPoint p) {
        double lat = Math.toRadians(p.latitude());
        double lon = Math.toRadians(p.longitude());
        return new double[] {Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)};
    }
}
