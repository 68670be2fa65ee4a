package dev.tendril.protocol.grid;

import java.util.Objects;

/**
 * One occupied cell of a {@link CapacityGrid}: how many nodes lie in it, their summed free
 * capacity, and the sums of their offsets from the cell's south-west corner in projection
 * units ({@code sumDx}, {@code sumDy}), so that the centroid of the cell's nodes is exact
 * and survives any number of merges.
 */
public record GridCell(int column, int row, long nodes, Capacity free, long sumDx, long sumDy) {
    public GridCell {
        Objects.requireNonNull(free, "free");
        if (column < 0 || row < 0) {
            throw new IllegalArgumentException("cell column and row must be >= 0, got " + column + ", " + row);
        }
        if (nodes < 1 || nodes > CapacityGrid.MAX_NODES) {
            throw new IllegalArgumentException("an occupied cell holds 1.." + CapacityGrid.MAX_NODES + " nodes, got " + nodes);
        }
        if (sumDx < 0 || sumDy < 0) {
            throw new IllegalArgumentException("offset sums must be >= 0, got " + sumDx + ", " + sumDy);
        }
    }
}
