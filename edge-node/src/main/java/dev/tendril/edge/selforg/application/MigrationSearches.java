package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.application.port.out.RootDirectory.Redirect;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.LocatedUser;
import dev.tendril.edge.selforg.domain.QoeClusters;
import dev.tendril.edge.selforg.domain.UserCluster;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationOffer;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.text.Decimals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bad QoE and the migration search of one service (DESIGN.md flows 5-6): bad users join
 * clusters; a ready cluster (past the hold-down check) starts a search; each hop routes a
 * search ({@link SearchHops}); the origin redirects the cluster on an offer, and replicates
 * near it ({@link ServiceReplicas}) when the search ends without one or runs out of time.
 */
final class MigrationSearches {
    private static final Logger log = LoggerFactory.getLogger(MigrationSearches.class);

    private record PendingSearch(String id, String clusterId, Instant deadline, GeoPoint centroid, double originKm) {
    }

    private final ServiceScope scope;
    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String service;
    private final QoeClusters clusters;
    private final ServiceReplicas replicas;
    private final Map<String, PendingSearch> searches = new LinkedHashMap<>();
    private final SearchHops hops;

    MigrationSearches(ServiceScope scope, GridExchange exchange, ServiceReplicas replicas) {
        this.scope = scope;
        this.ctx = scope.ctx();
        this.spec = scope.spec();
        this.service = scope.service();
        this.clusters = scope.clusters();
        this.replicas = replicas;
        this.hops = new SearchHops(scope, exchange, this::endedHere);
    }

    /** Whether a search of this node is still open. */
    boolean pending() {
        return !searches.isEmpty();
    }

    /** Forgets search ids whose time has passed. */
    void forgetSeen(Instant now) {
        hops.forget(now);
    }

    /** Clusters the users above the spec's latency; ready clusters not held here search. */
    void assess(NodeInfo self, List<LocatedUser> users, Instant now) {
        List<LocatedUser> bad = users.stream()
                .filter(u -> u.medianMs() > spec.maxLatencyMs() && !scope.migratedAway().containsKey(u.address())
                        && !scope.heldHere().containsKey(u.address())).toList();
        clusters.observe(bad);
        for (UserCluster c : clusters.ready(ctx.policy().clusterScoreThreshold(), now)) {
            if (holdArrivals(c, self, now)) {
                decide(c, self, now);
            }
        }
    }

    /**
     * Before a cluster searches: members that a migration moved to this instance within the
     * hold-down (by the root's records), that are bad here too although this instance lies
     * within the search's reach of them, were not helped by moving: the delay is on their own
     * side. They leave the cluster and stay here until the hold-down ends, so a slow user does
     * not bounce between instances. (A user moved to an instance beyond its reach may search.) One root query per decision;
     * without an answer the search goes ahead. Returns whether members are left to search for.
     */
    private boolean holdArrivals(UserCluster c, NodeInfo self, Instant now) {
        Duration holdDown = ctx.policy().migrationHoldDown();
        if (holdDown.isZero()) {
            return true;
        }
        Optional<List<Redirect>> redirects = ctx.root().redirects(service);
        if (redirects.isEmpty()) {
            log.info("{} {}: the root did not list its redirects; cluster {} searches without the hold-down check",
                    ctx.nodeId(), service, c.id());
            return true;
        }
        Map<String, Instant> arrived = new LinkedHashMap<>();
        for (LocatedUser u : c.members()) {
            if (self.position().distanceKm(u.position()) > scope.reachKm()) {
                continue;
            }
            for (Redirect r : redirects.get()) {
                if (r.targetNodeId().equals(self.nodeId()) && covers(r.client(), u.address())
                        && r.createdAt().plus(holdDown).isAfter(now)) {
                    arrived.merge(u.address(), r.createdAt(), (a, b) -> a.isAfter(b) ? a : b);
                }
            }
        }
        if (arrived.isEmpty()) {
            return true;
        }
        long agoS = arrived.values().stream().mapToLong(t -> Duration.between(t, now).toSeconds()).max().orElse(0);
        ctx.events().record(service, EventKind.MIGRATION_HELD, "", String.format(Locale.ROOT,
                "cluster %s: %s moved here by a migration within the last %d s, within reach and above %d ms here too: moving did not help"
                        + " (the delay is on the users' side); not moved again within the hold-down %d s",
                c.describe(), arrived.keySet(), agoS, spec.maxLatencyMs(), holdDown.toSeconds()));
        arrived.forEach((address, since) -> scope.heldHere().put(address, since.plus(holdDown)));
        clusters.forget(arrived.keySet());
        return c.size() > 0;
    }

    /** Whether a redirect's client (an address or a CIDR) covers the user's address. */
    private static boolean covers(String client, String address) {
        if (client.equals(address)) {
            return true;
        }
        Optional<InetAddress> a = ServiceScope.addressOf(address);
        if (a.isEmpty()) {
            return false;
        }
        try {
            return Cidr.parse(client).contains(a.get());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void decide(UserCluster c, NodeInfo self, Instant now) {
        c.busy(true);
        String id = scope.newId("mig");
        GeoPoint centroid = c.centroid();
        double originKm = self.position().distanceKm(centroid);
        Instant deadline = now.plus(ctx.policy().searchTimeout());
        searches.put(id, new PendingSearch(id, c.id(), deadline, centroid, originKm));
        ctx.events().record(service, EventKind.MIGRATION_DECIDED, id, "bad QoE (max " + spec.maxLatencyMs() + " ms): cluster "
                + c.describe() + "; " + Decimals.fixed(originKm, 0) + " km from this node; score " + Decimals.fixed(c.score(), 1)
                + " >= " + Decimals.fixed(ctx.policy().clusterScoreThreshold(), 1) + "; search: reach "
                + Decimals.fixed(scope.reachKm(), 0) + " km, hop limit " + ctx.policy().hopLimit() + ", deadline "
                + ctx.policy().searchTimeout().toMillis() + " ms");
        MigrationSearch r = new MigrationSearch(service, id, self, centroid, c.size(), scope.need(), scope.reachKm(), 0,
                ctx.policy().hopLimit(), deadline.toEpochMilli(), ctx.nodeId(), true);
        hops.start(r, self, now);
    }

    /** A search (this node's or another's) arrives at this hop. */
    void onSearch(MigrationSearch s, Instant now) {
        hops.onSearch(s, now);
    }

    /** This node's own search ended here without a target (nothing in reach, hop limit, deadline). */
    private void endedHere(String requestId, String reason) {
        PendingSearch p = searches.remove(requestId);
        if (p != null) {
            concludeNotFound(p, reason, ctx.clock().instant());
        }
    }

    void onOffer(MigrationOffer o, Instant now) {
        PendingSearch p = searches.remove(o.requestId());
        if (p == null) {
            scope.ignore(); // late or duplicate offer: the search is over
            return;
        }
        Optional<UserCluster> c = clusters.get(p.clusterId());
        if (c.isEmpty() || c.get().size() == 0) {
            clusters.remove(p.clusterId());
            log.info("{} {}: offer of {} for {} came after the cluster dissolved", ctx.nodeId(), service, o.target().nodeId(), p.id());
            return;
        }
        String what = "cluster " + c.get().describe() + " -> " + o.target().nodeId() + ": " + Decimals.fixed(o.distanceKm(), 0)
                + " km from the cluster instead of " + Decimals.fixed(p.originKm(), 0) + " km, found in " + o.hops() + " hops";
        if (scope.redirect(c.get().clients(), o.target(), p.id(), EventKind.MIGRATION_RECORDED, what, now)) {
            clusters.remove(p.clusterId());
        } else {
            scope.backOff(c.get(), now);
        }
    }

    void onNotFound(MigrationNotFound nf, Instant now) {
        PendingSearch p = searches.remove(nf.requestId());
        if (p != null) {
            concludeNotFound(p, "search ended at " + nf.atNodeId() + " after " + nf.hops() + " hops: " + nf.reason(), now);
        }
    }

    private void concludeNotFound(PendingSearch p, String reason, Instant now) {
        ctx.events().record(service, EventKind.SEARCH_NOT_FOUND, p.id(), reason + "; replicating near the cluster");
        Optional<UserCluster> c = clusters.get(p.clusterId());
        if (c.isEmpty() || c.get().size() == 0) {
            clusters.remove(p.clusterId());
            return;
        }
        Optional<NodeInfo> self = ctx.tree().self(service);
        if (self.isEmpty()) {
            scope.backOff(c.get(), now);
            return;
        }
        replicas.decide(Replication.Reason.QOE, self.get(), p.centroid(), p.clusterId(),
                "bad QoE, no instance nearer (search " + p.id() + "): cluster " + c.get().describe(), now);
    }

    /** Searches past their deadline (plus half the search timeout) end as not found. */
    void timeouts(Instant now) {
        Duration grace = ctx.policy().searchTimeout().dividedBy(2);
        for (PendingSearch p : List.copyOf(searches.values())) {
            if (now.isAfter(p.deadline().plus(grace))) {
                searches.remove(p.id());
                concludeNotFound(p, "no offer and no answer by the deadline (+" + grace.toMillis() + " ms)", now);
            }
        }
    }
}
