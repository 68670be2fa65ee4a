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
 * Not thread-safe: one thread calls everything (see {@link ServiceAgent}).
 */
public final class NodeAgent {
    private record Waiter(NodeInfo requester, String requestId) {
    }

    private record Deploying(String specYaml, List<Waiter> waiters) {
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
            if (!d.waiters().contains(w)) {
                d.waiters().add(w);
            }
            return new ReplicateReply(service, r.requestId(), ReplicateReply.ACCEPTED, "already deploying " + service,
                    Optional.empty());
        }
        deploying.put(service, new Deploying(r.specYaml(), new ArrayList<>(List.of(new Waiter(r.requester(), r.requestId())))));
        ctx.messenger().prepare(r.requester()); // the ReplicaReady goes there once deployed
        ctx.host().deploy(service, r.specYaml(), r.requester(), outcome -> deployed(service, outcome));
        return new ReplicateReply(service, r.requestId(), ReplicateReply.ACCEPTED, "deploying", Optional.empty());
    }

    private void deployed(String service, ReplicaHost.Outcome outcome) {
        Deploying d = deploying.remove(service);
        if (d == null) {
            return;
        }
        String firstId = d.waiters().isEmpty() ? "" : d.waiters().get(0).requestId();
        if (outcome instanceof ReplicaHost.Deployed ok) {
            long startMillis = ok.containerStart().toMillis();
            ctx.events().record(service, EventKind.REPLICA_STARTED, firstId, "replica of " + service
                    + " running here, registered and attached; container start " + startMillis + " ms", startMillis);
            host(ok.spec(), d.specYaml());
            for (Waiter w : d.waiters()) {
                ctx.messenger().send(w.requester(), new ReplicaReady(service, w.requestId(), ok.instance(), true,
                        startMillis, ok.registeredAt().toEpochMilli(), ""));
            }
        } else {
            String reason = ((ReplicaHost.Failed) outcome).reason();
            ctx.events().record(service, EventKind.REPLICA_REFUSED, firstId, "deployment here failed: " + reason);
            for (Waiter w : d.waiters()) {
                ctx.messenger().send(w.requester(), new ReplicaReady(service, w.requestId(), platformNode, false, 0, 0, reason));
            }
        }
    }
}
