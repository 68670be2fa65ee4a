package dev.tendril.edge.selforg.application;

import dev.tendril.edge.domain.HardwareNeed;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.edge.selforg.domain.CandidateChoice;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.LoadSample;
import dev.tendril.edge.selforg.domain.LocatedUser;
import dev.tendril.edge.selforg.domain.QoeClusters;
import dev.tendril.edge.selforg.domain.ShortageWatch;
import dev.tendril.edge.selforg.domain.UserCluster;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateSoon;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Thresholds;
import dev.tendril.protocol.text.Decimals;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Shortage and replication of one service (DESIGN.md flows 5 and 7): a shortage held for the
 * load window replicates near this node; a QoE search that found nothing replicates near the
 * cluster ({@link MigrationSearches}). One {@link Replication} runs at a time; when it is
 * ready, a QoE cluster is redirected to the replica, or (shortage) users are offloaded to it
 * one group per round until the load is normal.
 */
final class ServiceReplicas {
    private static final Logger log = LoggerFactory.getLogger(ServiceReplicas.class);
    /** How many likely candidates get their connection opened while the hosted set is asked for. */
    static final int PREPARED_CANDIDATES = 3;

    private final ServiceScope scope;
    private final AgentContext ctx;
    private final DeploymentSpec spec;
    private final String service;
    private final QoeClusters clusters;
    private final ShortageWatch shortage = new ShortageWatch();
    private Instant nextShortageAction = Instant.MIN;
    /** A replica was made for the current shortage: no more until the load has been normal once. */
    private boolean shortageAnswered;
    /** The likely candidates were prepared in the current above-threshold episode. */
    private boolean shortagePrepared;
    private Replication replication;
    private NodeInfo offloadTarget;
    private String offloadId;

    ServiceReplicas(ServiceScope scope) {
        this.scope = scope;
        this.ctx = scope.ctx();
        this.spec = scope.spec();
        this.service = scope.service();
        this.clusters = scope.clusters();
    }

    /** Whether a replication or an offload is under way. */
    boolean busy() {
        return replication != null || offloadTarget != null;
    }

    /** One round: offload while a replica takes load, then judge the load for a shortage. */
    void assess(NodeInfo self, LoadSample load, Thresholds t, List<LocatedUser> users, Instant now) {
        if (offloadTarget != null) {
            offload(load, t, users);
        }
        Optional<String> shortWhy = shortage.update(now, load, t, ctx.loadWindow());
        boolean above = ShortageWatch.above(load, t);
        if (above && !shortagePrepared && !shortageAnswered && replication == null) {
            // a shortage may follow once the load window has passed: open the likely candidates'
            // connections now, so that their handshakes are done when the Replicate goes out
            prepareLikelyCandidates(self.position(), p -> true, "", now);
            shortagePrepared = true;
        } else if (!above) {
            shortagePrepared = false;
        }
        if (shortageAnswered && !above) {
            shortageAnswered = false;
            ctx.events().record(service, EventKind.LOAD_NORMAL, "", "load at or below the thresholds again: "
                    + ShortageWatch.describe(load) + "; a new shortage may replicate again");
        }
        if (shortWhy.isPresent() && !shortageAnswered && replication == null && offloadTarget == null
                && !now.isBefore(nextShortageAction)) {
            decide(Replication.Reason.SHORTAGE, self, self.position(), null, "shortage: " + shortWhy.get(), now);
        }
    }

    /** Every platform may take a shortage's replica (a lambda linked once, when this class is initialised). */
    private static final Predicate<Platform> ANY_PLATFORM = p -> true;

    /**
     * A platform within the reach of a QoE cluster. A named class, like {@link RegistrationSeen}: in
     * the edge's C1-only JVM each lambda's call site is linked the first time it runs (0.3-1 ms on
     * the loaded testbed, docs/gotchas.md), and a node decides its first replication once; its
     * decision to the {@code Replicate}'s send took 2.5-2.7 ms then against 0.7 ms at its next (D).
     */
    private static final class WithinReach implements Predicate<Platform> {
        private final GeoPoint cluster;
        private final double reachKm;

        WithinReach(GeoPoint cluster, double reachKm) {
            this.cluster = cluster;
            this.reachKm = reachKm;
        }

        @Override
        public boolean test(Platform p) {
            return p.position().distanceKm(cluster) <= reachKm;
        }
    }

    /** Hands the root's answers to a run's registration watches to {@link #onRegistered} (see {@link WithinReach}). */
    private final class RegistrationSeen implements BiConsumer<String, Optional<NodeInfo>> {
        private final String runId;

        RegistrationSeen(String runId) {
            this.runId = runId;
        }

        @Override
        public void accept(String candidate, Optional<NodeInfo> node) {
            onRegistered(runId, candidate, node);
        }
    }

    /**
     * Decides a replication and asks its first candidate. Plain code without lambdas or method
     * references on the way to the {@code Replicate} (see {@link WithinReach}).
     */
    void decide(Replication.Reason reason, NodeInfo self, GeoPoint position, String clusterId, String why, Instant now) {
        if (replication != null) {
            log.info("{} {}: {} -- but replication {} is still running", ctx.nodeId(), service, why, replication.id());
            release(reason, clusterId, now);
            return;
        }
        String id = scope.newId("rep");
        // decided now; which platforms already host the service (not candidates) the overlay's members
        // round knows, else it takes a round trip to the root
        Instant decidedAt = ctx.clock().instant();
        HopTrace.mark("decide.start", id, reason);
        double reach = scope.reachKm();
        Predicate<Platform> near = reason == Replication.Reason.QOE ? new WithinReach(position, reach) : ANY_PLATFORM;
        String farther = "further than the reach of " + Decimals.fixed(reach, 0) + " km from the cluster";
        Optional<TreePosition.Members> known = ctx.tree().recentMembers(service);
        Optional<Set<String>> hosted;
        String hostedFrom;
        if (known.isPresent()) {
            hosted = Optional.of(known.get().nodeIds());
            hostedFrom = "ranked with the tree's members as the root listed them "
                    + Math.max(0, Duration.between(known.get().listedAt(), decidedAt).toMillis()) + " ms before";
        } else {
            if (reason == Replication.Reason.QOE) {
                prepareLikelyCandidates(position, near, farther, now); // a shortage's were prepared at the load's first crossing
            }
            hosted = ctx.root().hostedSet(service);
            // compose/experiments' runner (TopologyEvents.ASKED_ROOT) counts the root round trip by this text
            hostedFrom = "ranked after the root's hosted-set answer ("
                    + Duration.between(decidedAt, ctx.clock().instant()).toMillis() + " ms)";
        }
        if (hosted.isEmpty()) {
            ctx.events().record(service, EventKind.REPLICATION_FAILED, id, why + "; the root did not answer the hosted-set query");
            release(reason, clusterId, now);
            return;
        }
        HopTrace.mark("decide.hosted", id, hosted.get().size());
        Set<String> exclude = new HashSet<>(hosted.get());
        exclude.add(ctx.nodeId());
        CandidateChoice choice = CandidateChoice.rank(ctx.infra(), HardwareNeed.of(spec), position, exclude, near, farther, now);
        HopTrace.mark("decide.ranked", id, choice.candidates().size());
        String skipped = choice.skipped().isEmpty() ? "" : "; skipped " + choice.skipped();
        if (choice.candidates().isEmpty()) {
            ctx.events().record(service, EventKind.REPLICATION_FAILED, id, why + "; no candidate among "
                    + ctx.infra().size() + " platforms (" + hosted.get().size() + " host it)" + skipped);
            release(reason, clusterId, now);
            return;
        }
        List<String> ranked = new ArrayList<>(choice.candidates().size());
        for (Platform p : choice.candidates()) {
            ranked.add(p.id() + " " + Decimals.fixed(p.position().distanceKm(position), 0) + " km");
        }
        HopTrace.mark("decide.texts", id, ranked.size());
        ctx.events().recordAt(decidedAt, service, EventKind.REPLICATION_DECIDED, id, why + "; replica near " + position
                + "; candidates " + ranked + skipped + "; " + hostedFrom, -1);
        replication = new Replication(ctx, service, scope.specYaml(), self, id, reason, position, clusterId, choice.candidates(),
                new RegistrationSeen(id));
        replication.begin();
    }

    /**
     * Opens the connections to the platforms likeliest to be asked: the ranking without the
     * root's hosted-set answer, first {@link #PREPARED_CANDIDATES}. Called when the load first
     * goes above the thresholds (the shortage decision comes a load window later), and for a
     * QoE replica while the root answers the hosted-set query. A Replicate to a platform
     * never contacted otherwise waits for the TCP and ZeroMQ handshakes, ~3 round trips
     * (docs/evaluation.md, 1c: +128-319 ms in 8 of 11 runs on D); opened only at the decision,
     * a far candidate's handshake is still under way when the Replicate goes out. Some of these
     * may turn out to host the service already; those connections stay idle. Each is also told
     * ({@link ReplicateSoon}) so that it can ask the root whether this node is a member of the
     * tree now: the Replicate's membership check is then no round trip on the timed path.
     */
    private void prepareLikelyCandidates(GeoPoint position, Predicate<Platform> near, String farther, Instant now) {
        CandidateChoice likely = CandidateChoice.rank(ctx.infra(), HardwareNeed.of(spec), position, Set.of(ctx.nodeId()),
                near, farther, now);
        likely.candidates().stream().limit(PREPARED_CANDIDATES).forEach(p -> {
            ctx.messenger().prepareToPlatform(p.id());
            // and each may ask the root about this node's membership (and check the spec) now, not when the Replicate comes
            ctx.messenger().sendToPlatform(p.id(), new ReplicateSoon(service, ctx.nodeId(), scope.specYaml()));
        });
    }

    /** An action for a cluster or a shortage did not happen: let it earn its turn again. */
    private void release(Replication.Reason reason, String clusterId, Instant now) {
        if (clusterId != null) {
            clusters.get(clusterId).ifPresent(c -> scope.backOff(c, now));
        }
        if (reason == Replication.Reason.SHORTAGE) {
            nextShortageAction = now.plus(ctx.loadWindow());
        }
    }

    void onReply(String from, ReplicateReply r, Instant now) {
        if (replication != null) {
            step(replication.onReply(from, r), now);
        }
    }

    void onReady(String from, ReplicaReady r, Instant now) {
        if (unreported != null && unreported.runId().equals(r.requestId()) && unreported.replica().equals(from)) {
            report(r.ok() ? r.containerStartMillis() : -1, now);
            return;
        }
        if (replication != null) {
            step(replication.onReady(from, r), now);
        }
    }

    /** The root's answer to the watch of {@code candidate} for replication {@code runId}. */
    private void onRegistered(String runId, String candidate, Optional<NodeInfo> node) {
        if (replication != null && replication.id().equals(runId)) {
            step(replication.onRegistered(candidate, node), ctx.clock().instant());
        }
    }

    /** Resends and timeouts of the running replication; a registration whose container start never came. */
    void timeouts(Instant now) {
        if (unreported != null && now.isAfter(unreported.reportBy())) {
            report(-1, now);
        }
        if (replication != null) {
            step(replication.onTick(now), now);
        }
    }

    /**
     * A replica the root told registered, whose REPLICA_REGISTERED waits for the container start
     * its ReplicaReady reports (the Timings rule takes it off time-to-replicate).
     */
    private record Unreported(String runId, String replica, Instant registeredAt, Instant reportBy) {
    }

    private Unreported unreported;

    /**
     * Records the REPLICA_REGISTERED of {@link #unreported} at the time the root told, with the
     * container start its ReplicaReady reported ({@code -1}: none came within the ready timeout;
     * the time then includes the container start).
     */
    private void report(long containerStartMillis, Instant now) {
        Unreported u = unreported;
        unreported = null;
        String start = containerStartMillis < 0 ? "container start not reported (counted in)"
                : "container start " + containerStartMillis + " ms (reported apart, "
                + Math.max(0, Duration.between(u.registeredAt(), now).toMillis()) + " ms later by its ReplicaReady)";
        ctx.events().recordAt(u.registeredAt(), service, EventKind.REPLICA_REGISTERED, u.runId(), "replica " + u.replica()
                + " " + NodeAgent.ROOT_TOLD + "; " + start, containerStartMillis);
    }

    private void step(Replication.Step s, Instant now) {
        if (s instanceof Replication.Ready r) {
            Replication run = replication;
            replication = null;
            if (r.fromRoot()) {
                if (unreported != null) { // an earlier replica's ReplicaReady never came: recorded without its start
                    report(-1, now);
                }
                unreported = new Unreported(run.id(), r.instance().nodeId(), ctx.clock().instant(),
                        ctx.clock().instant().plus(ctx.policy().readyTimeout()));
            } else if (!r.existing()) {
                ctx.events().record(service, EventKind.REPLICA_REGISTERED, run.id(), "replica " + r.instance().nodeId()
                        + " registered; container start " + r.containerStartMillis() + " ms (reported apart)",
                        r.containerStartMillis());
            }
            if (run.reason() == Replication.Reason.QOE) {
                Optional<UserCluster> c = clusters.get(run.clusterId());
                if (c.isPresent() && c.get().size() > 0) {
                    String what = "cluster " + c.get().describe() + " -> new replica " + r.instance().nodeId() + ", "
                            + Decimals.fixed(r.instance().position().distanceKm(run.position()), 0) + " km from the cluster";
                    if (scope.redirect(c.get().clients(), r.instance(), run.id(), EventKind.MIGRATION_RECORDED, what, now)) {
                        clusters.remove(c.get().id());
                    } else {
                        scope.backOff(c.get(), now);
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
                if (scope.redirect(c.clients(), offloadTarget, offloadId, EventKind.OFFLOADED, "bad-QoE cluster " + c.describe()
                        + " -> " + offloadTarget.nodeId() + "; load " + ShortageWatch.describe(load), now)) {
                    clusters.remove(c.id());
                }
                return;
            }
        }
        List<LocatedUser> remaining = users.stream().filter(u -> !scope.migratedAway().containsKey(u.address())).toList();
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
        scope.redirect(group.stream().map(LocatedUser::address).toList(), offloadTarget, offloadId, EventKind.OFFLOADED,
                group.size() + " users around " + group.get(0).position() + " -> " + offloadTarget.nodeId() + "; load "
                        + ShortageWatch.describe(load), now);
    }
}
