package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.Collection;

/** The mean position of points on the sphere (through 3-D unit vectors: right across the antimeridian). */
final class GeoMean {
    private GeoMean() {
    }

    static GeoPoint of(Collection<GeoPoint> points) {
        double x = 0;
        double y = 0;
        double z = 0;
        for (GeoPoint p : points) {
            double lat = Math.toRadians(p.latitude());
            double lon = Math.toRadians(p.longitude());
            x += Math.cos(lat) * Math.cos(lon);
            y += Math.cos(lat) * Math.sin(lon);
            z += Math.sin(lat);
        }
        double h = Math.hypot(x, y);
        if (h < 1e-12 && Math.abs(z) < 1e-12) {
            return points.iterator().next();
        }
        double lat = Math.toDegrees(Math.atan2(z, h));
        double lon = h < 1e-12 ? 0 : Math.toDegrees(Math.atan2(y, x));
        return new GeoPoint(Math.max(-90, Math.min(90, lat)), Math.max(-180, Math.min(180, lon)));
    }
}
