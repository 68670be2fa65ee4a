package dev.tendril.edge.application;

import dev.tendril.edge.deployment.DeployResult;
import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.RemoveResult;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.OverlayLink;
import dev.tendril.edge.overlay.PeerConnections;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.protocol.message.AdminMessage.DeployReply;
import dev.tendril.protocol.message.AdminMessage.RemoveReply;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.PortSpec;
import dev.tendril.protocol.spec.Validated;
import dev.tendril.protocol.trace.HopTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Use cases of hosting services: deploy a spec (validate, check fit, start the instance,
 * join the tree), remove a service (leave the tree, stop the instance), and resume after
 * a restart (adopt running instances, re-register each as a leaf).
 */
public final class HostedServices {
    private static final Logger log = LoggerFactory.getLogger(HostedServices.class);
    /** For a deploy whose registration nobody waits on. */
    private static final Consumer<Deployment> NOBODY_TO_TELL = d -> {
    };

    private final Platform self;
    private final Deployments deployments;
    private final Overlay overlay;
    private final RootControl root;
    private final OverlayLink link;
    private final Clock clock;
    private final NodePolicies policies;
    private final Ticker ticker;
    private final Ticker rootTicker;
    private final Function<String, Validated<DeploymentSpec>> specParser;
    private final SpecSignatures signatures;
    private final AcceptedSpecs accepted = new AcceptedSpecs();
    private final Map<String, AutoCloseable> ticking = new ConcurrentHashMap<>();
    private volatile int overlayPort;
    private volatile PeerConnections peers = PeerConnections.NONE;
    /** Members of a tree a joining replica opens connections to before it deploys (see {@link #membership}). */
    public static final int LIKELY_PARENTS = 3;

    public HostedServices(Platform self, Deployments deployments, Overlay overlay, RootControl root, OverlayLink link,
                          Clock clock, NodePolicies policies, Ticker ticker,
                          Function<String, Validated<DeploymentSpec>> specParser) {
        this(self, deployments, overlay, root, link, clock, policies, ticker, ticker, specParser,
                SpecSignatures.unsigned(self.id(), Integer.MAX_VALUE, clock));
    }

    /** @param signatures what a spec must prove before it is parsed and run (size, operator signature) */
    public HostedServices(Platform self, Deployments deployments, Overlay overlay, RootControl root, OverlayLink link,
                          Clock clock, NodePolicies policies, Ticker ticker,
                          Function<String, Validated<DeploymentSpec>> specParser, SpecSignatures signatures) {
        this(self, deployments, overlay, root, link, clock, policies, ticker, ticker, specParser, signatures);
    }

    /**
     * @param rootTicker runs the memberships' root rounds, apart from {@code ticker}'s heartbeat
     *                   rounds, so a root that does not answer never delays a heartbeat
     */
    public HostedServices(Platform self, Deployments deployments, Overlay overlay, RootControl root, OverlayLink link,
                          Clock clock, NodePolicies policies, Ticker ticker, Ticker rootTicker,
                          Function<String, Validated<DeploymentSpec>> specParser) {
        this(self, deployments, overlay, root, link, clock, policies, ticker, rootTicker, specParser,
                SpecSignatures.unsigned(self.id(), Integer.MAX_VALUE, clock));
    }

    /** Everything: separate root rounds and the spec checks. */
    public HostedServices(Platform self, Deployments deployments, Overlay overlay, RootControl root, OverlayLink link,
                          Clock clock, NodePolicies policies, Ticker ticker, Ticker rootTicker,
                          Function<String, Validated<DeploymentSpec>> specParser, SpecSignatures signatures) {
        this.signatures = signatures;
        this.rootTicker = rootTicker;
        this.self = self;
        this.deployments = deployments;
        this.overlay = overlay;
        this.root = root;
        this.link = link;
        this.clock = clock;
        this.policies = policies;
        this.ticker = ticker;
        this.specParser = specParser;
    }

    /** The port of this node's tree socket (known once it is bound). */
    public void overlayPort(int port) {
        this.overlayPort = port;
    }

    public NodeInfo nodeInfo(DeploymentSpec spec) {
        return new NodeInfo(self.id(), self.address(), self.position(),
                spec.ports().stream().map(PortSpec::toServicePort).toList(), overlayPort);
    }

    public DeployReply deploy(String specText) {
        return deploy(specText, false, "admin");
    }

    /**
     * Deploys a replica for another instance of the service: as {@link #deploy}, but the tree
     * is known to exist, so the node registers as a leaf at once even when the spec says
     * {@code root: true} (creating the tree first would cost a refused CreateTree round trip
     * to the root; should the root know no tree after all, the spec's {@code root: true} still
     * lets the join create it).
     */
    public DeployReply deployReplica(String specText) {
        return deploy(specText, true, "replicate");
    }

    /** As {@link #deployReplica(String)}; {@code offeredBy} (the requesting node) is named in refusal logs. */
    public DeployReply deployReplica(String specText, String offeredBy) {
        return deployReplica(specText, offeredBy, NOBODY_TO_TELL);
    }

    /**
     * As {@link #deployReplica(String, String)}; {@code registered} is called with the new
     * deployment once the root acknowledged its registration, before the Attach to the parent the
     * root named (which then runs while what {@code registered} sent is under way), on the thread
     * that registered it, and not at all when this call ends unregistered (the root did not answer)
     * or deploys nothing new. It must be quick and must not throw.
     */
    public DeployReply deployReplica(String specText, String offeredBy, Consumer<Deployment> registered) {
        return deploy(specText, true, offeredBy, registered);
    }

    /**
     * Why this spec must not run (size, operator signature), or empty: the check {@link #deploy}
     * makes first, for callers that want to refuse before doing anything else. A refusal is
     * counted and logged (per {@code peer}).
     */
    public Optional<String> specRefusal(String specText, String peer) {
        if (accepted.get(specText) != null) {
            return Optional.empty();
        }
        return signatures.refusal(specText, peer);
    }

    /**
     * Checks (size, operator signature) and parses a spec ahead of its deploy, remembering the
     * result when it passes ({@link AcceptedSpecs}): the replica's deploy that follows a
     * {@code ReplicateSoon} then checks and parses nothing. Returns why it must not run (the
     * refusal, or the spec's problems; a refusal is counted and logged per {@code peer}), or empty.
     */
    public Optional<String> prepareSpec(String specText, String peer) {
        Validated<DeploymentSpec> checked = checkedSpec(specText, peer);
        if (checked instanceof Validated.Invalid<DeploymentSpec> invalid) {
            return Optional.of(String.join("; ", invalid.problems()));
        }
        return Optional.empty();
    }

    /** The spec of {@code specText} once it passed the checks and parsed (remembered), or why not. */
    private Validated<DeploymentSpec> checkedSpec(String specText, String peer) {
        DeploymentSpec known = accepted.get(specText);
        if (known != null) {
            return new Validated.Valid<>(known);
        }
        Optional<String> refused = signatures.refusal(specText, peer);
        if (refused.isPresent()) {
            return new Validated.Invalid<>(List.of(refused.get()));
        }
        Validated<DeploymentSpec> parsed = specParser.apply(specText);
        if (parsed instanceof Validated.Valid<DeploymentSpec> valid) {
            accepted.put(specText, valid.value());
        }
        return parsed;
    }

    /**
     * Whether {@code nodeId} is a node of the tree of {@code service} by the root's account (false
     * when no root answers): a replica is deployed only when a member of the tree offered it.
     */
    public boolean treeHas(String service, String nodeId) {
        return root.call(service, new RootMessage.MembershipQuery(service, nodeId, Optional.empty(), 0))
                .filter(RootMessage.Membership.class::isInstance)
                .map(m -> ((RootMessage.Membership) m).member()).orElse(false);
    }

    /**
     * The root's account of {@code nodeId} in the tree of {@code service} with this node's
     * {@link #LIKELY_PARENTS} likely parents (the live members with room nearest to it, the
     * root's parent choice first): one round trip whose answer does not grow with the tree;
     * empty when no root answers.
     */
    public Optional<RootMessage.Membership> membership(String service, String nodeId) {
        return root.call(service, new RootMessage.MembershipQuery(service, nodeId, Optional.of(self.position()), LIKELY_PARENTS))
                .filter(RootMessage.Membership.class::isInstance)
                .map(RootMessage.Membership.class::cast);
    }

    /**
     * A replica about to deploy opens its connections to its likely parents ({@link #membership}'s
     * answer): the root will most likely assign it one of them as parent (the nearest live node
     * with room), and the Attach after the registration should not wait for a first contact's
     * handshakes (they run while the instance starts and registers).
     */
    public void openToLikelyParents(java.util.Collection<String> members) {
        peers.openNearest(members, LIKELY_PARENTS);
    }

    /**
     * Where connections to other edge nodes are opened ahead of need (likely parents of a replica,
     * the members of this node's trees); nothing until set.
     */
    public void peerConnections(PeerConnections connections) {
        this.peers = connections;
    }

    private DeployReply deploy(String specText, boolean replica, String peer) {
        return deploy(specText, replica, peer, NOBODY_TO_TELL);
    }

    private synchronized DeployReply deploy(String specText, boolean replica, String peer, Consumer<Deployment> registered) {
        Validated<DeploymentSpec> parsed = checkedSpec(specText, peer);
        if (parsed instanceof Validated.Invalid<DeploymentSpec> invalid) {
            return new DeployReply("rejected", "", "", "", invalid.problems(), "nothing deployed");
        }
        DeploymentSpec spec = ((Validated.Valid<DeploymentSpec>) parsed).value();
        HopTrace.mark("deploy.start", spec.service(), self.id());
        DeployResult result = deployments.deploy(spec, specText);
        HopTrace.mark("deploy.started", spec.service(), result.getClass().getSimpleName());
        if (result instanceof DeployResult.Rejected r) {
            return new DeployReply("rejected", spec.service(), "", "", r.problems(), "nothing deployed");
        }
        if (result instanceof DeployResult.Failed f) {
            return new DeployReply("failed", spec.service(), "", "", List.of(f.reason()), "nothing deployed");
        }
        if (result instanceof DeployResult.AlreadyDeployed a) {
            return reply("already-deployed", a.deployment());
        }
        Deployment d = ((DeployResult.Deployed) result).deployment();
        ServiceMembership m = join(spec, spec.root() && !replica, spec.root(), () -> registered.accept(d));
        m.tick(); // register and attach now, so the reply names the parent
        m.onNextRegistration(null); // registered later (the root did not answer now): not this call's to tell
        HopTrace.mark("deploy.joined", spec.service(), self.id());
        return reply("deployed", d);
    }

    private DeployReply reply(String outcome, Deployment d) {
        ServiceMembership.View v = overlay.get(d.service()).map(ServiceMembership::view)
                .orElse(ServiceMembership.View.NONE);
        String detail = !v.registered() ? "registration with the root pending (the root did not answer yet)"
                : v.parentId().isPresent() ? "registered, attached to " + v.parentId().get()
                : v.attachingTo().isPresent() ? "registered; attaching to " + v.attachingTo().get()
                        + " (it has not acknowledged yet; the next round tries again)"
                : "registered as the top node of the tree";
        return new DeployReply(outcome, d.service(), d.instance().id(), v.parentId().orElse(""), List.of(), detail);
    }

    /** @param registered run at the membership's first registration, before its Attach (null: nothing) */
    private ServiceMembership join(DeploymentSpec spec, boolean createTree, boolean mayCreate, Runnable registered) {
        ServiceMembership m = new ServiceMembership(spec.service(), nodeInfo(spec), createTree, mayCreate, root, link,
                clock, policies);
        m.openAheadWith(peers);
        m.onNextRegistration(registered); // before the rounds start: whichever round registers first runs it
        overlay.add(m);
        AutoCloseable heartbeats = ticker.every(policies.heartbeatInterval(), () -> {
            try {
                m.heartbeatRound();
            } catch (RuntimeException e) {
                log.warn("{}: {}: heartbeat round failed", self.id(), spec.service(), e);
            }
        });
        AutoCloseable rootRounds = rootTicker.every(policies.heartbeatInterval(), () -> {
            try {
                m.rootRound();
            } catch (RuntimeException e) {
                log.warn("{}: {}: root round failed", self.id(), spec.service(), e);
            }
        });
        ticking.put(spec.service(), () -> {
            heartbeats.close();
            rootRounds.close();
        });
        return m;
    }

    /**
     * An idle instance asks the root to leave while at least {@code minInstances} live
     * instances remain without it ({@link ServiceMembership#leaveIfAtLeast}); once granted
     * the instance is out of the tree and DNS, and the caller stops it with {@link #remove}.
     * Empty when this node has no membership for the service or the root gave no decision.
     */
    public Optional<RootMessage.SignOffDecision> leaveIfAtLeast(String service, int minInstances) {
        return overlay.get(service).flatMap(m -> m.leaveIfAtLeast(minInstances));
    }

    public synchronized RemoveReply remove(String service) {
        if (deployments.get(service).isEmpty()) {
            return new RemoveReply("not-deployed", service, "this node does not host " + service);
        }
        stopTicking(service);
        overlay.remove(service).ifPresent(ServiceMembership::leave);
        RemoveResult r = deployments.remove(service);
        if (r instanceof RemoveResult.Failed f) {
            return new RemoveReply("failed", service, "signed off, but the instance could not be stopped: " + f.reason());
        }
        return new RemoveReply("removed", service, "instance stopped and removed, signed off at the root");
    }

    private void stopTicking(String service) {
        AutoCloseable t = ticking.remove(service);
        if (t != null) {
            try {
                t.close();
            } catch (Exception e) {
                log.debug("stopping ticker of {}", service, e);
            }
        }
    }

    /** After a restart: adopt this node's instances and re-register each service as a leaf. */
    public synchronized Deployments.Adoption resume() {
        Deployments.Adoption a = deployments.adopt();
        for (Deployment d : a.adopted()) {
            join(d.spec(), false, d.spec().root(), null);
        }
        log.info("{}: adopted {} running instance(s) {}, removed {} leftover(s)", self.id(), a.adopted().size(),
                a.adopted().stream().map(Deployment::service).toList(), a.removed().size());
        return a;
    }

    /** Stops the membership rounds (node shutdown); instances keep running and are adopted at the next start. */
    public void stop() {
        ticking.keySet().forEach(this::stopTicking);
    }
}
