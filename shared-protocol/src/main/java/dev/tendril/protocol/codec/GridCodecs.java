package dev.tendril.protocol.codec;

import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridCell;
import dev.tendril.protocol.grid.GridPoint;

/**
 * Codecs of the capacity grid values (structs of their fields in declaration order,
 * append-only like messages):
 * <pre>
 * Capacity     = [cpuMillis, ramBytes, gpus, diskBytes]
 * GridCell     = [column, row, nodes, Capacity, sumDx, sumDy]
 * CapacityGrid = [size, levelX, levelY, originX, originY, [GridCell...]]
 * GridPoint    = [GeoPoint, Capacity]
 * </pre>
 * A grid is sent sparse: only occupied cells travel.
 */
public final class GridCodecs {
    private GridCodecs() {
    }

    public static void capacity(BodyWriter out, Capacity c) {
        out.struct(4).int64(c.cpuMillis()).int64(c.ramBytes()).int64(c.gpus()).int64(c.diskBytes());
    }

    public static Capacity capacity(BodyReader in) {
        return in.struct(r -> new Capacity(r.int64(), r.int64(), r.int64(), r.int64()));
    }

    public static void cell(BodyWriter out, GridCell c) {
        out.struct(6).int32(c.column()).int32(c.row()).int64(c.nodes());
        capacity(out, c.free());
        out.int64(c.sumDx()).int64(c.sumDy());
    }

    public static GridCell cell(BodyReader in) {
        return in.struct(r -> new GridCell(r.int32(), r.int32(), r.int64(), capacity(r), r.int64(), r.int64()));
    }

    public static void grid(BodyWriter out, CapacityGrid g) {
        out.struct(6).int32(g.size()).int32(g.levelX()).int32(g.levelY()).int64(g.originX()).int64(g.originY())
                .list(g.cells(), GridCodecs::cell);
    }

    public static CapacityGrid grid(BodyReader in) {
        return in.struct(r -> new CapacityGrid(r.int32(), r.int32(), r.int32(), r.int64(), r.int64(), r.list(GridCodecs::cell)));
    }

    public static void point(BodyWriter out, GridPoint p) {
        out.struct(2);
        ValueCodecs.geoPoint(out, p.position());
        capacity(out, p.free());
    }

    public static GridPoint point(BodyReader in) {
        return in.struct(r -> new GridPoint(ValueCodecs.geoPoint(r), capacity(r)));
    }
}
