package dev.tendril.edge.selforg.application;

import dev.tendril.edge.domain.HardwareNeed;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.RootDirectory.Redirect;
import dev.tendril.edge.selforg.application.port.out.UserLatencies.UserSample;
import dev.tendril.edge.selforg.domain.CandidateChoice;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.GridReadings;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.edge.selforg.domain.LocatedUser;
import dev.tendril.edge.selforg.domain.Neighbourhood;
import dev.tendril.edge.selforg.domain.QoeClusters;
import dev.tendril.edge.selforg.domain.SearchRouter;
import dev.tendril.edge.selforg.domain.ShortageWatch;
import dev.tendril.edge.selforg.domain.UserCluster;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.grid.CapacityGrid;
import dev.tendril.protocol.grid.GridPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationOffer;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.NeighbourGrids;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The MAPE loop of one hosted service on one node (DESIGN.md flows 4-7, termination):
 * {@link #tick()} exchanges grids when due, ends searches and replications that ran out of
 * time, and assesses shortage, QoE and demand; {@link #onMessage} handles what the tree
 * sends. Plain Java on the injected clock; not thread-safe: one thread (the node's
 * self-organization thread) calls everything.
 */
public final class ServiceAgent {
    private static final Logger log = LoggerFactory.getLogger(ServiceAgent.class);

    private record PendingSearch(String id, String clusterId, Instant deadline, GeoPoint centroid, double originKm) {
    }

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String specYaml;
    private final String service;
    private final Neighbourhood hood = new Neighbourhood();
    private final QoeClusters clusters;
    private final ShortageWatch shortage = new ShortageWatch();
    private final Map<String, PendingSearch> searches = new LinkedHashMap<>();
    private final Map<String, Instant> seenSearches = new HashMap<>();
    private final Map<String, Instant> migratedAway = new HashMap<>();
    /** Users a migration moved here that were still bad here: not moved again until then (the hold-down). */
    private final Map<String, Instant> heldHere = new HashMap<>();
    private final Duration idleAfter;
    private Instant nextExchange;
    private Instant lastDemand;
    private Instant nextShortageAction = Instant.MIN;
    /** A replica was made for the current shortage: no more until the load has been normal once. */
    private boolean shortageAnswered;
    private Replication replication;
    private NodeInfo offloadTarget;
    private String offloadId;
    private boolean degradedLogged;
    private boolean terminated;
    private long seq;
    private long ignored;

    public ServiceAgent(AgentContext ctx, DeploymentSpec spec, String specYaml) {
        this.ctx = ctx;
        this.spec = spec;
        this.specYaml = specYaml;
        this.service = spec.service();
        this.clusters = new QoeClusters(ctx.policy().clusterRadiusKm());
        Instant now = ctx.clock().instant();
        this.nextExchange = now;
        this.lastDemand = now;
        long jitter = (long) (spec.policies().idleTimeout().toMillis() * ctx.policy().idleJitter());
        this.idleAfter = spec.policies().idleTimeout().plusMillis(jitter > 0 ? ctx.random().nextLong(jitter + 1) : 0);
    }

    public String service() {
        return service;
    }

    public String specYaml() {
        return specYaml;
    }

    public boolean terminated() {
        return terminated;
    }

    /** Messages that named a child, parent or request this agent does not know. */
    public long ignoredMessages() {
        return ignored;
    }

    /** One round of the loop. */
    public void tick() {
        if (terminated) {
            return;
        }
        Optional<NodeInfo> self = ctx.tree().self(service);
        if (self.isEmpty()) {
            return; // not registered yet
        }
        Instant now = ctx.clock().instant();
        seenSearches.values().removeIf(t -> t.isBefore(now));
        migratedAway.values().removeIf(t -> t.isBefore(now));
        heldHere.values().removeIf(t -> !t.isAfter(now));
        if (!now.isBefore(nextExchange)) {
            exchange(self.get(), now);
            nextExchange = nextSlot(nextExchange, now, ctx.policy().exchangeInterval());
        }
        timeouts(self.get(), now);
        assess(self.get(), now);
    }

    public void onMessage(String from, SelfOrgMessage m) {
        if (terminated) {
            return;
        }
        Instant now = ctx.clock().instant();
        if (m instanceof SubtreeGrid g) {
            Optional<NodeInfo> child = ctx.tree().children(service).stream().filter(c -> c.nodeId().equals(g.nodeId())).findFirst();
            if (child.isPresent()) {
                hood.putChild(child.get(), g.grid(), now);
                GridReadings.learnGrid(ctx.infra(), g.grid(), now);
            } else {
                ignored++;
            }
        } else if (m instanceof NeighbourGrids n) {
            if (ctx.tree().parent(service).map(NodeInfo::nodeId).orElse("").equals(n.parentId())) {
                hood.putNeighbours(n.parentId(), n.parentPoint(), n.siblings(), now);
                GridReadings.learnPoint(ctx.infra(), n.parentId(), n.parentPoint(), now);
                n.siblings().forEach(sib -> GridReadings.learnGrid(ctx.infra(), sib.grid(), now));
            } else {
                ignored++;
            }
        } else if (m instanceof MigrationSearch s) {
            onSearch(s, now);
        } else if (m instanceof MigrationOffer o) {
            onOffer(o, now);
        } else if (m instanceof MigrationNotFound nf) {
            PendingSearch p = searches.remove(nf.requestId());
            if (p != null) {
                concludeNotFound(p, "search ended at " + nf.atNodeId() + " after " + nf.hops() + " hops: " + nf.reason(), now);
            }
        } else if (m instanceof ReplicateReply r) {
            if (replication != null) {
                step(replication.onReply(from, r), now);
            }
        } else if (m instanceof ReplicaReady r) {
            if (replication != null) {
                step(replication.onReady(from, r), now);
            }
        } else {
            ignored++;
        }
    }

    // ---- data exchange (flow 4) ----

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

    // ---- assessment (flow 5) ----

    private void assess(NodeInfo self, Instant now) {
        Thresholds t = spec.policies().thresholds().orElse(ctx.nodeThresholds());
        LoadSample load = ctx.load().load();
        Optional<List<UserSample>> measured = ctx.latencies().users(service);
        if (measured.isEmpty() && !degradedLogged) {
            degradedLogged = true;
            log.warn("{} {}: latency is not measured: no QoE migrations and no idle termination", ctx.nodeId(), service);
        }
        List<LocatedUser> users = measured.map(this::locate).orElse(List.of());
        if (measured.isPresent() && !measured.get().isEmpty()) {
            lastDemand = now;
        }
        if (offloadTarget != null) {
            offload(load, t, users);
        }
        Optional<String> shortWhy = shortage.update(now, load, t, ctx.loadWindow());
        if (shortageAnswered && !ShortageWatch.above(load, t)) {
            shortageAnswered = false;
            ctx.events().record(service, EventKind.LOAD_NORMAL, "", "load at or below the thresholds again: "
                    + ShortageWatch.describe(load) + "; a new shortage may replicate again");
        }
        if (shortWhy.isPresent() && !shortageAnswered && replication == null && offloadTarget == null
                && !now.isBefore(nextShortageAction)) {
            decideReplication(Replication.Reason.SHORTAGE, self, self.position(), null, "shortage: " + shortWhy.get(), now);
        }
        if (measured.isPresent() && spec.maxLatencyMs() > 0) {
            List<LocatedUser> bad = users.stream()
                    .filter(u -> u.medianMs() > spec.maxLatencyMs() && !migratedAway.containsKey(u.address())
                            && !heldHere.containsKey(u.address())).toList();
            clusters.observe(bad);
            for (UserCluster c : clusters.ready(ctx.policy().clusterScoreThreshold(), now)) {
                if (holdArrivals(c, self, now)) {
                    decideMigration(c, self, now);
                }
            }
        }
        if (measured.isPresent() && measured.get().isEmpty()) {
            idle(now);
        }
    }

    private List<LocatedUser> locate(List<UserSample> samples) {
        List<LocatedUser> out = new ArrayList<>();
        for (UserSample s : samples) {
            parse(s.address()).flatMap(a -> ctx.locator().locate(a))
                    .ifPresent(loc -> out.add(new LocatedUser(s.address(), loc.point(), s.medianMs())));
        }
        return out;
    }

    private static Optional<InetAddress> parse(String literal) {
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return Optional.empty(); // never a DNS lookup
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            return Optional.empty();
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
            if (self.position().distanceKm(u.position()) > reachKm()) {
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
        arrived.forEach((address, since) -> heldHere.put(address, since.plus(holdDown)));
        clusters.forget(arrived.keySet());
        return c.size() > 0;
    }

    /** Whether a redirect's client (an address or a CIDR) covers the user's address. */
    private static boolean covers(String client, String address) {
        if (client.equals(address)) {
            return true;
        }
        Optional<InetAddress> a = parse(address);
        if (a.isEmpty()) {
            return false;
        }
        try {
            return Cidr.parse(client).contains(a.get());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---- migration search (flow 6) ----

    private void decideMigration(UserCluster c, NodeInfo self, Instant now) {
        c.busy(true);
        String id = ctx.newId("mig", ++seq);
        GeoPoint centroid = c.centroid();
        double originKm = self.position().distanceKm(centroid);
        Instant deadline = now.plus(ctx.policy().searchTimeout());
        searches.put(id, new PendingSearch(id, c.id(), deadline, centroid, originKm));
        ctx.events().record(service, EventKind.MIGRATION_DECIDED, id, String.format(Locale.ROOT,
                "bad QoE (max %d ms): cluster %s; %.0f km from this node; score %.1f >= %.1f; search: reach %.0f km, hop limit %d, deadline %d ms",
                spec.maxLatencyMs(), c.describe(), originKm, c.score(), ctx.policy().clusterScoreThreshold(), reachKm(),
                ctx.policy().hopLimit(), ctx.policy().searchTimeout().toMillis()));
        MigrationSearch r = new MigrationSearch(service, id, self, centroid, c.size(), need(), reachKm(), 0,
                ctx.policy().hopLimit(), deadline.toEpochMilli(), ctx.nodeId(), true);
        seenSearches.put(id, deadline.plus(ctx.policy().searchTimeout()));
        route(r, self, now);
    }

    private void onSearch(MigrationSearch s, Instant now) {
        if (seenSearches.containsKey(s.requestId())) {
            ignored++; // a duplicate or a loop: handled once
            return;
        }
        seenSearches.put(s.requestId(), Instant.ofEpochMilli(s.deadlineMillis()).plus(ctx.policy().searchTimeout()));
        Optional<NodeInfo> self = ctx.tree().self(service);
        if (self.isEmpty()) {
            ctx.messenger().send(s.origin(), new MigrationNotFound(service, s.requestId(), ctx.nodeId(), "not registered", s.hops()));
            return;
        }
        route(s, self.get(), now);
    }

    private void route(MigrationSearch r, NodeInfo self, Instant now) {
        SearchRouter.Route route = SearchRouter.route(r, self, ctx.load().free(), hood, ctx.tree().parent(service), now,
                ctx.policy().gridStaleAfter());
        if (route instanceof SearchRouter.Offer o) {
            ctx.events().record(service, EventKind.SEARCH_OFFERED, r.requestId(), String.format(Locale.ROOT,
                    "offered this node to %s: %.0f km from the cluster (reach %.0f km), hop %d", r.origin().nodeId(),
                    o.distanceKm(), r.reachKm(), r.hops()));
            ctx.messenger().send(r.origin(), new MigrationOffer(service, r.requestId(), self, o.distanceKm(), r.hops()));
        } else if (route instanceof SearchRouter.Forward f) {
            ctx.events().record(service, EventKind.SEARCH_FORWARDED, r.requestId(), String.format(Locale.ROOT,
                    "hop %d -> %s (%s): %s", r.hops() + 1, f.to().nodeId(), f.upward() ? "up" : "down", f.why()));
            ctx.messenger().send(f.to(), r.forwarded(ctx.nodeId(), f.upward()));
        } else if (route instanceof SearchRouter.NotFound nf) {
            if (r.origin().nodeId().equals(ctx.nodeId())) {
                PendingSearch p = searches.remove(r.requestId());
                if (p != null) {
                    concludeNotFound(p, nf.reason(), now);
                }
            } else {
                ctx.events().record(service, EventKind.SEARCH_NOT_FOUND, r.requestId(), "at hop " + r.hops() + ": " + nf.reason());
                ctx.messenger().send(r.origin(), new MigrationNotFound(service, r.requestId(), ctx.nodeId(), nf.reason(), r.hops()));
            }
        }
    }

    private void onOffer(MigrationOffer o, Instant now) {
        PendingSearch p = searches.remove(o.requestId());
        if (p == null) {
            ignored++; // late or duplicate offer: the search is over
            return;
        }
        Optional<UserCluster> c = clusters.get(p.clusterId());
        if (c.isEmpty() || c.get().size() == 0) {
            clusters.remove(p.clusterId());
            log.info("{} {}: offer of {} for {} came after the cluster dissolved", ctx.nodeId(), service, o.target().nodeId(), p.id());
            return;
        }
        String what = String.format(Locale.ROOT, "cluster %s -> %s: %.0f km from the cluster instead of %.0f km, found in %d hops",
                c.get().describe(), o.target().nodeId(), o.distanceKm(), p.originKm(), o.hops());
        if (redirect(c.get().clients(), o.target(), p.id(), EventKind.MIGRATION_RECORDED, what, now)) {
            clusters.remove(p.clusterId());
        } else {
            backOff(c.get(), now);
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
            backOff(c.get(), now);
            return;
        }
        decideReplication(Replication.Reason.QOE, self.get(), p.centroid(), p.clusterId(),
                "bad QoE, no instance nearer (search " + p.id() + "): cluster " + c.get().describe(), now);
    }

    private void timeouts(NodeInfo self, Instant now) {
        Duration grace = ctx.policy().searchTimeout().dividedBy(2);
        for (PendingSearch p : List.copyOf(searches.values())) {
            if (now.isAfter(p.deadline().plus(grace))) {
                searches.remove(p.id());
                concludeNotFound(p, "no offer and no answer by the deadline (+" + grace.toMillis() + " ms)", now);
            }
        }
        if (replication != null) {
            step(replication.onTick(now), now);
        }
    }

    private boolean redirect(List<String> clients, NodeInfo target, String id, EventKind kind, String what, Instant now) {
        Duration lifetime = ctx.policy().migrationLifetime();
        if (!ctx.root().recordMigration(service, clients, target.nodeId(), lifetime)) {
            ctx.events().record(service, EventKind.MIGRATION_FAILED, id, "the root did not record: " + what);
            return false;
        }
        ctx.events().record(service, kind, id, what + "; lifetime " + lifetime.toSeconds() + " s");
        for (String client : clients) {
            migratedAway.put(client, now.plus(lifetime));
        }
        return true;
    }

    // ---- replication (flow 7) ----

    /** How far from a cluster an instance may be and still be expected to meet the spec's latency. */
    private double reachKm() {
        return spec.maxLatencyMs() * ctx.policy().kmPerRttMs();
    }

    private Capacity need() {
        var r = spec.requirements();
        return Capacity.of(r.minCpus(), r.minRamBytes(), r.minGpus(), r.minDiskBytes());
    }

    private void decideReplication(Replication.Reason reason, NodeInfo self, GeoPoint position, String clusterId, String why,
                                   Instant now) {
        if (replication != null) {
            log.info("{} {}: {} -- but replication {} is still running", ctx.nodeId(), service, why, replication.id());
            release(reason, clusterId, now);
            return;
        }
        String id = ctx.newId("rep", ++seq);
        // decided now; which platforms already host the service (not candidates) takes a round trip to the root
        Instant decidedAt = ctx.clock().instant();
        Optional<Set<String>> hosted = ctx.root().hostedSet(service);
        long queryMillis = Duration.between(decidedAt, ctx.clock().instant()).toMillis();
        if (hosted.isEmpty()) {
            ctx.events().record(service, EventKind.REPLICATION_FAILED, id, why + "; the root did not answer the hosted-set query");
            release(reason, clusterId, now);
            return;
        }
        Set<String> exclude = new HashSet<>(hosted.get());
        exclude.add(ctx.nodeId());
        double reach = reachKm();
        Predicate<Platform> near = reason == Replication.Reason.QOE ? p -> p.position().distanceKm(position) <= reach : p -> true;
        CandidateChoice choice = CandidateChoice.rank(ctx.infra(), HardwareNeed.of(spec), position, exclude, near,
                String.format(Locale.ROOT, "further than the reach of %.0f km from the cluster", reach), now);
        String skipped = choice.skipped().isEmpty() ? "" : "; skipped " + choice.skipped();
        if (choice.candidates().isEmpty()) {
            ctx.events().record(service, EventKind.REPLICATION_FAILED, id, why + "; no candidate among "
                    + ctx.infra().size() + " platforms (" + hosted.get().size() + " host it)" + skipped);
            release(reason, clusterId, now);
            return;
        }
        List<String> ranked = choice.candidates().stream()
                .map(p -> String.format(Locale.ROOT, "%s %.0f km", p.id(), p.position().distanceKm(position))).toList();
        ctx.events().recordAt(decidedAt, service, EventKind.REPLICATION_DECIDED, id, why + "; replica near " + position
                + "; candidates " + ranked + skipped + "; ranked after the root's hosted-set answer (" + queryMillis + " ms)", -1);
        replication = new Replication(ctx, service, specYaml, self, id, reason, position, clusterId, choice.candidates());
        replication.begin();
    }

    /** An action for a cluster or a shortage did not happen: let it earn its turn again. */
    private void release(Replication.Reason reason, String clusterId, Instant now) {
        if (clusterId != null) {
            clusters.get(clusterId).ifPresent(c -> backOff(c, now));
        }
        if (reason == Replication.Reason.SHORTAGE) {
            nextShortageAction = now.plus(ctx.loadWindow());
        }
    }

    private void backOff(UserCluster c, Instant now) {
        c.backOff(now, ctx.policy().searchTimeout(), MAX_BACKOFF);
    }

    private void step(Replication.Step s, Instant now) {
        if (s instanceof Replication.Ready r) {
            Replication run = replication;
            replication = null;
            if (!r.existing()) {
                ctx.events().record(service, EventKind.REPLICA_REGISTERED, run.id(), "replica " + r.instance().nodeId()
                        + " registered and attached; container start " + r.containerStartMillis() + " ms (reported apart)",
                        r.containerStartMillis());
            }
            if (run.reason() == Replication.Reason.QOE) {
                Optional<UserCluster> c = clusters.get(run.clusterId());
                if (c.isPresent() && c.get().size() > 0) {
                    String what = String.format(Locale.ROOT, "cluster %s -> new replica %s, %.0f km from the cluster",
                            c.get().describe(), r.instance().nodeId(), r.instance().position().distanceKm(run.position()));
                    if (redirect(c.get().clients(), r.instance(), run.id(), EventKind.MIGRATION_RECORDED, what, now)) {
                        clusters.remove(c.get().id());
                    } else {
                        backOff(c.get(), now);
                    }
                } else {
                    clusters.remove(run.clusterId());
                }
            } else {
                offloadTarget = r.instance();
                offloadId = run.id();
                shortageAnswered = true;
            }
        } else if (s instanceof Replication.Exhausted e) {
            Replication run = replication;
            replication = null;
            ctx.events().record(service, EventKind.REPLICATION_FAILED, run.id(), e.why());
            release(run.reason(), run.clusterId(), now);
        }
    }

    /** Shortage: redirect one group of users per round to the replica until the load is normal. */
    private void offload(LoadSample load, Thresholds t, List<LocatedUser> users) {
        Instant now = ctx.clock().instant();
        if (!ShortageWatch.above(load, t)) {
            ctx.events().record(service, EventKind.OFFLOAD_DONE, offloadId, "load normal: " + ShortageWatch.describe(load));
            offloadTarget = null;
            return;
        }
        for (UserCluster c : clusters.all()) {
            if (!c.busy() && c.size() > 0) {
                if (redirect(c.clients(), offloadTarget, offloadId, EventKind.OFFLOADED, "bad-QoE cluster " + c.describe()
                        + " -> " + offloadTarget.nodeId() + "; load " + ShortageWatch.describe(load), now)) {
                    clusters.remove(c.id());
                }
                return;
            }
        }
        List<LocatedUser> remaining = users.stream().filter(u -> !migratedAway.containsKey(u.address())).toList();
        if (remaining.isEmpty()) {
            ctx.events().record(service, EventKind.OFFLOAD_DONE, offloadId, "no users left to offload; load "
                    + ShortageWatch.describe(load));
            offloadTarget = null;
            return;
        }
        GeoPoint target = offloadTarget.position();
        List<LocatedUser> group = QoeClusters.group(remaining, ctx.policy().clusterRadiusKm()).stream()
                .min(Comparator.comparingDouble((List<LocatedUser> g) -> g.get(0).position().distanceKm(target)))
                .orElseThrow();
        redirect(group.stream().map(LocatedUser::address).toList(), offloadTarget, offloadId, EventKind.OFFLOADED,
                String.format(Locale.ROOT, "%d users around %s -> %s; load %s", group.size(), group.get(0).position(),
                        offloadTarget.nodeId(), ShortageWatch.describe(load)), now);
    }

    // ---- termination ----

    private void idle(Instant now) {
        if (replication != null || !searches.isEmpty() || offloadTarget != null) {
            return;
        }
        Duration quiet = Duration.between(lastDemand, now);
        if (quiet.compareTo(idleAfter) < 0) {
            return;
        }
        int min = spec.policies().minInstances();
        ReplicaHost.Termination t = ctx.host().terminate(service, min);
        if (t instanceof ReplicaHost.Granted g) {
            ctx.events().record(service, EventKind.TERMINATION_DECIDED, "", String.format(Locale.ROOT,
                    "no demand for %.1f s (idle timeout %d s + jitter): the root granted the sign-off, %d live instance(s) remain >= min %d",
                    quiet.toMillis() / 1000.0, spec.policies().idleTimeout().toSeconds(), g.liveInstances(), min));
            terminated = true;
            ctx.events().record(service, EventKind.TERMINATED, "", "signed off and stopping; children re-attach");
        } else if (t instanceof ReplicaHost.Refused r) {
            ctx.events().record(service, EventKind.TERMINATION_SKIPPED, "", String.format(Locale.ROOT,
                    "no demand for %.1f s, but the root refused the sign-off: %d live instance(s), leaving would go below min %d: stays",
                    quiet.toMillis() / 1000.0, r.liveInstances(), min));
            lastDemand = now;
        } else if (t instanceof ReplicaHost.Unanswered u) {
            log.info("{} {}: idle for {} s but no sign-off decision ({}); asking again after the idle timeout",
                    ctx.nodeId(), service, quiet.toSeconds(), u.why());
            lastDemand = now;
        }
    }
}
