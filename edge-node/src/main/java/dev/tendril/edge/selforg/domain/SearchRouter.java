package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridCell;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One hop of a migration search (DESIGN.md flow 6), as a pure decision. A target must
 * not be the origin, lie within the search's reach of the cluster's centroid (where the
 * expected round trip stays under the spec's maximum) and have the need free; nearer wins. The hop looks at: itself (unless it is the origin); its children's
 * subtree grids (except the subtree the search came from); while climbing, its siblings'
 * grids and its parent's own point. The nearest of these wins: itself -> offer; a child or
 * sibling -> forward down (the search never climbs again); the parent -> forward up.
 * Nothing nearer: climbing -> forward up; descending or at the top -> not found. There is
 * no backtracking; the hop limit and the deadline end every search (a hop at the limit
 * that qualifies itself offers itself rather than forward).
 */
public final class SearchRouter {
    /** What the hop does with the search. */
    public sealed interface Route {
    }

    /** This node is the target. */
    public record Offer(double distanceKm) implements Route {
    }

    /** Send the search on to {@code to}. */
    public record Forward(NodeInfo to, boolean upward, String why) implements Route {
    }

    /** The search ends here without a target. */
    public record NotFound(String reason) implements Route {
    }

    private SearchRouter() {
    }

    public static Route route(MigrationSearch r, NodeInfo self, Capacity selfFree, Neighbourhood hood,
                              Optional<NodeInfo> parent, Instant now, Duration staleAfter) {
        if (now.toEpochMilli() > r.deadlineMillis()) {
            return new NotFound("deadline passed " + (now.toEpochMilli() - r.deadlineMillis()) + " ms ago");
        }
        GeoPoint target = r.centroid();
        double bar = r.reachKm();
        Route best = null;
        double bestKm = bar;
        Offer selfOffer = null;
        if (!self.nodeId().equals(r.origin().nodeId()) && selfFree.covers(r.need())) {
            double d = self.position().distanceKm(target);
            if (d <= bestKm) {
                selfOffer = new Offer(d);
                best = selfOffer;
                bestKm = d;
            }
        }
        for (Neighbourhood.ChildGrid c : hood.freshChildren(now, staleAfter)) {
            if (c.node().nodeId().equals(r.cameFrom())) {
                continue;
            }
            OptionalDouble d = nearestFit(c.grid(), target, r.need());
            if (d.isPresent() && d.getAsDouble() < bestKm) {
                bestKm = d.getAsDouble();
                best = new Forward(c.node(), false, String.format(Locale.ROOT, "child %s's subtree has capacity %.0f km from the cluster",
                        c.node().nodeId(), bestKm));
            }
        }
        String parentId = parent.map(NodeInfo::nodeId).orElse("");
        if (r.upward()) {
            for (SiblingGrid s : hood.freshSiblings(now, staleAfter, parentId)) {
                if (s.node().nodeId().equals(r.cameFrom()) || s.node().nodeId().equals(self.nodeId())) {
                    continue;
                }
                OptionalDouble d = nearestFit(s.grid(), target, r.need());
                if (d.isPresent() && d.getAsDouble() < bestKm) {
                    bestKm = d.getAsDouble();
                    best = new Forward(s.node(), false, String.format(Locale.ROOT,
                            "sibling %s's subtree has capacity %.0f km from the cluster", s.node().nodeId(), bestKm));
                }
            }
            Optional<GridPoint> pp = hood.parentPoint(now, staleAfter, parentId);
            if (parent.isPresent() && pp.isPresent() && pp.get().free().covers(r.need())
                    && !parentId.equals(r.origin().nodeId())) {
                double d = pp.get().position().distanceKm(target);
                if (d < bestKm) {
                    bestKm = d;
                    best = new Forward(parent.get(), true, String.format(Locale.ROOT, "parent %s is %.0f km from the cluster",
                            parentId, d));
                }
            }
        }
        if (best instanceof Offer) {
            return best;
        }
        if (best == null && r.upward() && parent.isPresent()) {
            best = new Forward(parent.get(), true, String.format(Locale.ROOT,
                    "nothing here nearer than %.0f km: up to parent %s", bar, parentId));
        }
        if (best == null) {
            return new NotFound(String.format(Locale.ROOT, "%s: no instance with capacity within %.0f km of the cluster",
                    r.upward() ? "top of the tree reached" : "no instance below " + self.nodeId(), bar));
        }
        if (r.hops() >= r.hopLimit()) {
            return selfOffer != null ? selfOffer : new NotFound("hop limit " + r.hopLimit() + " reached");
        }
        return best;
    }

    /** Distance from {@code target} to the nearest cell centroid whose free capacity covers {@code need}. */
    static OptionalDouble nearestFit(CapacityGrid grid, GeoPoint target, Capacity need) {
        double best = Double.POSITIVE_INFINITY;
        for (GridCell cell : grid.cells()) {
            if (cell.free().covers(need)) {
                best = Math.min(best, grid.centroid(cell).distanceKm(target));
            }
        }
        return best == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(best);
    }
}
