package dev.tendril.edge.selforg.domain;

import dev.tendril.edge.domain.FreeCapacity;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridCell;
import dev.tendril.protocol.grid.GridPoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the grid exchange tells a node about other platforms' free capacity, written into its
 * infrastructure DB so that replication candidates are judged on current figures
 * (docs/self-organization.md, "Free capacity in the infrastructure DB"):
 * <ul>
 *   <li>a point whose platform is known (this node's own reading, the parent's point in
 *       {@code NeighbourGrids}): that platform's figure;</li>
 *   <li>a grid cell holding exactly one node: its free capacity is that node's, and its
 *       centroid is that node's position (exact: the cell keeps the sum of the offsets), so it
 *       is the figure of the one platform of the DB at that position (within
 *       {@link #MATCH_KM}; none or several there: nothing is learnt);</li>
 *   <li>a cell holding several nodes says only what they have together; it is not split
 *       among platforms (any split would be a guess), so it is not used.</li>
 * </ul>
 * Plain Java; the caller passes the time of the message.
 */
public final class GridReadings {
    /** How near a lone node's centroid must lie to a platform's configured position (the projection's rounding is ~1 cm). */
    public static final double MATCH_KM = 0.1;
    /** A figure older than this counts as unknown when candidates are ranked (grids refresh every exchange interval). */
    public static final Duration MAX_AGE = Duration.ofMinutes(1);

    private GridReadings() {
    }

    public static FreeCapacity toFree(Capacity c) {
        return new FreeCapacity(c.cpus(), c.ramBytes(), c.diskBytes(), (int) Math.min(Integer.MAX_VALUE, c.gpus()));
    }

    /** A point whose platform is known: the figure of {@code platformId}. */
    public static void learnPoint(InfrastructureDb db, String platformId, GridPoint point, Instant at) {
        db.updateFree(platformId, toFree(point.free()), at);
    }

    /** The figure of every lone node in {@code grid} whose position names one platform; returns how many were learnt. */
    public static int learnGrid(InfrastructureDb db, CapacityGrid grid, Instant at) {
        int learnt = 0;
        for (GridCell c : grid.cells()) {
            if (c.nodes() != 1) {
                continue;
            }
            Optional<Platform> p = db.onlyPlatformAt(grid.centroid(c), MATCH_KM);
            if (p.isPresent()) {
                db.updateFree(p.get().id(), toFree(c.free()), at);
                learnt++;
            }
        }
        return learnt;
    }
}
