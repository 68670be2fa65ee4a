package dev.tendril.edge.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.Arch;
import org.junit.jupiter.api.Test;

import java.util.List;
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
        db.updateFree("munich", new FreeCapacity(0.5, GI, 10 * GI, 0));
        assertEquals(List.of("berlin", "hamburg"), ids(db.candidates(need, MUNICH, Set.of())));
        assertEquals(List.of("hamburg"), ids(db.candidates(need, MUNICH, Set.of("berlin"))));
    }

    @Test
    void rejectsDuplicateIds() {
        assertThrows(IllegalArgumentException.class, () -> new InfrastructureDb(List.of(
                platform("a", MUNICH, Arch.AMD64, 1, GI, 0), platform("a", BERLIN, Arch.AMD64, 1, GI, 0))));
    }
}
