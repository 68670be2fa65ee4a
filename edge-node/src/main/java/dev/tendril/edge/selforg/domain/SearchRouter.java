package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridCell;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;
import dev.tendril.protocol.text.Decimals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One hop of a migration search (DESIGN.md flow 6), as a pure decision. A target must
 * not be the origin, lie within the search's reach of the cluster's centroid (where the
 * expected round trip stays under the spec's maximum) and have the need free; nearer wins.
 * The hop looks at: itself (unless it is the origin); its children's subtree grids; while
 * climbing, its siblings' grids and its parent's own point; never a neighbour the search
 * already came from or was sent to from here ({@link Leg#excluded()}). The nearest of these
 * wins: itself -> offer; a child or sibling -> forward down (the search never climbs
 * again); the parent -> forward up. Nothing within reach: climbing -> forward up;
 * descending -> back to where it came from (which tries its next branch, see
 * {@link SearchVisits}); at the top -> not found. The grids route the search towards the
 * cells with free capacity nearest the users, so the path is about twice the tree's depth;
 * the hop limit (a budget of messages per search, not the reach) and the deadline still end
 * every search whatever the grids claim (a hop at the limit that qualifies itself offers
 * itself rather than forward).
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

    /** Nothing within reach below this descending hop: send the search back to where it came from. */
    public record Back(String why) implements Route {
    }

    /**
     * Where this hop stands in the walk: climbing or descending (as when the search first
     * came here), and the neighbours it must not go to (where it came from, where it went).
     */
    public record Leg(boolean upward, Set<String> excluded) {
        public Leg {
            excluded = Set.copyOf(excluded);
        }
    }

    /** The search ends here without a target. */
    public record NotFound(String reason) implements Route {
    }

    private SearchRouter() {
    }

    public static Route route(MigrationSearch r, Leg leg, NodeInfo self, Capacity selfFree, Neighbourhood hood,
                              Optional<NodeInfo> parent, Instant now, Duration staleAfter) {
        if (now.toEpochMilli() > r.deadlineMillis()) {
            return new NotFound("deadline passed " + (now.toEpochMilli() - r.deadlineMillis()) + " ms ago");
        }
        Nearest best = new Nearest(r.reachKm());
        Offer selfOffer = null;
        if (qualifies(r, self, selfFree)) {
            selfOffer = new Offer(self.position().distanceKm(r.centroid()));
            best.consider(selfOffer.distanceKm(), selfOffer);
        }
        for (Neighbourhood.ChildGrid c : hood.freshChildren(now, staleAfter)) {
            if (!leg.excluded().contains(c.node().nodeId())) {
                nearestFit(c.grid(), r.centroid(), r.need()).ifPresent(d -> best.considerStrictly(d, new Forward(c.node(), false,
                        "child " + c.node().nodeId() + "'s subtree has capacity " + Decimals.fixed(d, 0) + " km from the cluster")));
            }
        }
        String parentId = parent.map(NodeInfo::nodeId).orElse("");
        boolean climbing = leg.upward() && parent.isPresent() && !leg.excluded().contains(parentId);
        if (climbing) {
            considerAbove(r, leg, self, hood, parent.get(), now, staleAfter, best);
        }
        Route route = best.route;
        if (route instanceof Offer) {
            return route;
        }
        if (route == null && climbing) {
            route = new Forward(parent.get(), true, "nothing here nearer than " + Decimals.fixed(r.reachKm(), 0)
                    + " km: up to parent " + parentId);
        }
        if (route == null && !leg.upward() && !leg.excluded().contains(self.nodeId())) {
            route = new Back("nothing with capacity within " + Decimals.fixed(r.reachKm(), 0) + " km of the cluster below "
                    + self.nodeId());
        }
        if (route == null) {
            return new NotFound((leg.upward() ? "top of the tree reached" : "no instance below " + self.nodeId())
                    + ": no instance with capacity within " + Decimals.fixed(r.reachKm(), 0) + " km of the cluster");
        }
        if (r.hops() >= r.hopLimit()) {
            return selfOffer != null ? selfOffer : new NotFound("hop limit " + r.hopLimit() + " reached");
        }
        return route;
    }

    /** Whether this node could be the search's target: not its origin, within reach, the need free. */
    public static boolean qualifies(MigrationSearch r, NodeInfo self, Capacity selfFree) {
        return !self.nodeId().equals(r.origin().nodeId()) && selfFree.covers(r.need())
                && self.position().distanceKm(r.centroid()) <= r.reachKm();
    }

    /** While climbing: the siblings' subtrees and the parent itself (what the parent's grid holds beyond this subtree). */
    private static void considerAbove(MigrationSearch r, Leg leg, NodeInfo self, Neighbourhood hood, NodeInfo parent,
                                      Instant now, Duration staleAfter, Nearest best) {
        for (SiblingGrid s : hood.freshSiblings(now, staleAfter, parent.nodeId())) {
            if (!leg.excluded().contains(s.node().nodeId()) && !s.node().nodeId().equals(self.nodeId())) {
                nearestFit(s.grid(), r.centroid(), r.need()).ifPresent(d -> best.considerStrictly(d, new Forward(s.node(), false,
                        "sibling " + s.node().nodeId() + "'s subtree has capacity " + Decimals.fixed(d, 0) + " km from the cluster")));
            }
        }
        Optional<GridPoint> pp = hood.parentPoint(now, staleAfter, parent.nodeId());
        if (pp.isPresent() && pp.get().free().covers(r.need()) && !parent.nodeId().equals(r.origin().nodeId())) {
            double d = pp.get().position().distanceKm(r.centroid());
            best.considerStrictly(d, new Forward(parent, true, "parent " + parent.nodeId() + " is " + Decimals.fixed(d, 0)
                    + " km from the cluster"));
        }
    }

    /** The nearest candidate so far within the reach. */
    private static final class Nearest {
        private double km;
        private Route route;

        Nearest(double reachKm) {
            this.km = reachKm;
        }

        void consider(double d, Route r) {
            if (d <= km) {
                km = d;
                route = r;
            }
        }

        void considerStrictly(double d, Route r) {
            if (d < km) {
                km = d;
                route = r;
            }
        }
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
