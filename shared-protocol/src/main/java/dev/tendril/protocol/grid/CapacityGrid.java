package dev.tendril.protocol.grid;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static dev.tendril.protocol.grid.PlanarProjection.TURN;
import static dev.tendril.protocol.grid.PlanarProjection.Y_SPAN;

/**
 * An n×n grid of capacity over a rectangle of the {@link PlanarProjection projected} map.
 * Each occupied cell holds how many nodes lie in it, their summed free capacity and the
 * sums of their positions (see {@link GridCell}); empty cells are not stored.
 *
 * <p>Geometry: cells are 2^{@code levelX} x units wide and 2^{@code levelY} y units high,
 * and the grid's south-west corner ({@code originX}, {@code originY}) is a multiple of the
 * cell size, so every grid's cells lie on one global lattice per level. Cell (c, r) covers
 * x in [originX + c·w, originX + (c+1)·w) and y in [originY + r·h, originY + (r+1)·h),
 * half-open; x is unwrapped relative to {@code originX} (a grid may straddle the
 * antimeridian). Because of the lattice, a cell of a finer grid always lies wholly inside
 * one cell of a coarser one, so {@link #merge} moves whole cells and every node stays in
 * the cell that contains its position: merges conserve node counts and free capacity
 * exactly, and centroids are exact (integer sums). See docs/self-organization.md.
 *
 * @param size   n, cells per axis (1..{@value #MAX_SIZE})
 * @param cells  occupied cells, sorted by row then column
 */
public record CapacityGrid(int size, int levelX, int levelY, long originX, long originY, List<GridCell> cells) {
    public static final int MAX_SIZE = 1024;
    /** Most nodes a grid may count (keeps every sum of offsets inside a long). */
    public static final long MAX_NODES = 1L << 30;

    private static final Comparator<GridCell> ORDER = Comparator.comparingInt(GridCell::row).thenComparingInt(GridCell::column);

    /** A cell's place in the grid. */
    public record CellIndex(int column, int row) {
    }

    public CapacityGrid {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("grid size must be in [1, " + MAX_SIZE + "], got " + size);
        }
        if (levelX < 0 || levelX > PlanarProjection.MAX_LEVEL_X || levelY < 0 || levelY > PlanarProjection.MAX_LEVEL_Y) {
            throw new IllegalArgumentException("grid levels must be in [0, 32] (x) and [0, 31] (y), got " + levelX + ", " + levelY);
        }
        if (originX < 0 || originX >= TURN || originX % (1L << levelX) != 0
                || originY < 0 || originY >= Y_SPAN || originY % (1L << levelY) != 0) {
            throw new IllegalArgumentException("grid origin (" + originX + ", " + originY + ") must lie on the map and on its level's lattice");
        }
        cells = List.copyOf(cells);
        long total = 0;
        GridCell previous = null;
        for (GridCell c : cells) {
            if (previous != null && ORDER.compare(previous, c) >= 0) {
                throw new IllegalArgumentException("grid cells must be sorted by row, then column, without repeats");
            }
            previous = c;
            if (c.column() >= size || c.row() >= size
                    || ((long) c.column() << levelX) >= TURN || originY + ((long) c.row() << levelY) >= Y_SPAN) {
                throw new IllegalArgumentException("cell (" + c.column() + ", " + c.row() + ") lies outside the grid or the map");
            }
            if (c.sumDx() > c.nodes() * ((1L << levelX) - 1) || c.sumDy() > c.nodes() * ((1L << levelY) - 1)) {
                throw new IllegalArgumentException("cell (" + c.column() + ", " + c.row() + ") has a centroid outside itself");
            }
            total += c.nodes();
            if (total > MAX_NODES) {
                throw new IllegalArgumentException("a grid counts at most " + MAX_NODES + " nodes");
            }
        }
    }

    /** A grid of {@code size} with no nodes. */
    public static CapacityGrid empty(int size) {
        return new CapacityGrid(size, 0, 0, 0, 0, List.of());
    }

    /** The grid of one node. */
    public static CapacityGrid of(int size, GridPoint point) {
        return merge(size, List.of(), List.of(point));
    }

    /**
     * One grid of {@code size} over the union of the inputs (the smallest lattice-aligned
     * rectangle that holds every occupied cell and point), each node counted once.
     * Conserves node counts and free capacity exactly, in any merge order.
     */
    public static CapacityGrid merge(int size, Collection<CapacityGrid> grids, Collection<GridPoint> points) {
        return GridMerge.merge(size, grids, points);
    }

    public boolean isEmpty() {
        return cells.isEmpty();
    }

    public long nodes() {
        long n = 0;
        for (GridCell c : cells) {
            n += c.nodes();
        }
        return n;
    }

    public Capacity totalFree() {
        Capacity sum = Capacity.ZERO;
        for (GridCell c : cells) {
            sum = sum.plus(c.free());
        }
        return sum;
    }

    /** The occupied cell at (column, row), if any. */
    public Optional<GridCell> cell(int column, int row) {
        int lo = 0;
        int hi = cells.size() - 1;
        GridCell key = new GridCell(column, row, 1, Capacity.ZERO, 0, 0);
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = ORDER.compare(cells.get(mid), key);
            if (cmp == 0) {
                return Optional.of(cells.get(mid));
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.empty();
    }

    /** The cell whose area contains {@code p} (occupied or not), or empty when p lies outside the grid. */
    public Optional<CellIndex> indexOf(GeoPoint p) {
        long column = (PlanarProjection.unwrap(PlanarProjection.x(p), originX) - originX) >> levelX;
        long y = PlanarProjection.y(p) - originY;
        if (y < 0) {
            return Optional.empty();
        }
        long row = y >> levelY;
        if (column >= size || row >= size) {
            return Optional.empty();
        }
        return Optional.of(new CellIndex((int) column, (int) row));
    }

    /** The exact centroid of the cell's nodes. */
    public GeoPoint centroid(GridCell c) {
        double x = originX + ((double) ((long) c.column() << levelX)) + (double) c.sumDx() / c.nodes();
        double y = originY + ((double) ((long) c.row() << levelY)) + (double) c.sumDy() / c.nodes();
        return PlanarProjection.point(x, y);
    }

    /** The south-west and north-east corners of a cell's area. */
    public List<GeoPoint> corners(CellIndex i) {
        double x0 = originX + (double) ((long) i.column() << levelX);
        double y0 = originY + (double) ((long) i.row() << levelY);
        return List.of(PlanarProjection.point(x0, y0),
                PlanarProjection.point(x0 + (1L << levelX), Math.min(Y_SPAN, y0 + (1L << levelY))));
    }

    /** The cells sorted by the distance of their centroid to {@code target}, nearest first. */
    public List<GridCell> byDistanceTo(GeoPoint target) {
        List<GridCell> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparingDouble((GridCell c) -> centroid(c).distanceKm(target)).thenComparing(ORDER));
        return sorted;
    }

    static Comparator<GridCell> order() {
        return ORDER;
    }

    @Override
    public String toString() {
        return "CapacityGrid[" + size + "x" + size + ", level " + levelX + "/" + levelY + ", origin " + originX + "/" + originY
                + ", " + cells.size() + " occupied cells, " + nodes() + " nodes]";
    }
}
