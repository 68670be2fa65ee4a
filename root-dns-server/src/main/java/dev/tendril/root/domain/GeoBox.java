package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.List;

/**
 * A longitude/latitude rectangle in degrees, used to ask a spatial index for candidates.
 * {@link #covering} gives boxes that together hold every point within a great-circle
 * radius of a centre, so a nearest-neighbour search can widen a radius until the best
 * candidate lies inside it (and then nothing outside the boxes can be nearer).
 */
public record GeoBox(double minLon, double maxLon, double minLat, double maxLat) {
    /** Kilometres per degree of latitude (and of any great circle). */
    public static final double KM_PER_DEGREE = Math.PI * GeoPoint.EARTH_RADIUS_KM / 180.0;
    /** Half the earth's circumference: every point lies within this distance. */
    public static final double MAX_DISTANCE_KM = Math.PI * GeoPoint.EARTH_RADIUS_KM;

    public static final GeoBox WORLD = new GeoBox(-180, 180, -90, 90);

    /**
     * One or two boxes (two when the circle crosses the antimeridian) that cover every point
     * within {@code radiusKm} of {@code centre}. The whole world once a pole is inside.
     */
    public static List<GeoBox> covering(GeoPoint centre, double radiusKm) {
        if (radiusKm >= MAX_DISTANCE_KM) {
            return List.of(WORLD);
        }
        double dLat = radiusKm / KM_PER_DEGREE;
        double minLat = centre.latitude() - dLat;
        double maxLat = centre.latitude() + dLat;
        if (minLat <= -90 || maxLat >= 90) {
            return List.of(new GeoBox(-180, 180, Math.max(-90, minLat), Math.min(90, maxLat)));
        }
        // Widest longitude offset of a spherical cap that holds no pole: asin(sin r / cos lat).
        double ratio = Math.sin(radiusKm / GeoPoint.EARTH_RADIUS_KM) / Math.cos(Math.toRadians(centre.latitude()));
        if (ratio >= 1) {
            return List.of(new GeoBox(-180, 180, minLat, maxLat));
        }
        double dLon = Math.toDegrees(Math.asin(ratio)) * 1.000001 + 1e-9; // a hair wider against rounding
        double minLon = centre.longitude() - dLon;
        double maxLon = centre.longitude() + dLon;
        if (minLon < -180) {
            return List.of(new GeoBox(-180, maxLon, minLat, maxLat), new GeoBox(minLon + 360, 180, minLat, maxLat));
        }
        if (maxLon > 180) {
            return List.of(new GeoBox(minLon, 180, minLat, maxLat), new GeoBox(-180, maxLon - 360, minLat, maxLat));
        }
        return List.of(new GeoBox(minLon, maxLon, minLat, maxLat));
    }

    public boolean contains(GeoPoint p) {
        return p.longitude() >= minLon && p.longitude() <= maxLon && p.latitude() >= minLat && p.latitude() <= maxLat;
    }
}
