package dev.tendril.root.testing;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;

import java.util.List;

/**
 * Test fixtures: instances of service "web" in four cities on three continents, and client
 * networks near each. Clients: 198.51.100.0/24 Berlin, 192.0.2.0/24 Boston, 203.0.113.0/24
 * Osaka, 100.64.0.0/16 Melbourne (CGNAT range), 2001:db8:1::/48 Paris; 10.0.0.0/8 is unknown.
 */
public final class World {
    public static final GeoPoint FRANKFURT = new GeoPoint(50.11, 8.68);
    public static final GeoPoint NEW_YORK = new GeoPoint(40.71, -74.01);
    public static final GeoPoint TOKYO = new GeoPoint(35.68, 139.69);
    public static final GeoPoint SYDNEY = new GeoPoint(-33.87, 151.21);

    public static final NodeInfo FRA = node("fra1", "10.0.1.1", FRANKFURT);
    public static final NodeInfo NYC = node("nyc1", "10.0.2.1", NEW_YORK);
    public static final NodeInfo TYO = node("tyo1", "10.0.3.1", TOKYO);
    public static final NodeInfo SYD = node("syd1", "2001:db8:4::1", SYDNEY);

    private World() {
    }

    public static NodeInfo node(String id, String address, GeoPoint where) {
        return new NodeInfo(id, address, where, List.of(new ServicePort("http", "tcp", 8080)), 7000);
    }

    public static TableGeoLocator locator() {
        return new TableGeoLocator()
                .add("198.51.100.0/24", 52.52, 13.40, "Berlin")
                .add("192.0.2.0/24", 42.36, -71.06, "Boston")
                .add("203.0.113.0/24", 34.69, 135.50, "Osaka")
                .add("100.64.0.0/16", -37.81, 144.96, "Melbourne")
                .add("2001:db8:1::/48", 48.86, 2.35, "Paris");
    }
}
