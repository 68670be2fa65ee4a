package dev.tendril.protocol.grid;

import dev.tendril.protocol.geo.GeoPoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapacityGridTest {
    private static final Capacity ONE_CORE = new Capacity(1000, 1L << 30, 0, 10L << 30);
    private static final GeoPoint MUNICH = new GeoPoint(48.1374, 11.5755);
    private static final GeoPoint GARCHING = new GeoPoint(48.2489, 11.6532);
    private static final GeoPoint MOUNTAIN_VIEW = new GeoPoint(37.3861, -122.0839);

    @Test
    void aSinglePointIsItsOwnCentroid() {
        CapacityGrid g = CapacityGrid.of(8, new GridPoint(MUNICH, ONE_CORE));
        assertEquals(1, g.nodes());
        GeoPoint c = g.centroid(g.cells().get(0));
        assertEquals(MUNICH.latitude(), c.latitude(), 1e-6);
        assertEquals(MUNICH.longitude(), c.longitude(), 1e-6);
    }

    @Test
    void mergeSumsCapacityAndKeepsCentroidsExact() {
        CapacityGrid bavaria = CapacityGrid.merge(4, List.of(), List.of(new GridPoint(MUNICH, ONE_CORE), new GridPoint(GARCHING, ONE_CORE)));
        CapacityGrid all = CapacityGrid.merge(4, List.of(bavaria), List.of(new GridPoint(MOUNTAIN_VIEW, ONE_CORE)));
        assertEquals(3, all.nodes());
        assertEquals(new Capacity(3000, 3L << 30, 0, 30L << 30), all.totalFree());
        GridCell us = all.cell(all.indexOf(MOUNTAIN_VIEW).orElseThrow().column(), all.indexOf(MOUNTAIN_VIEW).orElseThrow().row()).orElseThrow();
        assertEquals(1, us.nodes());
        assertTrue(all.centroid(us).distanceKm(MOUNTAIN_VIEW) < 0.01);
        // Munich and Garching are 13 km apart: on a 4x4 grid spanning the Atlantic they share a cell
        GridCell bav = all.cell(all.indexOf(MUNICH).orElseThrow().column(), all.indexOf(MUNICH).orElseThrow().row()).orElseThrow();
        assertEquals(2, bav.nodes());
        GeoPoint mid = all.centroid(bav);
        assertTrue(mid.distanceKm(MUNICH) < 10 && mid.distanceKm(GARCHING) < 10, "centroid between both: " + mid);
    }

    @Test
    void aGridAcrossTheAntimeridianStaysNarrow() {
        GeoPoint fiji = new GeoPoint(-17.7, 179.9);
        GeoPoint samoa = new GeoPoint(-13.8, -179.9);
        CapacityGrid g = CapacityGrid.merge(8, List.of(), List.of(new GridPoint(fiji, ONE_CORE), new GridPoint(samoa, ONE_CORE)));
        // 0.2 degrees of longitude apart: the grid is a few degrees wide at most, not the whole world
        double widthDegrees = 8.0 * (1L << g.levelX()) * 360.0 / PlanarProjection.TURN;
        assertTrue(widthDegrees < 10, "width " + widthDegrees);
        assertTrue(g.indexOf(fiji).isPresent() && g.indexOf(samoa).isPresent());
        assertTrue(g.indexOf(new GeoPoint(-15, 0)).isEmpty(), "Greenwich lies outside");
        // the west edge is east of 170 E and the grid wraps past 180
        assertTrue(g.originX() + (8L << g.levelX()) > PlanarProjection.TURN);
    }

    @Test
    void pointsAroundTheWholeWorldGetAWholeTurn() {
        List<GridPoint> ring = new java.util.ArrayList<>();
        for (int lon = -180; lon < 180; lon += 30) {
            ring.add(new GridPoint(new GeoPoint(0, lon), ONE_CORE));
        }
        CapacityGrid g = CapacityGrid.merge(3, List.of(), ring);
        assertEquals(12, g.nodes());
        for (GridPoint p : ring) {
            assertTrue(g.indexOf(p.position()).isPresent(), p.position() + " in " + g);
        }
    }

    @Test
    void emptyInputsGiveAnEmptyGrid() {
        CapacityGrid g = CapacityGrid.merge(5, List.of(CapacityGrid.empty(3)), List.of());
        assertTrue(g.isEmpty());
        assertEquals(Capacity.ZERO, g.totalFree());
    }

    @Test
    void invalidGridsAreRefused() {
        GridCell cell = new GridCell(0, 0, 1, Capacity.ZERO, 5, 0);
        assertThrows(IllegalArgumentException.class, () -> new CapacityGrid(4, 2, 2, 0, 0, List.of(cell)), "centroid outside its cell");
        assertThrows(IllegalArgumentException.class, () -> new CapacityGrid(4, 2, 2, 3, 0, List.of()), "origin off the lattice");
        assertThrows(IllegalArgumentException.class, () -> new CapacityGrid(0, 0, 0, 0, 0, List.of()), "size 0");
        GridCell far = new GridCell(4, 0, 1, Capacity.ZERO, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new CapacityGrid(4, 0, 0, 0, 0, List.of(far)), "column beyond size");
        assertThrows(IllegalArgumentException.class, () -> new Capacity(-1, 0, 0, 0));
        GridCell a = new GridCell(1, 0, 1, Capacity.ZERO, 0, 0);
        GridCell b = new GridCell(0, 0, 1, Capacity.ZERO, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new CapacityGrid(4, 0, 0, 0, 0, List.of(a, b)), "unsorted");
    }

    @Test
    void nearestCellsComeFirst() {
        CapacityGrid g = CapacityGrid.merge(16, List.of(), List.of(new GridPoint(MUNICH, ONE_CORE), new GridPoint(MOUNTAIN_VIEW, ONE_CORE)));
        List<GridCell> byDistance = g.byDistanceTo(new GeoPoint(37.0, -121.0));
        assertTrue(g.centroid(byDistance.get(0)).distanceKm(MOUNTAIN_VIEW) < 1);
    }
}
