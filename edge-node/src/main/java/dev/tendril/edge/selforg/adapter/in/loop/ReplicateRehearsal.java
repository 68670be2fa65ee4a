package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.grid.Capacity;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.slf4j.helpers.NOPLogger;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The candidate side of a replication run once on a scratch agent, so that a node's first real
 * Replicate does not resolve that code's call sites, classes and lambdas on the
 * self-organization thread and the replica host's worker: an inbox whose loop runs each task at
 * once, a {@link NodeAgent} on a copy of the node's context whose messenger sends nothing, whose
 * event log and random generator are its own (the node's seeded one is not drawn from, nor
 * shared with this thread), and whose replica host is the one given: in the node, the real
 * {@code HostedReplicaHost} over hosting that reaches nothing (the warm-up's
 * {@code RehearsalHosting}), so the deploy's own code runs too, on this thread. The hint, the
 * Replicate (accepted, the replica deployed and its requester told) and a second Replicate
 * (hosting) take the paths a real replication takes; the node's own agent, events and peers see
 * none of it. On topology D a node's first Replicate took 1.2-1.6 ms on the self-organization
 * thread against 0.24-0.35 ms for its next, and its arrival to the membership check 3.8-6.1 ms
 * against 0.9-1.1 (docs/evaluation.md, 1c).
 *
 * <p>Then the scratch agent, now hosting the sample, is a hop of three migration searches, as
 * a node of the sample's tree under a made-up parent ({@link #scratchTree}): one for users at the
 * node (offered here, or routed on by the node's real free capacity), one for users beyond its
 * reach (forwarded up to the parent) and the same one coming back from the parent (sent back
 * towards the origin, its next branch). On topology D a node's first search took 1.4-6.3 ms
 * from its arrival to the next message's send against 0.5-0.7 ms for a later one (trace,
 * 2026-12-06).
 */
public final class ReplicateRehearsal {
    private ReplicateRehearsal() {
    }

    /**
     * Runs the rehearsal; returns the replies to the two Replicates ({@code ACCEPTED}, then
     * {@code HOSTING}); throws IllegalStateException when either is not that.
     *
     * @param node the node's own context: its ports are only read (the scratch agent's rounds never run)
     * @param host deploys the replica on the calling thread and must reach nothing of the node's
     */
    public static List<Message> run(AgentContext node, NodeInfo platformNode, DeploymentSpec spec, String specYaml,
                                    ReplicaHost host) {
        return run(node, platformNode, spec, specYaml, host, new EventLog(node.nodeId(), node.clock(), 16, false));
    }

    /** A messenger that sends nothing: the scratch agent's. */
    private static final TreeMessenger SILENT = new TreeMessenger() {
        @Override
        public void send(NodeInfo to, SelfOrgMessage message) {
        }

        @Override
        public void sendToPlatform(String platformId, SelfOrgMessage message) {
        }
    };

    /** As {@link #run(AgentContext, NodeInfo, DeploymentSpec, String, ReplicaHost)}, with the scratch agent's events in {@code events}. */
    static List<Message> run(AgentContext node, NodeInfo platformNode, DeploymentSpec spec, String specYaml,
                             ReplicaHost host, EventLog events) {
        String service = spec.service();
        AgentContext scratch = node.withPorts(new SplittableRandom(7), SILENT, host, events)
                .withTree(scratchTree(service, platformNode));
        NodeAgent agent = new NodeAgent(scratch, platformNode);
        SelfOrgInbox inbox = new SelfOrgInbox(node.nodeId(), Runnable::run, agent::onMessage, 4, SelfOrgLoop.RECEIVE_WAIT,
                new LoopFailures(node.nodeId(), NOPLogger.NOP_LOGGER, node.clock()), NOPLogger.NOP_LOGGER, node.clock());
        NodeInfo origin = new NodeInfo("rehearsal-origin", "192.0.2.2", platformNode.position(), List.of(), platformNode.overlayPort());
        SplittableRandom ids = new SplittableRandom(1);
        inbox.receive(envelope(ids, service, new SelfOrgMessage.ReplicateSoon(service, origin.nodeId(), specYaml)));
        Message first = inbox.receive(envelope(ids, service, new SelfOrgMessage.Replicate(service, "rep-rehearsal-1", origin, specYaml)));
        Message second = inbox.receive(envelope(ids, service, new SelfOrgMessage.Replicate(service, "rep-rehearsal-2", origin, specYaml)));
        expect(first, ReplicateReply.ACCEPTED);
        expect(second, ReplicateReply.HOSTING);
        rehearseSearches(inbox, ids, spec, origin, platformNode, node.clock().millis());
        List<EventKind> routed = searchEvents(events);
        if (routed.size() < 2) {
            throw new IllegalStateException("the rehearsed migration searches were not routed: " + events.all());
        }
        return List.of(first, second);
    }

    /** The kinds of the search events the scratch agent recorded, in order: how it routed the rehearsed searches. */
    static List<EventKind> searchEvents(EventLog events) {
        List<EventKind> kinds = new java.util.ArrayList<>();
        for (SelfOrgEvent e : events.all()) {
            if (e.kind() == EventKind.SEARCH_OFFERED || e.kind() == EventKind.SEARCH_FORWARDED
                    || e.kind() == EventKind.SEARCH_NOT_FOUND) {
                kinds.add(e.kind());
            }
        }
        return kinds;
    }

    /** The made-up parent of the scratch agent's instance in the sample's tree. */
    static final NodeInfo PARENT = new NodeInfo("rehearsal-parent", "192.0.2.3", new GeoPoint(0, 0), List.of(), 7400);

    private static void rehearseSearches(SelfOrgInbox inbox, SplittableRandom ids, DeploymentSpec spec, NodeInfo origin,
                                         NodeInfo platformNode, long nowMillis) {
        String service = spec.service();
        Capacity need = spec.requirements().minimum();
        long deadline = nowMillis + 10_000;
        GeoPoint here = platformNode.position();
        GeoPoint antipode = new GeoPoint(-here.latitude(), here.longitude() > 0 ? here.longitude() - 180 : here.longitude() + 180);
        inbox.receive(envelope(ids, service, new MigrationSearch(service, "mig-rehearsal-1", origin, here, 1, need, 1_000,
                0, 8, deadline, origin.nodeId(), false)));
        MigrationSearch far = new MigrationSearch(service, "mig-rehearsal-2", origin, antipode, 1, need, 100, 0, 8, deadline,
                origin.nodeId(), false);
        inbox.receive(envelope(ids, service, far));
        inbox.receive(envelope(ids, service, far.forwarded(PARENT.nodeId(), false)));
    }

    /** The scratch agent's view of the trees: its instance of {@code service} under {@link #PARENT}, nothing else. */
    static TreePosition scratchTree(String service, NodeInfo platformNode) {
        return new TreePosition() {
            @Override
            public Optional<NodeInfo> self(String s) {
                return s.equals(service) ? Optional.of(platformNode) : Optional.empty();
            }

            @Override
            public Optional<NodeInfo> parent(String s) {
                return s.equals(service) ? Optional.of(PARENT) : Optional.empty();
            }

            @Override
            public List<NodeInfo> children(String s) {
                return List.of();
            }

            @Override
            public Optional<Members> recentMembers(String s) {
                return Optional.empty();
            }
        };
    }

    private static Envelope envelope(SplittableRandom ids, String service, SelfOrgMessage body) {
        return new Envelope(MessageId.random(ids), service, "rehearsal-origin", 0, body);
    }

    private static void expect(Message reply, String status) {
        if (!(reply instanceof ReplicateReply r) || !r.status().equals(status)) {
            throw new IllegalStateException("the rehearsed Replicate was answered " + reply + ", not " + status);
        }
    }
}
