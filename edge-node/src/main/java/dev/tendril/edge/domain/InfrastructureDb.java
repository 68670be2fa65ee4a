package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every platform of the environment (each node holds a copy from its configuration), with
 * the last known free capacity of each and when it was learnt (all of the hardware until a
 * figure is reported). Queried by distance and hardware fit when a service is replicated,
 * and by position when a capacity grid names a lone node's place. Thread-safe; plain Java.
 */
public final class InfrastructureDb {
    /** A free-capacity figure and when it was measured (or learnt). */
    public record Reading(FreeCapacity free, Instant at) {
    }

    /** Position index: 0.01° cells (about 1.1 km north-south). */
    private static final double CELL_DEGREES = 0.01;
    private static final long LON_CELLS = Math.round(360 / CELL_DEGREES);

    private final Map<String, Platform> platforms;
    private final Map<Long, List<Platform>> byCell;
    private final Map<String, Reading> free = new ConcurrentHashMap<>();

    public InfrastructureDb(Collection<Platform> all) {
        Map<String, Platform> byId = new LinkedHashMap<>();
        Map<Long, List<Platform>> cells = new HashMap<>();
        for (Platform p : all) {
            if (byId.putIfAbsent(p.id(), p) != null) {
                throw new IllegalArgumentException("platform id '" + p.id() + "' is listed twice");
            }
            cells.computeIfAbsent(cellKey(row(p.position()), column(p.position())), k -> new ArrayList<>()).add(p);
        }
        // HashMaps, not Map.copyOf: the immutable maps probe linearly and slow down badly for
        // 100,000 similar ids (the scale simulation), while a HashMap spreads the hashes
        this.platforms = Collections.unmodifiableMap(new HashMap<>(byId));
        cells.replaceAll((k, v) -> List.copyOf(v));
        this.byCell = Collections.unmodifiableMap(cells);
    }

    public Optional<Platform> byId(String id) {
        return Optional.ofNullable(platforms.get(id));
    }

    public int size() {
        return platforms.size();
    }

    /**
     * Of {@code ids}, the platforms of this DB nearest to {@code from} (great-circle), nearest
     * first, at most {@code limit}; {@code exclude} (this node) and ids the DB does not know are
     * left out. Ties keep the order of the ids' names.
     */
    public List<Platform> nearest(GeoPoint from, Collection<String> ids, int limit, String exclude) {
        return ids.stream().filter(id -> !id.equals(exclude)).sorted().distinct()
                .map(platforms::get).filter(java.util.Objects::nonNull)
                .sorted(Comparator.comparingDouble(p -> p.position().distanceKm(from)))
                .limit(Math.max(0, limit)).toList();
    }

    /**
     * Records what {@code id} had free at {@code at} (its own monitoring, or a capacity grid);
     * an older figure than the one held is ignored. Unknown platforms are ignored.
     */
    public void updateFree(String id, FreeCapacity capacity, Instant at) {
        if (platforms.containsKey(id)) {
            Reading r = new Reading(capacity, at);
            free.merge(id, r, (old, neu) -> neu.at().isBefore(old.at()) ? old : neu);
        }
    }

    /** The last known figure of {@code id}, if any was reported. */
    public Optional<Reading> reading(String id) {
        return Optional.ofNullable(free.get(id));
    }

    /** The last known free capacity of {@code id}, however old; all of its hardware when none was reported. */
    public FreeCapacity free(String id) {
        Platform p = require(id);
        Reading r = free.get(id);
        return r == null ? FreeCapacity.all(p.hardware()) : r.free();
    }

    /**
     * The free capacity of {@code id} as of {@code now}: the last figure if it is at most
     * {@code maxAge} old, else all of its hardware (a figure nobody refreshed says nothing
     * about the platform now, as if none had been reported).
     */
    public FreeCapacity free(String id, Instant now, Duration maxAge) {
        Platform p = require(id);
        Reading r = free.get(id);
        return r == null || r.at().plus(maxAge).isBefore(now) ? FreeCapacity.all(p.hardware()) : r.free();
    }

    private Platform require(String id) {
        Platform p = platforms.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown platform '" + id + "'");
        }
        return p;
    }

    /**
     * The one platform within {@code toleranceKm} of {@code position}; empty when there is
     * none, or more than one (platforms at the same place cannot be told apart by position).
     * {@code toleranceKm} must be below 1 km (the index's cell).
     */
    public Optional<Platform> onlyPlatformAt(GeoPoint position, double toleranceKm) {
        if (!(toleranceKm >= 0 && toleranceKm < 1)) {
            throw new IllegalArgumentException("toleranceKm must be in [0, 1), got " + toleranceKm);
        }
        long row = row(position);
        long column = column(position);
        // a row is 1.11 km; a column narrows with the latitude: span as many as the tolerance needs
        double kmPerColumn = 111.19 * CELL_DEGREES * Math.cos(Math.toRadians(Math.min(89.99, Math.abs(position.latitude()) + 2 * CELL_DEGREES)));
        long span = Math.min(LON_CELLS / 2, (long) Math.ceil(toleranceKm / kmPerColumn));
        Platform found = null;
        for (long r = row - 1; r <= row + 1; r++) {
            for (long c = column - span; c <= column + span; c++) {
                for (Platform p : byCell.getOrDefault(cellKey(r, c), List.of())) {
                    if (p.position().distanceKm(position) <= toleranceKm) {
                        if (found != null && !found.id().equals(p.id())) {
                            return Optional.empty();
                        }
                        found = p;
                    }
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private static long row(GeoPoint p) {
        return (long) Math.floor(p.latitude() / CELL_DEGREES);
    }

    private static long column(GeoPoint p) {
        return (long) Math.floor(p.longitude() / CELL_DEGREES);
    }

    /** Longitude cells wrap at the antimeridian. */
    private static long cellKey(long row, long column) {
        long c = Math.floorMod(column, LON_CELLS);
        return row * LON_CELLS + c;
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
