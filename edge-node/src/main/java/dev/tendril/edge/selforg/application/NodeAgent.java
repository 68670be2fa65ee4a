package dev.tendril.edge.selforg.application;

import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateSoon;
import dev.tendril.protocol.spec.DeploymentSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Self-organization of one edge node: a {@link ServiceAgent} per hosted service, the
 * dispatch of received self-organization messages, and the candidate side of replication.
 * A Replicate is idempotent: while the service is being deployed here every request for it
 * (a retry with the same id, or another origin's) is answered "accepted" and joins the
 * list of requesters told when it is ready; once hosted, requests are answered "hosting".
 * So however often a request is delivered, the platform deploys the service once.
 * Not thread-safe: one thread calls everything (see {@link ServiceAgent}), except the
 * ReplicaReady of a replica deployed here, sent from the deployment's thread ({@link Deploying}).
 */
public final class NodeAgent {
    /**
     * Said by a REPLICA_STARTED event whose origin's membership the root had answered before the
     * Replicate came (on its ReplicateSoon): the replication made one root round trip fewer.
     * compose/experiments' runner (TopologyEvents) reads the path by this text.
     */
    public static final String MEMBERSHIP_AHEAD = "the origin's membership was checked ahead of its Replicate";

    /**
     * In an origin's REPLICA_REGISTERED: it learnt of the registration from the root's answer to its
     * registration watch, not from the replica's ReplicaReady (the topology runner's path formula reads it).
     */
    public static final String ROOT_TOLD = "registered (the root told)";

    private record Waiter(NodeInfo requester, String requestId) {
    }

    /**
     * A replica being deployed here and who asked for it. Its ReplicaReady goes out from the
     * deployment's thread the moment the root acknowledged the replica's registration
     * ({@link #ready}; the Attach to its parent runs meanwhile), not once the outcome reaches the
     * agent's thread, which may be in the middle of a round (a root round trip: tens of ms under
     * load, docs/evaluation.md); so the waiters are guarded here.
     */
    private static final class Deploying {
        final String specYaml;
        private final List<Waiter> waiters = new ArrayList<>();
        private final Set<Waiter> told = new java.util.HashSet<>();
        private ReplicaHost.Deployed ready;

        Deploying(String specYaml, Waiter first) {
            this.specYaml = specYaml;
            waiters.add(first);
        }

        /** Adds a waiter (once); returns the outcome to tell it at once if the replica is ready already. */
        synchronized Optional<ReplicaHost.Deployed> join(Waiter w) {
            if (!waiters.contains(w)) {
                waiters.add(w);
            }
            if (ready != null && told.add(w)) {
                return Optional.of(ready);
            }
            return Optional.empty();
        }

        /** The replica is ready: the waiters not told yet, now counted as told. */
        synchronized List<Waiter> ready(ReplicaHost.Deployed ok) {
            ready = ok;
            return untold();
        }

        synchronized List<Waiter> untold() {
            List<Waiter> out = waiters.stream().filter(told::add).toList();
            return out;
        }

        synchronized List<Waiter> all() {
            return List.copyOf(waiters);
        }

        synchronized String firstId() {
            return waiters.isEmpty() ? "" : waiters.get(0).requestId();
        }
    }

    private final AgentContext ctx;
    private final NodeInfo platformNode;
    private final Map<String, ServiceAgent> agents = new TreeMap<>();
    private final Map<String, Deploying> deploying = new TreeMap<>();
    private long unknownService;

    /**
     * @param platformNode this platform as a node (id, address, position; ports empty), named in
     *                     failure reports before the service has an instance here
     */
    public NodeAgent(AgentContext ctx, NodeInfo platformNode) {
        this.ctx = ctx;
        this.platformNode = platformNode;
    }

    public AgentContext context() {
        return ctx;
    }

    /** Starts self-organizing a service deployed here (idempotent). */
    public void host(DeploymentSpec spec, String specYaml) {
        agents.computeIfAbsent(spec.service(), s -> new ServiceAgent(ctx, spec, specYaml));
    }

    /** Stops self-organizing a service (removed by an admin). */
    public void unhost(String service) {
        agents.remove(service);
    }

    public Set<String> services() {
        return Set.copyOf(agents.keySet());
    }

    public Optional<ServiceAgent> agent(String service) {
        return Optional.ofNullable(agents.get(service));
    }

    /** Messages for services this node does not host. */
    public long unknownServiceCount() {
        return unknownService;
    }

    /** One round of every agent; terminated agents are dropped. */
    public void tick() {
        for (ServiceAgent a : List.copyOf(agents.values())) {
            a.tick();
        }
        agents.values().removeIf(ServiceAgent::terminated);
    }

    /** Handles a received message; returns the reply (an Ack, or a ReplicateReply to a Replicate). */
    public Message onMessage(String from, SelfOrgMessage m) {
        if (m instanceof Replicate r) {
            return onReplicate(r);
        }
        if (m instanceof ReplicateSoon soon) {
            if (!agents.containsKey(soon.service()) && !deploying.containsKey(soon.service())) {
                ctx.host().expect(soon.service(), soon.requesterId(), soon.specYaml()); // its Replicate then skips the membership round trip and the signature check
            }
            return new RootMessage.Ack();
        }
        ServiceAgent a = agents.get(m.service());
        if (a == null) {
            unknownService++;
        } else {
            a.onMessage(from, m);
        }
        return new RootMessage.Ack();
    }

    private ReplicateReply onReplicate(Replicate r) {
        String service = r.service();
        ServiceAgent a = agents.get(service);
        if (a != null && !a.terminated()) {
            NodeInfo instance = ctx.tree().self(service).orElse(platformNode);
            return new ReplicateReply(service, r.requestId(), ReplicateReply.HOSTING, "already hosts " + service,
                    Optional.of(instance));
        }
        Deploying d = deploying.get(service);
        if (d != null) {
            Waiter w = new Waiter(r.requester(), r.requestId());
            d.join(w).ifPresent(ok -> tellReady(service, w, ok));
            return new ReplicateReply(service, r.requestId(), ReplicateReply.ACCEPTED, "already deploying " + service,
                    Optional.empty());
        }
        Deploying started = new Deploying(r.specYaml(), new Waiter(r.requester(), r.requestId()));
        deploying.put(service, started);
        ctx.messenger().prepare(r.requester()); // the ReplicaReady goes there once deployed
        ctx.host().deploy(service, r.specYaml(), r.requester(),
                ok -> started.ready(ok).forEach(w -> tellReady(service, w, ok)), // on the deployment's thread
                outcome -> deployed(service, outcome));
        return new ReplicateReply(service, r.requestId(), ReplicateReply.ACCEPTED, "deploying", Optional.empty());
    }

    /** Thread-safe (the messenger is): called from the deployment's thread as well as the agent's. */
    private void tellReady(String service, Waiter w, ReplicaHost.Deployed ok) {
        ctx.messenger().send(w.requester(), new ReplicaReady(service, w.requestId(), ok.instance(), true,
                ok.containerStartMillis(), ok.registeredAt().toEpochMilli(), ""));
    }

    private void deployed(String service, ReplicaHost.Outcome outcome) {
        Deploying d = deploying.remove(service);
        if (d == null) {
            return;
        }
        String firstId = d.firstId();
        if (outcome instanceof ReplicaHost.Deployed ok) {
            long startMillis = ok.containerStartMillis();
            // stamped at the registration (when the ReplicaReady left), not now, after the attach
            ctx.events().recordAt(ok.registeredAt(), service, EventKind.REPLICA_STARTED, firstId, "replica of " + service
                    + " running here, registered (then attached); container start " + startMillis + " ms"
                    + (ok.membershipAhead() ? "; " + MEMBERSHIP_AHEAD : ""), startMillis);
            host(ok.spec(), d.specYaml);
            d.ready(ok).forEach(w -> tellReady(service, w, ok)); // those the deployment's thread did not tell (a host without it)
        } else {
            String reason = ((ReplicaHost.Failed) outcome).reason();
            ctx.events().record(service, EventKind.REPLICA_REFUSED, firstId, "deployment here failed: " + reason);
            for (Waiter w : d.all()) {
                ctx.messenger().send(w.requester(), new ReplicaReady(service, w.requestId(), platformNode, false, 0, 0, reason));
            }
        }
    }
}
