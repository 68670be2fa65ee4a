package dev.tendril.edge.overlay;

import dev.tendril.edge.domain.AccrualDetector;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node's place in the tree of one service: registration with the root, the parent it
 * is attached to and the children attached to it. {@link #tick()} runs every heartbeat
 * interval on a scheduler thread (it may block on network calls); the {@code on*} handlers
 * run on the tree socket's handler thread and never block.
 *
 * <p>Failure handling: the child heartbeats its parent every interval (two tries within it,
 * over two paths, {@link OverlayLink#send} and {@link OverlayLink#probe}, the first of them
 * alternating from round to round, one attempt each, so
 * a heartbeat never resets a connection whose lost segment the transport is retransmitting,
 * and a stall of one connection does not silence the round) and feeds an
 * {@link AccrualDetector}: on a link that lost nothing lately the parent counts
 * as dead after {@code missedHeartbeats} unanswered rounds; on a lossy link after as many as
 * the observed loss makes plausible for a live parent (at most 8 × {@code missedHeartbeats}).
 * A suspicion is then confirmed ({@link #confirm}): when this node's links lost anything
 * lately, the parent gets a long probe first, and only when that goes unanswered too does the
 * child report the orphan to the root and attach to the parent the root assigns.
 * A parent feeds one detector per child with "heard within the last interval and a half"; a
 * suspected child is first probed directly (a {@code Heartbeat} from the parent, see
 * {@link #confirm}): a child that answers and still holds this node as its parent stays (the
 * suspicion is refuted), one that answers but holds another parent is forgotten without a
 * report (it is alive), and only one that does not answer is dropped and reported to the root
 * (NodeState live=false). Heartbeats run on
 * their own schedule ({@link #heartbeatRound()}), apart from the calls to the root
 * ({@link #rootRound()}): a root that does not answer never delays a heartbeat, so it never
 * makes a parent drop a live child.
 */
public final class ServiceMembership {
    private static final Logger log = LoggerFactory.getLogger(ServiceMembership.class);
    private static final int MAX_REPARENTS_PER_TICK = 3;
    /**
     * Every this many rounds a registered node registers again (see {@link #refresh()}): a root
     * that lost its state (rebuilt from nothing) learns every instance again within this many
     * heartbeat intervals plus one. Each refresh is one read-only round trip at the root.
     */
    static final int REFRESH_ROUNDS = 4;
    /**
     * A heartbeat try that went unanswered while the other try of its round was answered, within
     * this many heartbeats, makes this node's links count as lossy (as the detectors' window): a
     * suspicion is then confirmed by a long probe. (Tries lost to a dead peer do not count: both
     * tries of its rounds go unanswered.)
     */
    static final int LOSS_MEMORY = AccrualDetector.DEFAULT_WINDOW;
    /**
     * Every this many root rounds (first in the second round after the registration, never in
     * the first: a new replica's ReplicaReady waits for that one) a registered node asks the
     * root for the tree's members and opens its connections to the {@link #MEMBERS_AHEAD}
     * nearest (see {@link #openAheadWith}).
     */
    static final int MEMBERS_ROUNDS = 2 * REFRESH_ROUNDS;
    static final int MEMBERS_AHEAD = 16;

    /** The platforms hosting the service as the root listed them in a members round, and when that answer came. */
    public record Members(Set<String> nodeIds, Instant listedAt) {
        public Members {
            nodeIds = Set.copyOf(nodeIds);
        }
    }

    /**
     * What {@code stats} shows of the membership.
     *
     * @param attachingTo the parent the root named that has not acknowledged the Attach yet
     *                    (a slow or cold first contact; the next round tries again), else empty
     */
    public record View(boolean registered, Optional<String> parentId, Optional<String> attachingTo, List<String> childIds,
                       long orphanReports, long droppedChildren) {
        /** Nothing known: not a member (yet). */
        public static final View NONE = new View(false, Optional.empty(), Optional.empty(), List.of(), 0, 0);
    }

    /** A child attached here: when it was heard last, and the detector fed once per round. */
    private static final class Child {
        final NodeInfo node;
        Instant lastSeen;
        final AccrualDetector detector;

        Child(NodeInfo node, Instant lastSeen, AccrualDetector detector) {
            this.node = node;
            this.lastSeen = lastSeen;
            this.detector = detector;
        }

        NodeInfo node() {
            return node;
        }
    }

    private final String service;
    private final NodeInfo self;
    private final RootControl root;
    private final OverlayLink link;
    private final Clock clock;
    private final NodePolicies policies;
    private final Duration callTimeout;

    private final boolean createTreeAllowed;
    private boolean createTree;
    private boolean registered;
    private boolean left;
    private NodeInfo parent;
    /** The parent the root named, while its Attach is unanswered (shown in stats and the deploy reply). */
    private NodeInfo attaching;
    private boolean parentLeft;
    /** Fed once per heartbeat round with whether the parent answered; replaced with each new parent. */
    private AccrualDetector parentDetector;
    /** The parent once its detector suspected it and the confirming probe got no answer: reported in the next root round. */
    private NodeInfo parentConfirmedDead;
    /** Children dropped as dead whose NodeState(live=false) the root has not acknowledged yet. */
    private final List<String> pendingDown = new ArrayList<>();
    private final Duration heartbeatTimeout;
    private long orphanReports;
    private long droppedChildren;
    /** Suspected children that answered the confirming probe (kept, or forgotten as attached elsewhere). */
    private long refutedSuspicions;
    /** Heartbeats sent to parents (which path goes first alternates). */
    private long heartbeats;
    /** The last heartbeat (count) whose first try went unanswered and whose second was answered; far in the past when none. */
    private long lastTryLost = -LOSS_MEMORY - 1;
    private long failedRegistrations;
    private long rounds;
    /** Whether this node's instance should be answered (running and healthy); see {@link #serving(boolean)}. */
    private boolean serving = true;
    /** What the root holds of this node's liveness as far as this node knows (a registration makes it live). */
    private boolean rootServing = true;
    /** The node was registered once: the tree existed, so it may re-create it at a root that lost it. */
    private boolean wasRegistered;
    private final Map<String, Child> children = new LinkedHashMap<>();
    /**
     * Held by a whole round and by {@link #leaveIfAtLeast}: a round's RegisterNode (refresh)
     * can never reach the root after the root granted this node's leave, which would put it
     * back into the tree while it stops.
     */
    private final ReentrantLock round = new ReentrantLock();
    private volatile PeerConnections peers = PeerConnections.NONE;
    /** The root's last answer to a members round (read by self-organization's replica decisions); null before the first. */
    private volatile Members members;
    /** Run once at the next registration the root acknowledges, before the Attach (see {@link #onNextRegistration}). */
    private final AtomicReference<Runnable> onRegistered = new AtomicReference<>();

    /**
     * @param createTree        true when this deployment creates the tree (root: true, first deploy);
     *                          false to join as a leaf (also after a restart)
     * @param mayCreateIfMissing true (spec root: true) when a join may create the tree if the root knows none
     */
    public ServiceMembership(String service, NodeInfo self, boolean createTree, boolean mayCreateIfMissing,
                             RootControl root, OverlayLink link, Clock clock, NodePolicies policies) {
        this.service = service;
        this.self = self;
        this.createTree = createTree;
        this.createTreeAllowed = mayCreateIfMissing;
        this.root = root;
        this.link = link;
        this.clock = clock;
        this.policies = policies;
        this.callTimeout = max(policies.heartbeatInterval().dividedBy(2), Duration.ofMillis(50));
        this.heartbeatTimeout = max(policies.heartbeatInterval().dividedBy(3), Duration.ofMillis(50));
        this.parentDetector = newDetector();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public String service() {
        return service;
    }

    /**
     * Keeps connections open to the members of this tree nearest to this node, refreshed from
     * the root every {@link #MEMBERS_ROUNDS} root rounds: a member may find the users of any
     * other one a target (its offer goes to the search's origin) or become its parent, and
     * neither message should be a first contact, which costs the TCP, ZeroMQ and CURVE
     * handshakes (about four round trips of the path) before it can leave.
     */
    public void openAheadWith(PeerConnections connections) {
        this.peers = connections;
    }

    /**
     * Runs {@code task} once, on the thread of the next registration the root acknowledges, right
     * after the acknowledgement and before the Attach to the parent the root named (which may wait
     * for a connection's handshakes): what needs only the registration (a new replica's
     * ReplicaReady: DNS answers a registered node) need not wait for the tree. {@code null} takes
     * back a task not run yet. The task must be quick and must not throw.
     */
    public void onNextRegistration(Runnable task) {
        onRegistered.set(task);
    }

    public synchronized View view() {
        return new View(registered, Optional.ofNullable(parent).map(NodeInfo::nodeId),
                Optional.ofNullable(attaching).map(NodeInfo::nodeId), List.copyOf(children.keySet()), orphanReports,
                droppedChildren);
    }

    /** The parent this node is attached to (as the root named it at the registration), or empty. */
    public synchronized Optional<NodeInfo> parentNode() {
        return Optional.ofNullable(parent);
    }

    /** The children attached here, each as it described itself in its Attach (attach order). */
    public synchronized List<NodeInfo> childNodes() {
        return children.values().stream().map(Child::node).toList();
    }

    /** Suspected children that answered the confirming probe (a false suspicion the probe caught). */
    public synchronized long refutedSuspicions() {
        return refutedSuspicions;
    }

    private AccrualDetector newDetector() {
        return AccrualDetector.forMissedHeartbeats(policies.missedHeartbeats());
    }

    /** One whole round, as the two schedules run it: {@link #heartbeatRound()} then {@link #rootRound()}. */
    public void tick() {
        heartbeatRound();
        rootRound();
    }

    /**
     * The overlay half of a round, run every heartbeat interval on its own schedule and never
     * waiting for the root: heartbeat the parent (two tries within the interval) and feed its
     * detector; feed each child's detector with whether it was heard within the last interval
     * and a half, and drop the children it suspects (their NodeState goes to the root in the
     * root round). Only a parent suspected dead needs the root (the orphan report): done here
     * when no root round is under way, else in the next root round.
     */
    public void heartbeatRound() {
        NodeInfo currentParent;
        synchronized (this) {
            if (left || !registered) {
                return;
            }
            currentParent = parentLeft ? null : parent;
        }
        if (currentParent != null && heartbeat(currentParent) && round.tryLock()) {
            try {
                boolean still;
                synchronized (this) {
                    still = !left && parent == currentParent;
                }
                if (still) {
                    reportOrphan(currentParent);
                }
            } finally {
                round.unlock();
            }
        }
        dropSilentChildren();
    }

    /**
     * The root half of a round, on a schedule of its own (a root that does not answer holds
     * up only this): register when needed, report a parent that left or was suspected, refresh
     * every {@link #REFRESH_ROUNDS} rounds, tell the root this node's serving state, and
     * report dropped children (kept until the root acknowledges; forgotten when the child
     * attached again meanwhile).
     */
    public void rootRound() {
        round.lock();
        try {
            oneRootRound();
        } finally {
            round.unlock();
        }
    }

    private void oneRootRound() {
        NodeInfo currentParent;
        boolean needRegister;
        boolean reparent;
        boolean refresh;
        boolean members;
        synchronized (this) {
            if (left) {
                return;
            }
            needRegister = !registered;
            currentParent = parent;
            reparent = parentLeft || (parent != null && parent == parentConfirmedDead);
            parentLeft = false;
            refresh = ++rounds % REFRESH_ROUNDS == 0;
            members = rounds % MEMBERS_ROUNDS == 2;
        }
        if (needRegister) {
            register();
        } else {
            if (currentParent != null && reparent) {
                reportOrphan(currentParent);
            }
            if (refresh && !reparent) {
                refresh();
            }
            if (members) {
                openToMembers();
            }
        }
        syncServing();
        reportDroppedChildren();
    }

    private void openToMembers() {
        PeerConnections to = peers;
        root.call(service, new RootMessage.HostedSetQuery(service))
                .filter(RootMessage.HostedSet.class::isInstance)
                .map(m -> ((RootMessage.HostedSet) m).nodeIds())
                .ifPresent(ids -> {
                    members = new Members(Set.copyOf(ids), clock.instant());
                    to.openNearest(ids, MEMBERS_AHEAD);
                });
    }

    /**
     * The tree's members as the root listed them in a members round no longer than two members
     * periods ago ({@link #MEMBERS_ROUNDS} heartbeats each, so one lost answer does not matter);
     * empty before the first answer or when the root has not answered lately. A replica decision
     * ranks its candidates with it instead of asking the root then (a round trip to the root on
     * the timed path, docs/evaluation.md 1c): a platform that began hosting since is asked
     * anyway and answers that it hosts; one that stopped is not asked this time.
     */
    public Optional<Members> recentMembers() {
        Members m = members;
        if (m == null) {
            return Optional.empty();
        }
        Duration fresh = policies.heartbeatInterval().multipliedBy(2L * MEMBERS_ROUNDS);
        return clock.instant().isAfter(m.listedAt().plus(fresh)) ? Optional.empty() : Optional.of(m);
    }

    /**
     * This node's instance starts or stops serving (it exited, was restarted, or its health
     * probe changed verdict): the root is told at once (NodeState for this node), so DNS stops
     * or resumes answering it; while it does not serve, the periodic refresh asserts
     * "not live" instead of registering (which would make it live). A root that did not answer
     * is told again every round.
     */
    public void serving(boolean nowServing) {
        synchronized (this) {
            if (serving == nowServing) {
                return;
            }
            serving = nowServing;
        }
        log.info("{}: {}: instance {} serving: telling the root", self.nodeId(), service, nowServing ? "is" : "is not");
        boolean locked;
        try {
            // a root round under way (a root slow to answer) must not hold up the caller for long: the next one tells it
            locked = round.tryLock(callTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (locked) {
            try {
                syncServing();
            } finally {
                round.unlock();
            }
        }
    }

    public synchronized boolean isServing() {
        return serving;
    }

    /** Under the round lock: tells the root this node's serving state when it may hold another one. */
    private void syncServing() {
        boolean want;
        synchronized (this) {
            if (left || !registered || serving == rootServing) {
                return;
            }
            want = serving;
        }
        assertServing(want);
    }

    private void assertServing(boolean want) {
        Optional<Message> reply = root.call(service, new RootMessage.NodeState(service, self.nodeId(), want));
        if (reply.isPresent() && reply.get() instanceof RootMessage.Ack) {
            synchronized (this) {
                rootServing = want;
            }
        } else if (reply.isPresent() && reply.get() instanceof RootMessage.ErrorReply e && e.code().equals("NOT_FOUND")) {
            log.info("{}: {}: the root does not know this node: registering again", self.nodeId(), service);
            synchronized (this) {
                registered = false;
            }
            register();
        }
    }

    private void register() {
        boolean create;
        synchronized (this) {
            create = createTree;
        }
        RootMessage request = create ? new RootMessage.CreateTree(service, self) : new RootMessage.RegisterNode(service, self);
        Optional<Message> reply = root.call(service, request);
        if (reply.isPresent() && reply.get() instanceof RootMessage.ErrorReply e) {
            if (create && e.code().equals("CONFLICT")) {
                reply = root.call(service, new RootMessage.RegisterNode(service, self));
            } else if (!create && e.code().equals("NOT_FOUND") && (createTreeAllowed || wasRegistered)) {
                // a root spec may create a missing tree; a member re-creates the tree a root lost
                reply = root.call(service, new RootMessage.CreateTree(service, self));
            }
        }
        if (reply.isEmpty() || !(reply.get() instanceof RootMessage.Registered r)) {
            String why = reply.map(m -> "root refused registration: " + m).orElse("root did not answer registration");
            if (failedRegistrations++ == 0) {
                log.warn("{}: {}: {}; retrying every round", self.nodeId(), service, why);
            } else {
                log.debug("{}: {}: {} ({} tries)", self.nodeId(), service, why, failedRegistrations);
            }
            return;
        }
        failedRegistrations = 0;
        NodeInfo old;
        boolean notServing;
        synchronized (this) {
            registered = true;
            wasRegistered = true;
            createTree = false; // a later re-registration joins as a leaf
            old = parent;
            parent = null;
            attaching = null;
            rootServing = true; // a registration makes the node live at the root
            notServing = !serving;
        }
        log.info("{}: {}: registered, parent {}", self.nodeId(), service, r.parent().map(NodeInfo::nodeId).orElse("(top)"));
        if (notServing) {
            assertServing(false);
        }
        Runnable registeredTask = onRegistered.getAndSet(null);
        if (registeredTask != null) {
            registeredTask.run(); // the attach below runs alongside what this sent
        }
        if (old != null && !r.parent().map(NodeInfo::nodeId).orElse("").equals(old.nodeId())) {
            // leave the old parent explicitly, or it drops this node as silent and reports it down
            link.send(old, new OverlayMessage.Detach(service, self.nodeId()), callTimeout, 1);
        }
        r.parent().ifPresent(this::attachOrReparent);
    }

    /**
     * Registers again although registered: the root keeps a live node's place and answers the
     * same parent, but a node it marked down by mistake (a late heartbeat taken for a death)
     * becomes live again and may get another parent, to which this node then attaches.
     */
    private void refresh() {
        boolean notServing;
        synchronized (this) {
            notServing = !serving;
        }
        if (notServing) {
            assertServing(false); // keeps the node down at the root, and re-registers it at a root that lost it
            return;
        }
        Optional<Message> reply = root.call(service, new RootMessage.RegisterNode(service, self));
        if (reply.isPresent() && reply.get() instanceof RootMessage.ErrorReply e && e.code().equals("NOT_FOUND")) {
            // anti-entropy: the root lost the tree (a new or rebuilt database): this node asserts its place again
            log.info("{}: {}: the root does not know the tree: registering again", self.nodeId(), service);
            synchronized (this) {
                registered = false;
            }
            register();
            return;
        }
        if (reply.isEmpty() || !(reply.get() instanceof RootMessage.Registered r)) {
            return;
        }
        synchronized (this) {
            rootServing = true;
        }
        NodeInfo current;
        synchronized (this) {
            current = parent;
        }
        String now = r.parent().map(NodeInfo::nodeId).orElse("");
        String was = current == null ? "" : current.nodeId();
        if (!now.equals(was)) {
            log.info("{}: {}: root holds parent '{}' (this node had '{}'): re-attaching", self.nodeId(), service, now, was);
            if (current != null) {
                link.send(current, new OverlayMessage.Detach(service, self.nodeId()), callTimeout, 1);
            }
            synchronized (this) {
                parent = null;
                attaching = null;
            }
            r.parent().ifPresent(this::attachOrReparent);
        }
    }

    /**
     * Attaches to {@code candidate}; when it does not answer the attach nor the confirming probe,
     * reports it dead and tries the next parent (one that answers the probe is tried again later).
     */
    private void attachOrReparent(NodeInfo candidate) {
        NodeInfo next = candidate;
        for (int i = 0; i < MAX_REPARENTS_PER_TICK && next != null; i++) {
            if (hasLeft()) {
                return; // left meanwhile (a round under way while the instance signed off): attach nowhere
            }
            if (next.nodeId().equals(self.nodeId())) {
                log.warn("{}: {}: root assigned this node as its own parent; staying top", self.nodeId(), service);
                break; // and attaching to nothing
            }
            synchronized (this) {
                attaching = next;
            }
            Optional<Message> ack = link.send(next, new OverlayMessage.Attach(service, self), callTimeout, 2);
            if (ack.isPresent() && ack.get() instanceof OverlayMessage.AttachAck) {
                synchronized (this) {
                    attaching = null;
                    parent = next;
                    parentDetector = newDetector();
                    parentConfirmedDead = null;
                }
                log.info("{}: {}: attached to parent {}", self.nodeId(), service, next.nodeId());
                return;
            }
            if (ack.isEmpty()) {
                boolean lossy;
                synchronized (this) {
                    lossy = lostLately();
                }
                if (confirm(next, lossy).isPresent()) {
                    // alive: the Attach was lost, not the parent; the next refresh (or heartbeat) attaches again
                    log.info("{}: {}: parent {} did not answer the attach but answered a probe: attaching later", self.nodeId(),
                            service, next.nodeId());
                    return;
                }
            }
            if (hasLeft()) {
                return; // no orphan report after the sign-off: it would put this node back into the tree
            }
            next = orphanReportFor(next).orElse(null);
        }
        synchronized (this) {
            attaching = null; // gave up on every candidate this round: top, or the root did not answer
        }
    }

    private synchronized boolean hasLeft() {
        return left;
    }

    private void reportOrphan(NodeInfo deadParent) {
        orphanReportFor(deadParent).ifPresent(this::attachOrReparent);
    }

    /** Tells the root the parent is gone; the new parent, or empty when top or the root did not answer. */
    private Optional<NodeInfo> orphanReportFor(NodeInfo deadParent) {
        synchronized (this) {
            orphanReports++;
            parent = null;
        }
        log.info("{}: {}: parent {} gone, reporting orphan", self.nodeId(), service, deadParent.nodeId());
        Optional<Message> reply = root.call(service, new RootMessage.OrphanReport(service, self.nodeId(), deadParent.nodeId()));
        if (reply.isPresent() && reply.get() instanceof RootMessage.Registered r) {
            return r.parent();
        }
        if (reply.isPresent() && reply.get() instanceof RootMessage.ErrorReply e && e.code().equals("NOT_FOUND")) {
            synchronized (this) {
                registered = false; // the root forgot this node: register again as a leaf
            }
            return Optional.empty();
        }
        synchronized (this) {
            parent = deadParent; // the root did not answer: keep the old parent (still suspected), try again next round
        }
        return Optional.empty();
    }

    /**
     * Heartbeats the parent, two tries over the two paths (see {@link OverlayLink#probe}); true
     * when its detector now suspects it dead.
     */
    private boolean heartbeat(NodeInfo p) {
        boolean probeFirst;
        synchronized (this) {
            probeFirst = (heartbeats++ & 1) == 1;
        }
        Optional<Message> reply = twoPaths(p, new OverlayMessage.Heartbeat(service, self.nodeId()), probeFirst);
        if (reply.isPresent() && reply.get() instanceof OverlayMessage.HeartbeatAck ack && ack.known()) {
            synchronized (this) {
                parentDetector.round(true);
                parentConfirmedDead = null;
            }
            return false;
        }
        if (reply.isPresent()) {
            // the parent answers but does not hold this child (restarted, or dropped it): attach again
            synchronized (this) {
                parentDetector.round(true);
                parentConfirmedDead = null;
            }
            attachOrReparent(p);
            return false;
        }
        boolean lossy;
        synchronized (this) {
            parentDetector.round(false);
            if (!parentDetector.suspect()) {
                return false;
            }
            if (parentConfirmedDead == p) {
                return true; // confirmed before (the root has not taken the report yet)
            }
            lossy = parentDetector.lossEstimate() > 0 || lostLately();
        }
        if (lossy) {
            int silent;
            synchronized (this) {
                silent = parentDetector.silentRounds();
            }
            Optional<Message> confirmed = confirm(p, true);
            if (confirmed.isPresent()) {
                synchronized (this) {
                    parentDetector.round(true);
                    refutedSuspicions++;
                }
                log.info("{}: {}: parent {} silent for {} rounds but answered a probe: kept", self.nodeId(), service,
                        p.nodeId(), silent);
                if (!(confirmed.get() instanceof OverlayMessage.HeartbeatAck ack && ack.known())) {
                    attachOrReparent(p);
                }
                return false;
            }
        }
        synchronized (this) {
            parentConfirmedDead = p;
            log.info("{}: {}: parent {} silent for {} rounds (round loss estimate {}, {}): taken for dead", self.nodeId(),
                    service, p.nodeId(), parentDetector.silentRounds(), String.format(java.util.Locale.ROOT, "%.2f", parentDetector.lossEstimate()),
                    lossy ? "no answer to the confirming probe" : "a clean link: not probed");
        }
        return true;
    }

    /** Under the lock: whether a heartbeat try of this node went unanswered lately in a round that was heard (lossy links). */
    private boolean lostLately() {
        return heartbeats - lastTryLost <= LOSS_MEMORY;
    }

    /**
     * The confirming probe of a suspected peer (SWIM's "suspect, then confirm"): a Heartbeat
     * from this node. On a link that lost heartbeats lately ({@code lossy}) three tries of a
     * whole heartbeat interval each: over the probe path's connection, then over the main
     * path's, then over a fresh connection of the main path (the transport replaces a
     * connection that returned nothing): a segment that TCP retransmits with back-off holds up
     * everything behind it on its connection for seconds, a fresh connection is not held up.
     * On a clean link one short try over the main path (a silence there most likely means
     * death, and the detection time stays as it was).
     */
    private Optional<Message> confirm(NodeInfo peer, boolean lossy) {
        OverlayMessage.Heartbeat probe = new OverlayMessage.Heartbeat(service, self.nodeId());
        if (!lossy) {
            return link.send(peer, probe, heartbeatTimeout, 1);
        }
        Duration wait = policies.heartbeatInterval();
        Optional<Message> reply = link.probe(peer, probe, wait);
        return reply.isPresent() ? reply : link.send(peer, probe, wait, 2);
    }

    /**
     * One try over each path, the second only when the first got no reply; each a single
     * attempt. Heartbeats alternate which path goes first, so both connections carry traffic
     * every other round: each stays open with a fresh round-trip estimate (a connection used
     * only now and then under loss keeps a backed-off retransmission timer and answers late).
     */
    private Optional<Message> twoPaths(NodeInfo peer, OverlayMessage message, boolean probeFirst) {
        Optional<Message> reply = probeFirst ? link.probe(peer, message, heartbeatTimeout)
                : link.send(peer, message, heartbeatTimeout, 1);
        if (reply.isPresent()) {
            return reply;
        }
        Optional<Message> second = probeFirst ? link.send(peer, message, heartbeatTimeout, 1)
                : link.probe(peer, message, heartbeatTimeout);
        if (second.isPresent()) {
            synchronized (this) {
                lastTryLost = heartbeats; // a try lost while the peer lived: loss, not death (a dead peer loses both)
            }
        }
        return second;
    }

    /**
     * One round of each child's detector (heard within the last interval and a half, or not);
     * each suspected child is probed before it is dropped (see the class comment).
     */
    private void dropSilentChildren() {
        Instant heardAfter = clock.instant().minus(policies.heartbeatInterval()).minus(policies.heartbeatInterval().dividedBy(2));
        List<Child> suspected = new ArrayList<>();
        synchronized (this) {
            for (Child c : children.values()) {
                c.detector.round(!c.lastSeen.isBefore(heardAfter));
                if (c.detector.suspect()) {
                    suspected.add(c);
                }
            }
        }
        for (Child c : suspected) {
            confirmChild(c);
        }
    }

    /** Probes a suspected child (outside the lock: it blocks for up to three tries, see {@link #confirm}) and acts on the verdict. */
    private void confirmChild(Child c) {
        String id = c.node().nodeId();
        boolean lossy;
        synchronized (this) {
            lossy = c.detector.lossEstimate() > 0 || lostLately();
        }
        Optional<Message> reply = confirm(c.node(), lossy);
        boolean mine = reply.isPresent() && reply.get() instanceof OverlayMessage.HeartbeatAck ack && ack.known();
        int silent;
        synchronized (this) {
            silent = c.detector.silentRounds();
            if (children.get(id) != c) {
                return; // detached, or attached again meanwhile
            }
            if (mine) {
                c.detector.round(true); // it answered: the silence ends (and counts as loss in the estimate)
                c.lastSeen = clock.instant();
                refutedSuspicions++;
            } else {
                children.remove(id);
                if (reply.isPresent()) {
                    refutedSuspicions++; // alive, attached elsewhere (its Detach was lost): forgotten, not reported
                } else {
                    droppedChildren++;
                    pendingDown.add(id);
                }
            }
        }
        if (mine) {
            log.info("{}: {}: child {} silent for {} rounds but answered a probe: kept", self.nodeId(), service, id, silent);
        } else if (reply.isPresent()) {
            log.info("{}: {}: child {} silent but answered a probe holding another parent: forgotten (not reported)",
                    self.nodeId(), service, id);
        } else {
            log.info("{}: {}: child {} silent, dropped", self.nodeId(), service, id);
        }
    }

    /** Under the round lock: tells the root each dropped child is down, unless it came back meanwhile. */
    private void reportDroppedChildren() {
        List<String> report;
        synchronized (this) {
            pendingDown.removeIf(children::containsKey);
            report = List.copyOf(pendingDown);
        }
        for (String id : report) {
            Optional<Message> reply = root.call(service, new RootMessage.NodeState(service, id, false));
            if (reply.isPresent()) {
                synchronized (this) {
                    pendingDown.remove(id); // acknowledged, or refused (NOT_FOUND: the root forgot it): done either way
                }
            }
        }
    }

    // ---- handlers for the tree socket (never block) ----

    public synchronized Message onAttach(OverlayMessage.Attach attach) {
        if (left) {
            return new RootMessage.ErrorReply("NOT_FOUND", self.nodeId() + " no longer hosts " + service);
        }
        children.put(attach.child().nodeId(), new Child(attach.child(), clock.instant(), newDetector()));
        pendingDown.remove(attach.child().nodeId());
        return new OverlayMessage.AttachAck(service, self.nodeId());
    }

    /**
     * A child's heartbeat (known: this node holds it as a child), or its parent's confirming
     * probe (known: the sender is this node's parent).
     */
    public synchronized Message onHeartbeat(OverlayMessage.Heartbeat hb) {
        Child c = children.get(hb.nodeId());
        if (c == null || left) {
            boolean fromParent = !left && parent != null && parent.nodeId().equals(hb.nodeId());
            return new OverlayMessage.HeartbeatAck(service, self.nodeId(), fromParent);
        }
        c.lastSeen = clock.instant();
        return new OverlayMessage.HeartbeatAck(service, self.nodeId(), true);
    }

    public synchronized Message onDetach(OverlayMessage.Detach detach) {
        if (children.remove(detach.nodeId()) == null && parent != null && parent.nodeId().equals(detach.nodeId())) {
            parentLeft = true; // handled on the next tick: report the orphan, attach elsewhere
        }
        return new RootMessage.Ack();
    }

    /** The deployment is removed: tell parent and children, sign off at the root. */
    public void leave() {
        if (detachAll()) {
            root.call(service, new RootMessage.SignOff(service, self.nodeId()));
            log.info("{}: {}: signed off", self.nodeId(), service);
        }
    }

    /**
     * An idle instance asks to leave: the root signs it off only if at least
     * {@code minInstances} live instances remain without it (decided atomically there, see
     * {@link RootMessage.ConditionalSignOff}). Granted: this membership has left (parent and
     * children told, no more rounds), and the caller stops the instance; a later
     * {@link #leave()} does nothing. Refused: nothing changed. Empty when the root did not
     * answer with a decision (nothing changed either).
     */
    public Optional<RootMessage.SignOffDecision> leaveIfAtLeast(int minInstances) {
        round.lock();
        try {
            synchronized (this) {
                if (left) {
                    return Optional.empty();
                }
            }
            Optional<Message> reply = root.call(service, new RootMessage.ConditionalSignOff(service, self.nodeId(), minInstances));
            if (reply.isEmpty() || !(reply.get() instanceof RootMessage.SignOffDecision d)) {
                log.info("{}: {}: no decision on leaving from the root: {}", self.nodeId(), service,
                        reply.map(Object::toString).orElse("no answer"));
                return Optional.empty();
            }
            if (d.granted()) {
                detachAll();
                log.info("{}: {}: signed off (granted: {} live instance(s) remain, min {})", self.nodeId(), service,
                        d.liveInstances(), d.minInstances());
            }
            return Optional.of(d);
        } finally {
            round.unlock();
        }
    }

    /** Marks this membership left and tells parent and children; false when it had left already. */
    private boolean detachAll() {
        NodeInfo p;
        List<NodeInfo> kids;
        synchronized (this) {
            if (left) {
                return false;
            }
            left = true;
            p = parent;
            kids = children.values().stream().map(Child::node).toList();
            children.clear();
            parent = null;
            attaching = null;
        }
        OverlayMessage.Detach bye = new OverlayMessage.Detach(service, self.nodeId());
        if (p != null) {
            link.send(p, bye, callTimeout, 1);
        }
        for (NodeInfo k : kids) {
            link.send(k, bye, callTimeout, 1);
        }
        return true;
    }
}
