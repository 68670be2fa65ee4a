package dev.tendril.root.testing;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.root.domain.TreeNode;

import java.util.List;

/** Cities and nodes for tests. */
public final class Fixtures {
    public static final GeoPoint BERLIN = new GeoPoint(52.52, 13.405);
    public static final GeoPoint MUNICH = new GeoPoint(48.137, 11.575);
    public static final GeoPoint PARIS = new GeoPoint(48.857, 2.352);
    public static final GeoPoint NEW_YORK = new GeoPoint(40.713, -74.006);
    public static final GeoPoint SAO_PAULO = new GeoPoint(-23.55, -46.633);
    public static final GeoPoint TOKYO = new GeoPoint(35.676, 139.65);
    public static final GeoPoint SYDNEY = new GeoPoint(-33.869, 151.209);
    public static final GeoPoint FIJI = new GeoPoint(-17.8, 178.0);
    public static final GeoPoint SAMOA = new GeoPoint(-13.8, -172.1);

    private Fixtures() {
    }

    public static NodeInfo info(String id, GeoPoint where) {
        return new NodeInfo(id, "192.0.2." + (Math.abs(id.hashCode()) % 250 + 1), where,
                List.of(new ServicePort("http", "tcp", 8080)), 7000);
    }

    public static TreeNode node(String service, String id, GeoPoint where, String parent) {
        return new TreeNode(service, info(id, where), parent, true, 1_000);
    }
}
