package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.TreeMessenger;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The rehearsal of a replica takes a Replicate through an inbox and an agent as a real one goes
 * (accepted, then hosting) while the node's own host, messenger, events, agent and seeded random
 * generator see nothing: it deploys nothing, sends nothing, records nothing of the node's and draws
 * nothing from its random sequence.
 */
class ReplicateRehearsalTest {
    private static final DeploymentSpec SAMPLE = SimWorld.spec("warm-up", 50, Duration.ofMinutes(10), 1);

    final List<String> touched = new ArrayList<>();

    @Test
    void aRehearsedReplicateIsAcceptedThenHostedAndTheNodeSeesNothing() {
        SimWorld w = new SimWorld(3, SimWorld.testPolicy());
        w.platform("garching", 48.25, 11.65);
        w.start();
        AgentContext sim = w.node("garching").agent().context();
        EventLog events = new EventLog("garching", sim.clock(), 100, false);
        java.util.concurrent.atomic.AtomicInteger draws = new java.util.concurrent.atomic.AtomicInteger();
        java.util.random.RandomGenerator counted = () -> {
            draws.incrementAndGet();
            return sim.random().nextLong();
        };
        AgentContext node = sim.withPorts(counted, recordingMessenger(), recordingHost(), events);
        NodeAgent own = new NodeAgent(node, w.node("garching").nodeInfo());

        List<String> rehearsed = new ArrayList<>();
        EventLog scratchEvents = new EventLog("garching", sim.clock(), 16, false);
        List<Message> replies = ReplicateRehearsal.run(own.context(), w.node("garching").nodeInfo(), SAMPLE, "spec:warm-up",
                reportsDeployed(w.node("garching").nodeInfo(), rehearsed), scratchEvents);

        assertEquals(ReplicateReply.ACCEPTED, assertInstanceOf(ReplicateReply.class, replies.get(0)).status());
        assertEquals(ReplicateReply.HOSTING, assertInstanceOf(ReplicateReply.class, replies.get(1)).status());
        assertEquals(List.of("expect warm-up", "deploy warm-up"), rehearsed, "the rehearsal's own host");
        assertEquals(List.of(), touched, "the node's host and messenger");
        assertEquals(List.of(), events.all(), "the node's events");
        assertEquals(java.util.Set.of(), own.services(), "the node's agent");
        assertEquals(0, draws.get(), "the node's seeded random generator (its sequence; not thread-safe)");
        // then a hop of three searches: users at the node (offered here: the simulated node has room),
        // users beyond its reach (forwarded up to the made-up parent), the same coming back from it (sent
        // back towards the origin, its next branch)
        assertEquals(List.of(dev.tendril.edge.selforg.domain.EventKind.SEARCH_OFFERED,
                dev.tendril.edge.selforg.domain.EventKind.SEARCH_FORWARDED,
                dev.tendril.edge.selforg.domain.EventKind.SEARCH_FORWARDED), ReplicateRehearsal.searchEvents(scratchEvents));
    }

    TreeMessenger recordingMessenger() {
        return new TreeMessenger() {
            @Override
            public void send(NodeInfo to, SelfOrgMessage message) {
                touched.add("send " + message.type());
            }

            @Override
            public void sendToPlatform(String platformId, SelfOrgMessage message) {
                touched.add("send " + message.type());
            }

            @Override
            public void prepare(NodeInfo to) {
                touched.add("prepare " + to.nodeId());
            }
        };
    }

    /** The rehearsal's host: reports the sample deployed and registered at once, on the caller's thread. */
    static ReplicaHost reportsDeployed(NodeInfo instance, List<String> calls) {
        return new ReplicaHost() {
            @Override
            public void deploy(String service, String specYaml, Consumer<Outcome> done) {
                deploy(service, specYaml, null, ok -> { }, done);
            }

            @Override
            public void deploy(String service, String specYaml, NodeInfo offeredBy, Consumer<Deployed> ready,
                               Consumer<Outcome> done) {
                calls.add("deploy " + service);
                Deployed ok = new Deployed(instance, SAMPLE, Duration.ZERO, java.time.Instant.EPOCH, true);
                ready.accept(ok);
                done.accept(ok);
            }

            @Override
            public void expect(String service, String origin, String specYaml) {
                calls.add("expect " + service);
            }

            @Override
            public Termination terminate(String service, int minInstances) {
                return new Unanswered("a rehearsal terminates nothing");
            }
        };
    }

    ReplicaHost recordingHost() {
        return new ReplicaHost() {
            @Override
            public void deploy(String service, String specYaml, Consumer<Outcome> done) {
                touched.add("deploy " + service);
            }

            @Override
            public void expect(String service, String origin, String specYaml) {
                touched.add("expect " + service);
            }

            @Override
            public Termination terminate(String service, int minInstances) {
                touched.add("terminate " + service);
                return new Unanswered("test");
            }
        };
    }
}
