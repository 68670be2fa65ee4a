package dev.tendril.protocol.grid;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.Objects;

/** One node as a grid sees it: its position and its free capacity (it counts as one node). */
public record GridPoint(GeoPoint position, Capacity free) {
    public GridPoint {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(free, "free");
    }
}
