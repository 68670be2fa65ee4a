package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.domain.GridReadings;
import dev.tendril.edge.selforg.domain.Neighbourhood;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.NeighbourGrids;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Data exchange of one service (DESIGN.md flow 4): on a fixed cadence, the merged subtree
 * grid to the parent and {@code NeighbourGrids} to each child; what children and the parent
 * send is kept in the {@link Neighbourhood} (which the migration search routes by) and its
 * figures go into the infrastructure DB ({@link GridReadings}).
 */
final class GridExchange {
    private final ServiceScope scope;
    private final AgentContext ctx;
    private final String service;
    private final Neighbourhood hood = new Neighbourhood();
    /** Siblings whose connection was opened ahead of need (grids never flow to them directly). */
    private final Set<NodeInfo> preparedSiblings = new HashSet<>();
    private Instant nextExchange;

    GridExchange(ServiceScope scope, Instant now) {
        this.scope = scope;
        this.ctx = scope.ctx();
        this.service = scope.service();
        this.nextExchange = now;
    }

    Neighbourhood neighbourhood() {
        return hood;
    }

    /** Exchanges when due. */
    void tick(NodeInfo self, Instant now) {
        if (!now.isBefore(nextExchange)) {
            exchange(self, now);
            nextExchange = nextSlot(nextExchange, now, ctx.policy().exchangeInterval());
        }
    }

    void onSubtreeGrid(SubtreeGrid g, Instant now) {
        Optional<NodeInfo> child = ctx.tree().children(service).stream().filter(c -> c.nodeId().equals(g.nodeId())).findFirst();
        if (child.isPresent()) {
            hood.putChild(child.get(), g.grid(), now);
            GridReadings.learnGrid(ctx.infra(), g.grid(), now);
        } else {
            scope.ignore();
        }
    }

    void onNeighbourGrids(NeighbourGrids n, Instant now) {
        if (ctx.tree().parent(service).map(NodeInfo::nodeId).orElse("").equals(n.parentId())) {
            hood.putNeighbours(n.parentId(), n.parentPoint(), n.siblings(), now);
            GridReadings.learnPoint(ctx.infra(), n.parentId(), n.parentPoint(), now);
            n.siblings().forEach(sib -> GridReadings.learnGrid(ctx.infra(), sib.grid(), now));
            prepareSiblings(n.siblings());
        } else {
            scope.ignore();
        }
    }

    /**
     * A search's hop to a sibling is the one hop of an upward search that no grid exchange
     * keeps warm, and a first contact costs about three round trips of ZeroMQ handshakes
     * (docs/evaluation.md 1c, topology D traced). Open those connections now, once per sibling.
     */
    private void prepareSiblings(List<SiblingGrid> siblings) {
        if (preparedSiblings.size() > 64) {
            preparedSiblings.clear(); // a tree that reshuffled a lot: forget, prepare again (cheap, idempotent)
        }
        for (SiblingGrid sib : siblings) {
            if (preparedSiblings.add(sib.node())) {
                ctx.messenger().prepare(sib.node());
            }
        }
    }

    private void exchange(NodeInfo self, Instant now) {
        List<NodeInfo> children = ctx.tree().children(service);
        Set<String> ids = new HashSet<>();
        children.forEach(c -> ids.add(c.nodeId()));
        hood.retainChildren(ids);
        GridPoint own = new GridPoint(self.position(), ctx.load().free());
        GridReadings.learnPoint(ctx.infra(), ctx.nodeId(), own, now);
        List<Neighbourhood.ChildGrid> fresh = hood.freshChildren(now, ctx.policy().gridStaleAfter());
        CapacityGrid merged = CapacityGrid.merge(ctx.policy().gridSize(),
                fresh.stream().map(Neighbourhood.ChildGrid::grid).toList(), List.of(own));
        ctx.tree().parent(service).ifPresent(p -> ctx.messenger().send(p, new SubtreeGrid(service, ctx.nodeId(), merged)));
        for (NodeInfo c : children) {
            List<SiblingGrid> siblings = fresh.stream().filter(g -> !g.node().nodeId().equals(c.nodeId()))
                    .map(g -> new SiblingGrid(g.node(), g.grid())).toList();
            ctx.messenger().send(c, new NeighbourGrids(service, ctx.nodeId(), own, siblings));
        }
    }

    /**
     * The next exchange on a fixed cadence: the slot after {@code due}, skipping slots already
     * past. "now + interval" instead would let a tick that runs a little late push every
     * exchange a whole tick later (1.5 s instead of 1 s with 500 ms ticks).
     */
    static Instant nextSlot(Instant due, Instant now, Duration interval) {
        Instant next = due.plus(interval);
        if (!next.isAfter(now)) {
            long missed = Duration.between(next, now).toNanos() / interval.toNanos() + 1;
            next = next.plus(interval.multipliedBy(missed));
        }
        return next;
    }
}
