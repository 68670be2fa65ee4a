package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Names;

import java.util.Map;
import java.util.Objects;

/** One machine that runs (or may run) an edge node: an entry of the infrastructure DB. */
public record Platform(String id, String name, String address, GeoPoint position, Hardware hardware,
                       Map<String, String> labels) {
    public Platform {
        Names.requireDnsLabel("platform id", id);
        name = name == null || name.isBlank() ? id : name;
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(hardware, "hardware");
        labels = Map.copyOf(labels);
    }
}
