package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.Arch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InfrastructureDbTest {
    static final long GI = 1L << 30;
    static final GeoPoint MUNICH = new GeoPoint(48.137, 11.575);
    static final GeoPoint BERLIN = new GeoPoint(52.52, 13.405);
    static final GeoPoint HAMBURG = new GeoPoint(53.55, 9.99);
    static final GeoPoint POTSDAM = new GeoPoint(52.39, 13.06);

    static Platform platform(String id, GeoPoint at, Arch arch, double cpus, long ram, int gpus) {
        return new Platform(id, id, "127.0.0.1", at, new Hardware(arch, cpus, ram, 100 * GI, gpus), Map.of());
    }

    final InfrastructureDb db = new InfrastructureDb(List.of(
            platform("munich", MUNICH, Arch.ARM64, 4, 4 * GI, 0),
            platform("berlin", BERLIN, Arch.AMD64, 8, 16 * GI, 1),
            platform("hamburg", HAMBURG, Arch.AMD64, 2, 2 * GI, 0)));

    private static List<String> ids(List<Platform> ps) {
        return ps.stream().map(Platform::id).toList();
    }

    @Test
    void nearestOfGivenIdsLeavesOutTheExcludedAndUnknownIds() {
        assertEquals(List.of("berlin", "hamburg"), ids(db.nearest(POTSDAM, List.of("hamburg", "munich", "berlin", "nowhere"), 2, "x")));
        assertEquals(List.of("hamburg", "munich"), ids(db.nearest(BERLIN, Set.of("berlin", "hamburg", "munich"), 5, "berlin")));
        assertEquals(List.of(), ids(db.nearest(BERLIN, Set.of("munich"), 0, "berlin")));
    }

    @Test
    void ordersByGreatCircleDistance() {
        assertEquals(List.of("berlin", "hamburg", "munich"), ids(db.nearest(POTSDAM, 10)));
        assertEquals(List.of("munich"), ids(db.nearest(MUNICH, 1)));
    }

    @Test
    void filtersByArchAndFreeResources() {
        HardwareNeed amd64Big = new HardwareNeed(Set.of(Arch.AMD64), 3, 4 * GI, 0, 0);
        assertEquals(List.of("berlin"), ids(db.candidates(amd64Big, MUNICH, Set.of())));
        HardwareNeed anyArch = new HardwareNeed(Set.of(), 1, GI, 0, 0);
        assertEquals(List.of("munich", "berlin", "hamburg"), ids(db.candidates(anyArch, MUNICH, Set.of())));
        HardwareNeed gpu = new HardwareNeed(Set.of(), 0, 0, 1, 0);
        assertEquals(List.of("berlin"), ids(db.candidates(gpu, HAMBURG, Set.of())));
    }

    @Test
    void usesReportedFreeCapacityAndExcludesHosts() {
        HardwareNeed need = new HardwareNeed(Set.of(), 2, GI, 0, 0);
        db.updateFree("munich", new FreeCapacity(0.5, GI, 10 * GI, 0), Instant.EPOCH);
        assertEquals(List.of("berlin", "hamburg"), ids(db.candidates(need, MUNICH, Set.of())));
        assertEquals(List.of("hamburg"), ids(db.candidates(need, MUNICH, Set.of("berlin"))));
    }

    @Test
    void keepsTheNewestFigureAndForgetsOldOnes() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        db.updateFree("berlin", new FreeCapacity(1, GI, GI, 0), t0.plusSeconds(10));
        db.updateFree("berlin", new FreeCapacity(7, GI, GI, 1), t0); // older: ignored
        assertEquals(1.0, db.free("berlin").cpus());
        assertEquals(1.0, db.free("berlin", t0.plusSeconds(30), Duration.ofMinutes(1)).cpus());
        assertEquals(8.0, db.free("berlin", t0.plusSeconds(71), Duration.ofMinutes(1)).cpus(), "too old: all hardware");
        db.updateFree("nowhere", new FreeCapacity(1, GI, GI, 0), t0); // unknown platform: ignored
        assertEquals(Optional.empty(), db.reading("nowhere"));
    }

    @Test
    void findsTheOnePlatformAtAPosition() {
        assertEquals("berlin", db.onlyPlatformAt(new GeoPoint(52.5205, 13.4052), 0.1).orElseThrow().id());
        assertEquals(Optional.empty(), db.onlyPlatformAt(new GeoPoint(52.53, 13.405), 0.1), "1.1 km away");
        InfrastructureDb twins = new InfrastructureDb(List.of(
                platform("rack-a", BERLIN, Arch.AMD64, 1, GI, 0), platform("rack-b", BERLIN, Arch.AMD64, 1, GI, 0),
                platform("fiji", new GeoPoint(-17.8, 179.9999), Arch.AMD64, 1, GI, 0),
                platform("north", new GeoPoint(78.22, 15.65), Arch.AMD64, 1, GI, 0)));
        assertEquals(Optional.empty(), twins.onlyPlatformAt(BERLIN, 0.1), "two platforms at one place: ambiguous");
        assertEquals("fiji", twins.onlyPlatformAt(new GeoPoint(-17.8, -179.9995), 0.5).orElseThrow().id(),
                "across the antimeridian");
        assertEquals("north", twins.onlyPlatformAt(new GeoPoint(78.22, 15.67), 0.9).orElseThrow().id(),
                "columns narrow towards the pole: 0.45 km east of it is two columns away");
    }

    @Test
    void rejectsDuplicateIds() {
        assertThrows(IllegalArgumentException.class, () -> new InfrastructureDb(List.of(
                platform("a", MUNICH, Arch.AMD64, 1, GI, 0), platform("a", BERLIN, Arch.AMD64, 1, GI, 0))));
    }
}
