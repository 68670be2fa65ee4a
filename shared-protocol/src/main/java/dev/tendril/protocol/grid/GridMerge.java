package dev.tendril.protocol.grid;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.tendril.protocol.grid.PlanarProjection.TURN;
import static dev.tendril.protocol.grid.PlanarProjection.Y_SPAN;

/**
 * Merges grids and points into one grid (see {@link CapacityGrid#merge}).
 *
 * <ol>
 * <li>Every occupied source cell and every point is an interval on each axis; the target
 *     covers their union: on y the span from the lowest to the highest, on x the shortest
 *     arc of the circle that holds them all (the complement of the largest uncovered gap),
 *     so a union across the antimeridian stays narrow.</li>
 * <li>The target's level per axis is the smallest one, not finer than any source grid's,
 *     whose lattice-aligned n cells reach over that span (or over the whole turn).</li>
 * <li>Each source cell lies wholly in one target cell (both on the global lattice, the
 *     target's cells a power-of-two multiple of the source's); its node count, capacity
 *     and offset sums move there, the offsets shifted by the source cell's offset inside
 *     the target cell. Points are cells of one node at level 0.</li>
 * </ol>
 * All integer arithmetic: the result does not depend on rounding, only on the inputs.
 */
final class GridMerge {
    /** One piece of mass to place: an aligned source cell (or a point, level 0). */
    private record Mass(long x, long y, int levelX, int levelY, long nodes, Capacity free, long sumDx, long sumDy) {
    }

    private static final class Cell {
        long nodes;
        Capacity free = Capacity.ZERO;
        long sumDx;
        long sumDy;
    }

    private GridMerge() {
    }

    static CapacityGrid merge(int size, Collection<CapacityGrid> grids, Collection<GridPoint> points) {
        if (size < 1 || size > CapacityGrid.MAX_SIZE) {
            throw new IllegalArgumentException("grid size must be in [1, " + CapacityGrid.MAX_SIZE + "], got " + size);
        }
        List<Mass> masses = new ArrayList<>();
        int minLevelX = 0;
        int minLevelY = 0;
        for (CapacityGrid g : grids) {
            if (g.isEmpty()) {
                continue;
            }
            minLevelX = Math.max(minLevelX, g.levelX());
            minLevelY = Math.max(minLevelY, g.levelY());
            for (GridCell c : g.cells()) {
                long x = Math.floorMod(g.originX() + ((long) c.column() << g.levelX()), TURN);
                long y = g.originY() + ((long) c.row() << g.levelY());
                masses.add(new Mass(x, y, g.levelX(), g.levelY(), c.nodes(), c.free(), c.sumDx(), c.sumDy()));
            }
        }
        for (GridPoint p : points) {
            masses.add(new Mass(PlanarProjection.x(p.position()), PlanarProjection.y(p.position()), 0, 0, 1, p.free(), 0, 0));
        }
        if (masses.isEmpty()) {
            return CapacityGrid.empty(size);
        }
        long[] arc = shortestArc(masses);
        int levelX = levelX(size, minLevelX, arc[0], arc[1]);
        long originX = arc[0] & -(1L << levelX);
        long south = Long.MAX_VALUE;
        long north = Long.MIN_VALUE;
        for (Mass m : masses) {
            south = Math.min(south, m.y);
            north = Math.max(north, m.y + (1L << m.levelY));
        }
        int levelY = levelY(size, minLevelY, south, north);
        long originY = south & -(1L << levelY);

        Map<Long, Cell> target = new TreeMap<>();
        long total = 0;
        for (Mass m : masses) {
            long ux = PlanarProjection.unwrap(m.x, originX) - originX;
            long uy = m.y - originY;
            long column = ux >> levelX;
            long row = uy >> levelY;
            if (column >= size || row >= size) {
                throw new IllegalStateException("merge placed mass outside the grid: column " + column + ", row " + row);
            }
            long shiftX = ux - (column << levelX);
            long shiftY = uy - (row << levelY);
            Cell cell = target.computeIfAbsent(row * size + column, k -> new Cell());
            cell.nodes += m.nodes;
            cell.free = cell.free.plus(m.free);
            cell.sumDx = Math.addExact(cell.sumDx, Math.addExact(m.sumDx, Math.multiplyExact(m.nodes, shiftX)));
            cell.sumDy = Math.addExact(cell.sumDy, Math.addExact(m.sumDy, Math.multiplyExact(m.nodes, shiftY)));
            total += m.nodes;
            if (total > CapacityGrid.MAX_NODES) {
                throw new IllegalArgumentException("a grid counts at most " + CapacityGrid.MAX_NODES + " nodes");
            }
        }
        List<GridCell> cells = new ArrayList<>(target.size());
        for (Map.Entry<Long, Cell> e : target.entrySet()) {
            Cell c = e.getValue();
            cells.add(new GridCell((int) (e.getKey() % size), (int) (e.getKey() / size), c.nodes, c.free, c.sumDx, c.sumDy));
        }
        return new CapacityGrid(size, levelX, levelY, originX, originY, cells);
    }

    /** Smallest x level >= min whose aligned n cells cover [start, start + length), or the whole turn. */
    private static int levelX(int size, int min, long start, long length) {
        for (int level = min; level < PlanarProjection.MAX_LEVEL_X; level++) {
            long origin = start & -(1L << level);
            long reach = (long) size << level;
            if (reach >= TURN || origin + reach >= start + length) {
                return level;
            }
        }
        return PlanarProjection.MAX_LEVEL_X;
    }

    /** Smallest y level >= min whose aligned n cells cover [south, north). */
    private static int levelY(int size, int min, long south, long north) {
        for (int level = min; level < PlanarProjection.MAX_LEVEL_Y; level++) {
            long origin = south & -(1L << level);
            if (origin + ((long) size << level) >= north) {
                return level;
            }
        }
        return PlanarProjection.MAX_LEVEL_Y;
    }

    /**
     * The shortest arc of the x circle that holds every mass's x interval: {start in [0, TURN), length}.
     * Found as the complement of the largest gap between the merged intervals.
     */
    private static long[] shortestArc(List<Mass> masses) {
        List<long[]> segments = new ArrayList<>(masses.size() + 1);
        for (Mass m : masses) {
            long width = 1L << m.levelX;
            if (width >= TURN) {
                return new long[] {0, TURN};
            }
            long end = m.x + width;
            if (end > TURN) {
                segments.add(new long[] {m.x, TURN});
                segments.add(new long[] {0, end - TURN});
            } else {
                segments.add(new long[] {m.x, end});
            }
        }
        segments.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        List<long[]> merged = new ArrayList<>();
        for (long[] s : segments) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && s[0] <= last[1]) {
                last[1] = Math.max(last[1], s[1]);
            } else {
                merged.add(new long[] {s[0], s[1]});
            }
        }
        long[] first = merged.get(0);
        long[] lastSeg = merged.get(merged.size() - 1);
        // the gap that wraps around the antimeridian, from the last end to the first start
        long bestGap = first[0] + TURN - lastSeg[1];
        long bestGapEnd = first[0];
        for (int i = 1; i < merged.size(); i++) {
            long gap = merged.get(i)[0] - merged.get(i - 1)[1];
            if (gap > bestGap) {
                bestGap = gap;
                bestGapEnd = merged.get(i)[0];
            }
        }
        if (bestGap <= 0) {
            return new long[] {0, TURN};
        }
        return new long[] {Math.floorMod(bestGapEnd, TURN), TURN - bestGap};
    }
}
