package dev.tendril.edge.selforg;

import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A replica's ReplicaReady leaves from the deployment's thread as soon as the replica is
 * registered (before its Attach), not when the outcome reaches the agent's thread (which may be in the
 * middle of a round with a root round trip): each requester is told once, whether it asked
 * before the replica was ready, after, or the host tells the agent's thread only.
 */
class ReplicaReadyTest {
    private static final NodeInfo MUNICH = node("munich", 48.14, 11.58);
    private static final NodeInfo AUGSBURG = node("augsburg", 48.37, 10.90);
    private static final NodeInfo ERDING = node("erding", 48.31, 11.91);
    private static final DeploymentSpec WEB = SimWorld.spec("web", 0, Duration.ofHours(1), 1);

    private static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "10.1.0.1", new GeoPoint(lat, lon), List.of(), 7400);
    }

    private record Sent(String to, SelfOrgMessage message) {
    }

    /** Deploys nothing by itself: the test plays the deployment's thread ({@code ready}) and the agent's ({@code done}). */
    private static final class HeldHost implements ReplicaHost {
        final boolean tellsReady;
        Consumer<Deployed> ready;
        Consumer<Outcome> done;
        int deploys;

        HeldHost(boolean tellsReady) {
            this.tellsReady = tellsReady;
        }

        @Override
        public void deploy(String service, String specYaml, Consumer<Outcome> done) {
            deploys++;
            this.done = done;
        }

        @Override
        public void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Deployed> ready, Consumer<Outcome> done) {
            if (!tellsReady) {
                ReplicaHost.super.deploy(service, specYaml, offeredBy, ready, done);
                return;
            }
            deploys++;
            this.ready = ready;
            this.done = done;
        }

        @Override
        public Termination terminate(String service, int minInstances) {
            return new Unanswered("not in this test");
        }
    }

    private final List<Sent> sent = new ArrayList<>();

    private NodeAgent garching(HeldHost host) {
        SimWorld w = new SimWorld(3, SimWorld.testPolicy());
        w.platform("garching", 48.25, 11.65);
        w.start();
        AgentContext sim = w.node("garching").agent().context();
        TreeMessenger recording = new TreeMessenger() {
            @Override
            public void send(NodeInfo to, SelfOrgMessage message) {
                sent.add(new Sent(to.nodeId(), message));
            }

            @Override
            public void sendToPlatform(String platformId, SelfOrgMessage message) {
                sent.add(new Sent(platformId, message));
            }
        };
        AgentContext ctx = sim.withPorts(sim.random(), recording, host, sim.events());
        return new NodeAgent(ctx, w.node("garching").nodeInfo());
    }

    private static ReplicaHost.Deployed deployed() {
        return new ReplicaHost.Deployed(node("garching", 48.25, 11.65), WEB, Duration.ofMillis(40), Instant.ofEpochMilli(5_000));
    }

    private List<String> readies() {
        return sent.stream().filter(s -> s.message() instanceof ReplicaReady)
                .map(s -> s.to() + " " + ((ReplicaReady) s.message()).requestId()).toList();
    }

    private static String status(Object reply) {
        return assertInstanceOf(ReplicateReply.class, reply).status();
    }

    @Test
    void theReplicaReadyLeavesWhenTheReplicaIsReadyAndEachRequesterIsToldOnce() {
        HeldHost host = new HeldHost(true);
        NodeAgent agent = garching(host);
        assertEquals(ReplicateReply.ACCEPTED, status(agent.onMessage("munich", new Replicate("web", "rep-1", MUNICH, "spec:web"))));
        assertEquals(ReplicateReply.ACCEPTED, status(agent.onMessage("augsburg", new Replicate("web", "rep-2", AUGSBURG, "spec:web"))));
        assertEquals(1, host.deploys);
        assertEquals(List.of(), readies());

        host.ready.accept(deployed()); // the deployment's thread: registered
        assertEquals(List.of("munich rep-1", "augsburg rep-2"), readies(), "told before the agent's thread ran the outcome");

        // asked after the replica was ready, before the agent's thread knows: told at once
        assertEquals(ReplicateReply.ACCEPTED, status(agent.onMessage("erding", new Replicate("web", "rep-3", ERDING, "spec:web"))));
        assertEquals(List.of("munich rep-1", "augsburg rep-2", "erding rep-3"), readies());

        host.done.accept(deployed()); // the agent's thread
        assertEquals(List.of("munich rep-1", "augsburg rep-2", "erding rep-3"), readies(), "nobody is told twice");
        assertEquals(ReplicateReply.HOSTING, status(agent.onMessage("munich", new Replicate("web", "rep-4", MUNICH, "spec:web"))));
        assertEquals(1, host.deploys);
    }

    @Test
    void aHostThatOnlyReportsToTheAgentsThreadStillHasEveryRequesterTold() {
        HeldHost host = new HeldHost(false);
        NodeAgent agent = garching(host);
        agent.onMessage("munich", new Replicate("web", "rep-1", MUNICH, "spec:web"));
        agent.onMessage("augsburg", new Replicate("web", "rep-2", AUGSBURG, "spec:web"));
        assertEquals(List.of(), readies());

        host.done.accept(deployed());
        assertEquals(List.of("munich rep-1", "augsburg rep-2"), readies());
    }

    @Test
    void theContainerStartTravelsRoundedToTheNearestMillisecond() {
        HeldHost host = new HeldHost(true);
        NodeAgent agent = garching(host);
        agent.onMessage("munich", new Replicate("web", "rep-1", MUNICH, "spec:web"));
        host.ready.accept(new ReplicaHost.Deployed(node("garching", 48.25, 11.65), WEB, Duration.ofNanos(15_620_000),
                Instant.ofEpochMilli(5_000)));
        assertEquals(16, ((ReplicaReady) sent.get(0).message()).containerStartMillis(), "15.62 ms, not cut to 15");
        assertEquals(15, new ReplicaHost.Deployed(node("garching", 48.25, 11.65), WEB, Duration.ofNanos(15_499_000),
                Instant.ofEpochMilli(5_000)).containerStartMillis());
    }

    @Test
    void aFailedDeploymentTellsEveryRequesterItFailed() {
        HeldHost host = new HeldHost(true);
        NodeAgent agent = garching(host);
        agent.onMessage("munich", new Replicate("web", "rep-1", MUNICH, "spec:web"));
        agent.onMessage("augsburg", new Replicate("web", "rep-2", AUGSBURG, "spec:web"));

        host.done.accept(new ReplicaHost.Failed("runtime refused"));
        assertEquals(List.of("munich rep-1", "augsburg rep-2"), readies());
        assertEquals(List.of(false, false), sent.stream().map(s -> ((ReplicaReady) s.message()).ok()).toList());
    }
}
