package dev.tendril.edge.selforg.domain;

import dev.tendril.edge.domain.FreeCapacity;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.HardwareNeed;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.spec.Arch;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which figures of the grid exchange reach the infrastructure DB, and that candidates are filtered with them. */
class GridReadingsTest {
    static final long GI = 1L << 30;
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final GeoPoint MUNICH = new GeoPoint(48.1374, 11.5755);
    static final GeoPoint GARCHING = new GeoPoint(48.2489, 11.6532);
    static final GeoPoint GARCHING_B = new GeoPoint(48.2490, 11.6540); // ~60 m apart: one cell of an 8x8 Europe grid
    static final GeoPoint LISBON = new GeoPoint(38.7223, -9.1393);
    static final GeoPoint HELSINKI = new GeoPoint(60.1699, 24.9384);

    static Platform platform(String id, GeoPoint at) {
        return new Platform(id, id, "127.0.0.1", at, new Hardware(Arch.AMD64, 8, 16 * GI, 100 * GI, 0), Map.of());
    }

    final InfrastructureDb db = new InfrastructureDb(List.of(platform("munich", MUNICH), platform("garching", GARCHING),
            platform("garching-b", GARCHING_B), platform("lisbon", LISBON), platform("helsinki", HELSINKI)));

    @Test
    void loneNodesOfAGridAreMatchedToTheirPlatformsByPosition() {
        CapacityGrid grid = CapacityGrid.merge(8, List.of(), List.of(
                new GridPoint(LISBON, Capacity.of(0.5, GI, 0, 10 * GI)),
                new GridPoint(HELSINKI, Capacity.of(6, 8 * GI, 0, 50 * GI)),
                new GridPoint(GARCHING, Capacity.of(1, GI, 0, GI)),
                new GridPoint(GARCHING_B, Capacity.of(2, GI, 0, GI))));
        assertEquals(2, GridReadings.learnGrid(db, grid, T0));
        assertEquals(new FreeCapacity(0.5, GI, 10 * GI, 0), db.free("lisbon"));
        assertEquals(new FreeCapacity(6, 8 * GI, 50 * GI, 0), db.free("helsinki"));
        // the two Garching nodes share a cell: their sum (3 CPUs) is nobody's figure
        assertEquals(Optional.empty(), db.reading("garching"));
        assertEquals(Optional.empty(), db.reading("garching-b"));
        assertEquals(Optional.empty(), db.reading("munich"));
    }

    @Test
    void aLoneNodeAtNoKnownPlatformIsIgnored() {
        CapacityGrid grid = CapacityGrid.of(8, new GridPoint(new GeoPoint(40.4168, -3.7038), Capacity.of(1, GI, 0, GI)));
        assertEquals(0, GridReadings.learnGrid(db, grid, T0));
    }

    @Test
    void aKnownPointIsThatPlatformsFigureAndFeedsTheCandidateFilter() {
        HardwareNeed need = new HardwareNeed(Set.of(Arch.AMD64), 2, 2 * GI, 0, 0);
        CandidateChoice before = CandidateChoice.rank(db, need, MUNICH, Set.of("munich"), p -> true, "", T0);
        assertEquals("garching", before.candidates().get(0).id(), "static figures: all hardware free");

        GridReadings.learnPoint(db, "garching", new GridPoint(GARCHING, Capacity.of(0.4, 12 * GI, 0, 90 * GI)), T0);
        CandidateChoice after = CandidateChoice.rank(db, need, MUNICH, Set.of("munich"), p -> true, "", T0.plusSeconds(5));
        assertEquals("garching-b", after.candidates().get(0).id());
        assertTrue(after.skipped().contains("garching: CPU 0.40 free < 2.00"), after.skipped().toString());

        CandidateChoice later = CandidateChoice.rank(db, need, MUNICH, Set.of("munich"), p -> true, "",
                T0.plus(GridReadings.MAX_AGE).plusSeconds(1));
        assertEquals("garching", later.candidates().get(0).id(), "a figure nobody refreshed is forgotten");
    }
}
