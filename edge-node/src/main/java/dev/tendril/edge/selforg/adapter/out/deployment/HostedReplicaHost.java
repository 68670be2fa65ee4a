package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.protocol.message.AdminMessage.DeployReply;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tendril.protocol.message.NodeInfo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@link ReplicaHost} over the node's hosting use cases: a replica is deployed like an
 * admin deploy of the spec text (start, register, attach; a spec with {@code root: true}
 * finds the tree existing and joins it), on a worker thread; the outcome is posted back to
 * the self-organization thread. The container start is the time the container runtime took to
 * start the deployment's instance (the spec's checks and parse before it are not part of it);
 * registration and attach follow it. The replica is told ready ({@code ready}) once registered
 * (DNS answers it from then on), not after the attach, which only joins the overlay tree.
 */
public final class HostedReplicaHost implements ReplicaHost {
    private static final Logger log = LoggerFactory.getLogger(HostedReplicaHost.class);

    private final String nodeId;
    private final HostedServices hosted;
    private final Deployments deployments;
    private final Executor worker;
    private final Consumer<Runnable> post;
    private final Clock clock;
    private final Set<String> leaving = ConcurrentHashMap.newKeySet();
    private final dev.tendril.protocol.refusal.RefusalLog refusals;
    private final MembershipsAhead ahead;

    /** Replicas refused here so far, by reason (e.g. {@code replicate-not-a-member}): the node's {@code refused.*} figures. */
    public java.util.Map<String, Long> refusals() {
        return refusals.counts();
    }

    /**
     * @param post runs a task on the self-organization thread
     */
    public HostedReplicaHost(String nodeId, HostedServices hosted, Deployments deployments, Executor worker,
                             Consumer<Runnable> post, Clock clock) {
        this.nodeId = nodeId;
        this.hosted = hosted;
        this.deployments = deployments;
        this.worker = worker;
        this.post = post;
        this.clock = clock;
        this.ahead = new MembershipsAhead(clock);
        this.refusals = dev.tendril.protocol.refusal.RefusalLog.perMinute(
                org.slf4j.LoggerFactory.getLogger("tendril.refusals"), clock);
    }

    @Override
    public void deploy(String service, String specYaml, Consumer<Outcome> done) {
        deploy(service, specYaml, null, done);
    }

    /**
     * Deploys the replica only when {@code offeredBy} is a node of the service's tree by the
     * root's account (or this node already is one), so a stranger cannot have this node join
     * a tree. The spec's size and signature are checked first, on the calling thread (no I/O),
     * and again by {@link HostedServices} before it runs.
     */
    @Override
    public void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Outcome> done) {
        deploy(service, specYaml, offeredBy, ok -> {
        }, done);
    }

    /**
     * As above; {@code ready} runs once the root acknowledged the replica's registration, on the
     * thread that registered it (the worker, or the membership's root round should that have
     * registered first), before the Attach to its parent, which runs meanwhile; {@code done} is
     * posted after the attach. A replica whose registration the root did not answer during the
     * deploy is told ready after it, as before (it registers in a later round).
     */
    @Override
    public void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Deployed> ready, Consumer<Outcome> done) {
        Optional<String> badSpec = offeredBy == null ? Optional.empty() : hosted.specRefusal(specYaml, offeredBy.nodeId());
        if (badSpec.isPresent()) { // cheap and local: refused before any root query or queued work
            Outcome refused = new Failed("rejected: " + badSpec.get());
            post.accept(() -> done.accept(refused));
            return;
        }
        HopTrace.mark("replica.queued", service, nodeId);
        worker.execute(new ReplicaDeployment(service, specYaml, offeredBy, ready, done));
    }

    /**
     * A replica's deployment on the worker: the origin's membership check, then the deploy. A named
     * task in plain code, without lambdas or method references up to the membership check: in the
     * edge's C1-only JVM each of those links its call site the first time it runs (0.3-1 ms each on
     * the loaded testbed), and this runs once per replica, so a node's first replica paid them all.
     * On topology D a node's first Replicate took 3.5-7.8 ms from its arrival to the membership
     * check with them, its next ones 1.1-1.6 ms (hop traces, docs/evaluation.md 1c).
     */
    private final class ReplicaDeployment implements Runnable {
        private final String service;
        private final String specYaml;
        private final NodeInfo offeredBy;
        private final Consumer<Deployed> ready;
        private final Consumer<Outcome> done;

        ReplicaDeployment(String service, String specYaml, NodeInfo offeredBy, Consumer<Deployed> ready, Consumer<Outcome> done) {
            this.service = service;
            this.specYaml = specYaml;
            this.offeredBy = offeredBy;
            this.ready = ready;
            this.done = done;
        }

        @Override
        public void run() {
            HopTrace.mark("replica.work", service, nodeId);
            AtomicReference<Deployed> told = new AtomicReference<>();
            Outcome outcome;
            try {
                String peer = offeredBy == null ? "replicate" : offeredBy.nodeId();
                // a member's answer fetched on its ReplicateSoon hint saves the round trip; anything else is asked now
                Optional<RootMessage.Membership> fetched = offeredBy == null ? Optional.empty() : ahead.take(service, offeredBy.nodeId());
                boolean checkedAhead = fetched.isPresent() && fetched.get().member();
                Optional<RootMessage.Membership> offerer = offeredBy == null ? Optional.empty()
                        : checkedAhead ? fetched : hosted.membership(service, offeredBy.nodeId());
                boolean offererIsMember = offerer.isPresent() && offerer.get().member();
                if (offeredBy != null && !offererIsMember && !hosted.treeHas(service, nodeId)) { // the second query only on the way to a refusal
                    refusals.refused(peer, "replicate-not-a-member", nodeId + ": a replica of " + service + " offered by '"
                            + offeredBy.nodeId() + "', which is not a node of its tree");
                    finish(new Failed("refused: '" + offeredBy.nodeId() + "' is not a node of the tree of " + service));
                    return;
                }
                if (!checkedAhead) { // before the instance starts: its Attach follows the registration
                    hosted.openToLikelyParents(offerer.isPresent() ? offerer.get().nearest() : List.of());
                } // else opened at the hint, when its answer came (expect)
                // an instance up after this was started by this deploy (its runtime start is the container start)
                Instant t0 = clock.instant();
                HopTrace.mark("replica.checked", service, checkedAhead ? "ahead" : "asked");
                // ready leaves once the root acknowledged the registration; the Attach runs while it travels
                DeployReply r = hosted.deployReplica(specYaml, peer,
                        dep -> tellOnce(service, ready, told, deployed(dep, t0, checkedAhead)));
                Optional<Deployment> d = deployments.get(service);
                if ((r.outcome().equals("deployed") || r.outcome().equals("already-deployed")) && d.isPresent()) {
                    if (r.detail().startsWith("registration with the root pending")) {
                        log.warn("{}: replica of {} runs but is not registered yet: {}", nodeId, service, r.detail());
                    }
                    outcome = told.get() != null ? told.get() : deployed(d.get(), t0, checkedAhead);
                } else {
                    outcome = new Failed(r.outcome() + ": " + String.join("; ", r.problems()) + " " + r.detail());
                }
            } catch (RuntimeException e) {
                if (told.get() != null) { // registered and told: only the Attach failed, which the membership's rounds retry
                    log.warn("{}: replica of {} registered, its attach failed (the membership's rounds retry it)", nodeId,
                            service, e);
                    outcome = told.get();
                } else {
                    log.warn("{}: replica of {} failed", nodeId, service, e);
                    outcome = new Failed(e.toString());
                }
            }
            HopTrace.mark("replica.outcome", service, outcome.getClass().getSimpleName());
            if (outcome instanceof Deployed ok) {
                tellOnce(service, ready, told, ok); // not told at the registration (the root did not answer, or already deployed)
            }
            finish(outcome);
        }

        private void finish(Outcome result) {
            post.accept(() -> done.accept(result));
        }
    }

    /**
     * Fetches the membership of {@code origin} in the tree of {@code service} ahead of its
     * Replicate, on the worker ({@link MembershipsAhead}); nothing when this node hosts the
     * service already (its Replicate is answered "hosting"). A hint beyond the held answers'
     * bound, and one from a node the root does not count in the tree, is counted and logged.
     */
    @Override
    public void expect(String service, String origin) {
        expect(service, origin, "");
    }

    /**
     * As above; once the root says {@code origin} is a member, the likely parents of its answer are
     * connected (the Replicate then opens nothing on its path), and the spec's signature is checked on
     * another worker thread and remembered ({@link HostedServices#specRefusal}), so the
     * Replicate's own check is a digest lookup: an Ed25519 check took 2-10 ms in the edge's C1-only
     * JVM, on the self-organization thread, at every pair's first replication. The membership
     * answer does not wait for it. A spec that fails is refused and counted as at the Replicate.
     */
    @Override
    public void expect(String service, String origin, String specYaml) {
        if (deployments.get(service).isPresent()) {
            return;
        }
        MembershipsAhead.Fetch f = ahead.fetch(service, origin, worker, () -> {
            Optional<RootMessage.Membership> m = hosted.membership(service, origin);
            if (m.isPresent() && !m.get().member()) {
                refusals.refused(origin, "replicate-soon-not-a-member", nodeId + ": a ReplicateSoon for " + service
                        + " from '" + origin + "', which is not a node of its tree");
            } else if (m.isPresent()) {
                // the likely parents are connected now, seconds before the Replicate: opening a connection
                // (a socket, its handshake watch, CURVE keys) runs on the node's one client thread, and
                // when it ran at the Replicate it held up the registration queued behind it (1-7 ms at a
                // node's first replica on topology D, docs/evaluation.md 1c)
                hosted.openToLikelyParents(m.get().nearest());
                if (!specYaml.isEmpty()) {
                    worker.execute(() -> hosted.prepareSpec(specYaml, origin));
                }
            }
            return m;
        });
        if (f == MembershipsAhead.Fetch.FULL) {
            refusals.refused(origin, "replicate-soon-over-limit", nodeId + ": a ReplicateSoon for " + service + " from '"
                    + origin + "' while " + MembershipsAhead.MAX_ENTRIES + " answers fetched ahead are held");
        }
    }

    /**
     * The outcome of a deployment asked for at {@code t0}, stamped now (the registration, or the
     * deploy's end). Its container start is the runtime's start of the instance alone; the spec's
     * checks and parse before it count as processing. Zero when the instance was up before
     * {@code t0} (already deployed).
     */
    private Deployed deployed(Deployment d, Instant t0, boolean membershipAhead) {
        Duration start = d.since().isAfter(t0) ? d.startTook() : Duration.ZERO;
        return new Deployed(hosted.nodeInfo(d.spec()), d.spec(), start, clock.instant(), membershipAhead);
    }

    /** Calls {@code ready} with {@code ok} unless it was called already (at the registration); never throws. */
    private void tellOnce(String service, Consumer<Deployed> ready, AtomicReference<Deployed> told, Deployed ok) {
        if (!told.compareAndSet(null, ok)) {
            return;
        }
        HopTrace.mark("replica.ready", service, nodeId);
        try {
            ready.accept(ok); // the ReplicaReady leaves now, not after the attach nor the self-organization thread's round
        } catch (RuntimeException e) {
            log.warn("{}: telling that the replica of {} is ready failed", nodeId, service, e);
        }
    }

    @Override
    public Termination terminate(String service, int minInstances) {
        Optional<RootMessage.SignOffDecision> d = hosted.leaveIfAtLeast(service, minInstances);
        if (d.isEmpty()) {
            return new Unanswered("no decision from the root (or no membership for " + service + " here)");
        }
        if (!d.get().granted()) {
            return new Refused(d.get().liveInstances());
        }
        remove(service);
        return new Granted(d.get().liveInstances());
    }

    private void remove(String service) {
        leaving.add(service);
        worker.execute(() -> {
            try {
                var r = hosted.remove(service);
                log.info("{}: terminated {}: {} ({})", nodeId, service, r.outcome(), r.detail());
            } finally {
                leaving.remove(service);
            }
        });
    }

    /** Services being removed right now (their deployment may still be listed). */
    public boolean isLeaving(String service) {
        return leaving.contains(service);
    }
}
