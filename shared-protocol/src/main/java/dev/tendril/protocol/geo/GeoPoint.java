package dev.tendril.protocol.geo;

import dev.tendril.protocol.text.Decimals;

/**
 * A position on the earth in WGS84 degrees. Distances are great-circle distances on a
 * sphere of the mean earth radius: good to about 0.5 %, which is far below what
 * GeoIP positions are worth, and correct across the antimeridian and near the poles
 * (unlike comparing degree differences).
 */
public record GeoPoint(double latitude, double longitude) {
    public static final double EARTH_RADIUS_KM = 6371.0088;

    public GeoPoint {
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude must be in [-90, 90], got " + latitude);
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude must be in [-180, 180], got " + longitude);
        }
    }

    /** Great-circle distance in kilometres (haversine form, stable for small distances). */
    public double distanceKm(GeoPoint other) {
        double phi1 = Math.toRadians(latitude);
        double phi2 = Math.toRadians(other.latitude);
        double dPhi = phi2 - phi1;
        double dLambda = Math.toRadians(other.longitude - longitude);
        double h = Math.sin(dPhi / 2) * Math.sin(dPhi / 2)
                + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(h)));
    }

    @Override
    public String toString() {
        return "(" + Decimals.fixed(latitude, 4) + ", " + Decimals.fixed(longitude, 4) + ")"; // as %.4f, without Formatter
    }
}
