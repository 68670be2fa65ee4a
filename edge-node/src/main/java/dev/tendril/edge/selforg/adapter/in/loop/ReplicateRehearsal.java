package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.slf4j.helpers.NOPLogger;

import java.util.List;
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
        String service = spec.service();
        TreeMessenger silent = new TreeMessenger() {
            @Override
            public void send(NodeInfo to, SelfOrgMessage message) {
            }

            @Override
            public void sendToPlatform(String platformId, SelfOrgMessage message) {
            }
        };
        AgentContext scratch = node.withPorts(new SplittableRandom(7), silent, host, new EventLog(node.nodeId(), node.clock(), 16, false));
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
        return List.of(first, second);
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
