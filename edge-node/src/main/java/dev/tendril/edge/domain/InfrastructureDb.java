package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every platform of the environment (each node holds a copy from its configuration), with
 * the last known free capacity of each (all of it until a figure is reported). Queried by
 * distance and hardware fit when a service is replicated. Thread-safe; plain Java.
 */
public final class InfrastructureDb {
    private final Map<String, Platform> platforms;
    private final Map<String, FreeCapacity> free = new ConcurrentHashMap<>();

    public InfrastructureDb(Collection<Platform> all) {
        Map<String, Platform> byId = new LinkedHashMap<>();
        for (Platform p : all) {
            if (byId.putIfAbsent(p.id(), p) != null) {
                throw new IllegalArgumentException("platform id '" + p.id() + "' is listed twice");
            }
        }
        this.platforms = Map.copyOf(byId);
    }

    public Optional<Platform> byId(String id) {
        return Optional.ofNullable(platforms.get(id));
    }

    public int size() {
        return platforms.size();
    }

    /** Records what {@code id} has free now (from its own monitoring or a capacity report). */
    public void updateFree(String id, FreeCapacity capacity) {
        if (platforms.containsKey(id)) {
            free.put(id, capacity);
        }
    }

    public FreeCapacity free(String id) {
        Platform p = platforms.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown platform '" + id + "'");
        }
        return free.getOrDefault(id, FreeCapacity.all(p.hardware()));
    }

    /** All platforms, nearest to {@code position} first (ties by id, so the order is stable). */
    public List<Platform> nearest(GeoPoint position, int limit) {
        return platforms.values().stream().sorted(byDistanceTo(position)).limit(limit).toList();
    }

    /**
     * Platforms that fit {@code need} with their free capacity, are not in {@code exclude}
     * (e.g. the platforms that already host the service), nearest to {@code position} first.
     */
    public List<Platform> candidates(HardwareNeed need, GeoPoint position, Set<String> exclude) {
        return platforms.values().stream()
                .filter(p -> !exclude.contains(p.id()))
                .filter(p -> need.isMetBy(p.hardware(), free(p.id())))
                .sorted(byDistanceTo(position))
                .toList();
    }

    private static Comparator<Platform> byDistanceTo(GeoPoint position) {
        return Comparator.<Platform>comparingDouble(p -> p.position().distanceKm(position)).thenComparing(Platform::id);
    }
}
