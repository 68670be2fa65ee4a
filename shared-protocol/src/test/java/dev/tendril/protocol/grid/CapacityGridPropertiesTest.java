package dev.tendril.protocol.grid;

import dev.tendril.protocol.geo.GeoPoint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random trees of points and grids, merged bottom-up with random grid sizes, in random
 * orders: the final grid counts every point once, conserves free capacity exactly, holds
 * each point in the cell whose area contains it, and keeps each cell's centroid sums
 * exact. Positions favour the antimeridian, the poles and one dense city.
 */
class CapacityGridPropertiesTest {

    /** A tree of merges: a leaf is one node; an inner vertex merges its children with grid size {@code size}. */
    sealed interface Tree permits Leaf, Merge {
    }

    record Leaf(GridPoint point, boolean asGrid) implements Tree {
    }

    record Merge(int size, List<Tree> children) implements Tree {
    }

    @Property(tries = 400)
    void mergesConserveNodesAndCapacityAndPlaceEveryPointInItsCell(@ForAll("trees") Tree tree, @ForAll("sizes") int finalSize,
                                                                    @ForAll long shuffleSeed) {
        List<GridPoint> points = new ArrayList<>();
        collect(tree, points);
        CapacityGrid grid = CapacityGrid.merge(finalSize, List.of(evaluate(tree, new Random(shuffleSeed))), List.of());
        checkExact(grid, points);
    }

    @Property(tries = 200)
    void anyMergeOrderGivesTheSameTotals(@ForAll("trees") Tree tree, @ForAll long seedA, @ForAll long seedB) {
        List<GridPoint> points = new ArrayList<>();
        collect(tree, points);
        // the same points, regrouped into a different random tree
        Tree other = regroup(points, new Random(seedB));
        CapacityGrid a = evaluate(tree, new Random(seedA));
        CapacityGrid b = evaluate(other, new Random(seedA ^ seedB));
        assertEquals(a.nodes(), b.nodes());
        assertEquals(a.totalFree(), b.totalFree());
        checkExact(b, points);
    }

    private static void checkExact(CapacityGrid grid, List<GridPoint> points) {
        assertEquals(points.size(), grid.nodes(), "node count");
        Capacity expectedTotal = Capacity.ZERO;
        Map<CapacityGrid.CellIndex, long[]> expected = new HashMap<>();
        Map<CapacityGrid.CellIndex, Capacity> expectedFree = new HashMap<>();
        for (GridPoint p : points) {
            expectedTotal = expectedTotal.plus(p.free());
            CapacityGrid.CellIndex i = grid.indexOf(p.position())
                    .orElseThrow(() -> new AssertionError(p.position() + " lies outside " + grid));
            long dx = PlanarProjection.unwrap(PlanarProjection.x(p.position()), grid.originX()) - grid.originX()
                    - ((long) i.column() << grid.levelX());
            long dy = PlanarProjection.y(p.position()) - grid.originY() - ((long) i.row() << grid.levelY());
            long[] e = expected.computeIfAbsent(i, k -> new long[3]);
            e[0]++;
            e[1] += dx;
            e[2] += dy;
            expectedFree.merge(i, p.free(), Capacity::plus);
        }
        assertEquals(expectedTotal, grid.totalFree(), "free capacity");
        assertEquals(expected.size(), grid.cells().size(), "occupied cells");
        for (GridCell c : grid.cells()) {
            CapacityGrid.CellIndex i = new CapacityGrid.CellIndex(c.column(), c.row());
            long[] e = expected.get(i);
            assertTrue(e != null, "cell " + i + " holds nodes but contains no point");
            assertEquals(e[0], c.nodes(), "nodes of cell " + i);
            assertEquals(e[1], c.sumDx(), "x offsets of cell " + i);
            assertEquals(e[2], c.sumDy(), "y offsets of cell " + i);
            assertEquals(expectedFree.get(i), c.free(), "free capacity of cell " + i);
        }
    }

    private static CapacityGrid evaluate(Tree tree, Random random) {
        if (tree instanceof Leaf leaf) {
            return CapacityGrid.of(1 + random.nextInt(16), leaf.point());
        }
        Merge m = (Merge) tree;
        List<Tree> children = new ArrayList<>(m.children());
        Collections.shuffle(children, random);
        List<CapacityGrid> grids = new ArrayList<>();
        List<GridPoint> points = new ArrayList<>();
        for (Tree child : children) {
            if (child instanceof Leaf leaf && !leaf.asGrid()) {
                points.add(leaf.point());
            } else {
                grids.add(evaluate(child, random));
            }
        }
        return CapacityGrid.merge(m.size(), grids, points);
    }

    private static void collect(Tree tree, List<GridPoint> out) {
        if (tree instanceof Leaf leaf) {
            out.add(leaf.point());
        } else {
            ((Merge) tree).children().forEach(c -> collect(c, out));
        }
    }

    private static Tree regroup(List<GridPoint> points, Random random) {
        List<Tree> level = new ArrayList<>();
        for (GridPoint p : points) {
            level.add(new Leaf(p, random.nextBoolean()));
        }
        Collections.shuffle(level, random);
        while (level.size() > 1) {
            List<Tree> next = new ArrayList<>();
            int i = 0;
            while (i < level.size()) {
                int take = Math.min(level.size() - i, 1 + random.nextInt(4));
                next.add(new Merge(1 + random.nextInt(12), new ArrayList<>(level.subList(i, i + take))));
                i += take;
            }
            level = next;
        }
        return level.isEmpty() ? new Merge(4, List.of()) : new Merge(1 + random.nextInt(12), List.of(level.get(0)));
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(1)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(2, 16)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(17, 1024)));
    }

    @Provide
    Arbitrary<Tree> trees() {
        return tree(4);
    }

    private Arbitrary<Tree> tree(int depth) {
        Arbitrary<Tree> leaf = leaves();
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Tree> merge = Combinators.combine(sizes(), tree(depth - 1).list().ofMinSize(0).ofMaxSize(5))
                .as(Merge::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, leaf), net.jqwik.api.Tuple.of(3, merge));
    }

    private Arbitrary<Tree> leaves() {
        Arbitrary<Capacity> free = Combinators.combine(
                Arbitraries.longs().between(0, 64_000), Arbitraries.longs().between(0, 1L << 40),
                Arbitraries.longs().between(0, 8), Arbitraries.longs().between(0, 1L << 42)).as(Capacity::new);
        return Combinators.combine(positions(), free, Arbitraries.of(true, false))
                .as((pos, cap, asGrid) -> new Leaf(new GridPoint(pos, cap), asGrid));
    }

    private Arbitrary<GeoPoint> positions() {
        Arbitrary<Double> anyLat = Arbitraries.doubles().between(-90, 90);
        Arbitrary<Double> anyLon = Arbitraries.doubles().between(-180, 180);
        Arbitrary<GeoPoint> anywhere = Combinators.combine(anyLat, anyLon).as(GeoPoint::new);
        Arbitrary<GeoPoint> antimeridian = Combinators.combine(Arbitraries.doubles().between(-60, 60),
                Arbitraries.oneOf(Arbitraries.doubles().between(175, 180), Arbitraries.doubles().between(-180, -175)))
                .as(GeoPoint::new);
        Arbitrary<GeoPoint> munich = Combinators.combine(Arbitraries.doubles().between(48.0, 48.3),
                Arbitraries.doubles().between(11.4, 11.8)).as(GeoPoint::new);
        Arbitrary<GeoPoint> edges = Arbitraries.of(new GeoPoint(90, 0), new GeoPoint(-90, 180), new GeoPoint(0, -180),
                new GeoPoint(0, 180), new GeoPoint(89.9999999, 179.9999999), new GeoPoint(48.137, 11.575));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, anywhere), net.jqwik.api.Tuple.of(3, antimeridian),
                net.jqwik.api.Tuple.of(3, munich), net.jqwik.api.Tuple.of(1, edges));
    }
}
