package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.SearchRouter;
import dev.tendril.edge.selforg.domain.SearchVisits;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationOffer;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.text.Decimals;

import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The migration search as it passes this node (DESIGN.md flow 6), for every search of the
 * service whether this node started it or not: each arrival is classified by what this node
 * remembers of the search ({@link SearchVisits}), routed by the grids ({@link SearchRouter}),
 * and then offered here, forwarded, sent back to where it came from (so that it tries the
 * next branch), or ended. A search that ends at its own origin is handed to
 * {@code endedAtOrigin} (request id, reason); elsewhere the origin is told.
 */
final class SearchHops {
    private final ServiceScope scope;
    private final AgentContext ctx;
    private final String service;
    private final GridExchange exchange;
    private final BiConsumer<String, String> endedAtOrigin;
    private final SearchVisits visits = new SearchVisits();

    SearchHops(ServiceScope scope, GridExchange exchange, BiConsumer<String, String> endedAtOrigin) {
        this.scope = scope;
        this.ctx = scope.ctx();
        this.service = scope.service();
        this.exchange = exchange;
        this.endedAtOrigin = endedAtOrigin;
    }

    /** Forgets searches whose time has passed. */
    void forget(Instant now) {
        visits.forget(now);
    }

    /** The origin's first hop. */
    void start(MigrationSearch r, NodeInfo self, Instant now) {
        route(r, visits.start(r.requestId(), ctx.nodeId(), forgetAt(r)), self, now);
    }

    void onSearch(MigrationSearch s, Instant now) {
        SearchVisits.Arrival a = visits.arrive(s.requestId(), s.cameFrom(), s.upward(), forgetAt(s));
        if (a instanceof SearchVisits.Duplicate) {
            scope.ignore(); // a copy, or a loop: handled once
            return;
        }
        Optional<NodeInfo> self = ctx.tree().self(service);
        if (self.isEmpty()) {
            ctx.messenger().send(s.origin(), new MigrationNotFound(service, s.requestId(), ctx.nodeId(), "not registered", s.hops()));
        } else if (a instanceof SearchVisits.Done d) {
            if (s.hops() >= s.hopLimit()) {
                notFound(s, "hop limit " + s.hopLimit() + " reached");
            } else {
                back(s, d.visit(), d.from(), "searched here before, nothing within reach");
            }
        } else if (a instanceof SearchVisits.First f) {
            route(s, f.visit(), self.get(), now);
        } else if (a instanceof SearchVisits.Returned r) {
            route(s, r.visit(), self.get(), now);
        }
    }

    private Instant forgetAt(MigrationSearch s) {
        return Instant.ofEpochMilli(s.deadlineMillis()).plus(ctx.policy().searchTimeout());
    }

    private void route(MigrationSearch r, SearchVisits.Visit visit, NodeInfo self, Instant now) {
        SearchRouter.Route route = SearchRouter.route(r, new SearchRouter.Leg(visit.upward(), visit.excluded()), self,
                ctx.load().free(), exchange.neighbourhood(), ctx.tree().parent(service), now, ctx.policy().gridStaleAfter());
        if (route instanceof SearchRouter.Forward f && !f.upward() && SearchRouter.qualifies(r, self, ctx.load().free())
                && visit.prepareOrigin()) {
            // this node could serve the users but tries a nearer cell first: if that branch comes
            // back empty, its offer to the origin must not wait for a first contact's handshakes
            ctx.messenger().prepare(r.origin());
        }
        if (route instanceof SearchRouter.Offer o) {
            visit.settled(null);
            ctx.events().record(service, EventKind.SEARCH_OFFERED, r.requestId(), "offered this node to " + r.origin().nodeId()
                    + ": " + Decimals.fixed(o.distanceKm(), 0) + " km from the cluster (reach " + Decimals.fixed(r.reachKm(), 0)
                    + " km), hop " + r.hops());
            ctx.messenger().send(r.origin(), new MigrationOffer(service, r.requestId(), self, o.distanceKm(), r.hops()));
        } else if (route instanceof SearchRouter.Forward f) {
            if (f.upward()) {
                visit.settled(f.to().nodeId());
            } else {
                visit.sentDown(f.to().nodeId());
            }
            ctx.events().record(service, EventKind.SEARCH_FORWARDED, r.requestId(), "hop " + (r.hops() + 1) + " -> "
                    + f.to().nodeId() + " (" + (f.upward() ? "up" : "down") + "): " + f.why());
            ctx.messenger().send(f.to(), r.forwarded(ctx.nodeId(), f.upward()));
        } else if (route instanceof SearchRouter.Back b) {
            back(r, visit, visit.sender(), b.why());
        } else if (route instanceof SearchRouter.NotFound nf) {
            visit.settled(null);
            notFound(r, nf.reason());
        }
    }

    /** Sends the search back to {@code toId}, which goes on with its next branch. */
    private void back(MigrationSearch r, SearchVisits.Visit visit, String toId, String why) {
        visit.sentBack(toId);
        Optional<NodeInfo> to = neighbour(r, toId);
        if (to.isEmpty()) {
            notFound(r, why + "; " + toId + ", where it came from, is no neighbour any more");
            return;
        }
        ctx.events().record(service, EventKind.SEARCH_FORWARDED, r.requestId(), "hop " + (r.hops() + 1) + " -> " + toId
                + " (back): " + why);
        ctx.messenger().send(to.get(), r.forwarded(ctx.nodeId(), false));
    }

    private void notFound(MigrationSearch r, String reason) {
        if (r.origin().nodeId().equals(ctx.nodeId())) {
            endedAtOrigin.accept(r.requestId(), reason);
        } else {
            ctx.events().record(service, EventKind.SEARCH_NOT_FOUND, r.requestId(), "at hop " + r.hops() + ": " + reason);
            ctx.messenger().send(r.origin(), new MigrationNotFound(service, r.requestId(), ctx.nodeId(), reason, r.hops()));
        }
    }

    /** A search comes only from the origin, the parent, a child or a sibling. */
    private Optional<NodeInfo> neighbour(MigrationSearch r, String nodeId) {
        if (r.origin().nodeId().equals(nodeId)) {
            return Optional.of(r.origin());
        }
        Optional<NodeInfo> parent = ctx.tree().parent(service).filter(p -> p.nodeId().equals(nodeId));
        if (parent.isPresent()) {
            return parent;
        }
        Optional<NodeInfo> child = ctx.tree().children(service).stream().filter(c -> c.nodeId().equals(nodeId)).findFirst();
        return child.isPresent() ? child : exchange.neighbourhood().sibling(nodeId);
    }
}
