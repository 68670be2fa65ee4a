package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.Objects;

/** A user of a hosted service: its address (as the root takes it), its GeoIP position and its median latency over the window. */
public record LocatedUser(String address, GeoPoint position, double medianMs) {
    public LocatedUser {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(position, "position");
    }
}
