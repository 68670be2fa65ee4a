package dev.tendril.eval.sim;

import dev.tendril.protocol.geo.GeoPoint;

import java.time.Duration;
import java.util.Map;

/**
 * Delay from geography: {@code perPath + distance × perKm} one way, with 5 µs/km (light in
 * fibre) and a constant per path for the access links and switching.
 */
public final class GeoLinkModel implements LinkModel {
    private final Map<String, GeoPoint> positions;
    private final long perKmNanos;
    private final long perPathNanos;

    public GeoLinkModel(Map<String, GeoPoint> positions, Duration perKm, Duration perPath) {
        this.positions = positions;
        this.perKmNanos = perKm.toNanos();
        this.perPathNanos = perPath.toNanos();
    }

    public static GeoLinkModel fibre(Map<String, GeoPoint> positions, Duration perPath) {
        return new GeoLinkModel(positions, Duration.ofNanos(5_000), perPath);
    }

    @Override
    public Duration oneWay(String from, String to) {
        if (from.equals(to)) {
            return Duration.ZERO;
        }
        GeoPoint a = positions.get(from);
        GeoPoint b = positions.get(to);
        if (a == null || b == null) {
            throw new IllegalArgumentException("no position for " + (a == null ? from : to));
        }
        return Duration.ofNanos(perPathNanos + (long) (a.distanceKm(b) * perKmNanos));
    }
}
