package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.OverlayLink;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Thresholds;
import dev.tendril.protocol.spec.Validated;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A replica is told ready (its ReplicaReady leaves) once the root acknowledged its registration,
 * before its Attach to the parent the root named: an Attach that goes unanswered or fails holds
 * nothing back, the replica is still deployed, told once, and a later round of its membership
 * attaches it; a registration the root did not answer still has the replica told after the
 * deploy, once.
 */
class ReadyBeforeAttachTest {
    static final long GI = 1L << 30;
    static final String SPEC = "service: web\nimage: demo:1\ncommand: [httpd, -f]\n"
            + "ports: [{name: http, containerPort: 8080, hostPort: 18080}]\nzone: svc.example.edge\n";
    static final NodeInfo MUNICH = new NodeInfo("munich", "127.0.0.2", new GeoPoint(48.14, 11.58), List.of(), 7400);

    /** munich's tree socket as a test scripts it; every Attach is noted in the shared log. */
    final class ScriptedParent implements OverlayLink {
        boolean answersAttach = true;
        RuntimeException attachFails;

        @Override
        public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
            if (message instanceof OverlayMessage.Attach a) {
                log.add("attach " + peer.nodeId());
                if (attachFails != null) {
                    throw attachFails;
                }
                return answersAttach ? Optional.of(new OverlayMessage.AttachAck(a.service(), peer.nodeId())) : Optional.empty();
            }
            if (message instanceof OverlayMessage.Heartbeat h) {
                return Optional.of(new OverlayMessage.HeartbeatAck(h.service(), peer.nodeId(), true)); // alive
            }
            return Optional.empty();
        }
    }

    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final List<String> log = new ArrayList<>();
    final ScriptedParent munich = new ScriptedParent();
    final Overlay overlay = new Overlay();
    final List<Runnable> posted = new ArrayList<>();
    final List<ReplicaHost.Deployed> ready = new ArrayList<>();
    final List<ReplicaHost.Outcome> done = new ArrayList<>();
    final HostedReplicaHost garching;

    ReadyBeforeAttachTest() {
        root.call("web", new RootMessage.CreateTree("web", MUNICH));
        Platform p = new Platform("garching", "garching", "127.0.0.3", new GeoPoint(48.25, 11.65),
                new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
        Function<String, Validated<DeploymentSpec>> parser = t -> YamlDocuments.spec(t, 256 << 10);
        Deployments deployments = new Deployments(p, "svc.example.edge", new InMemoryContainerRuntime(Set.of("demo:1")),
                parser, clock);
        HostedServices hosted = new HostedServices(p, deployments, overlay, root, munich, clock, policies,
                (interval, task) -> () -> { }, parser);
        hosted.overlayPort(7400);
        garching = new HostedReplicaHost("garching", hosted, deployments, Runnable::run, posted::add, clock);
    }

    void replicate(NodeInfo offeredBy) {
        garching.deploy("web", SPEC, offeredBy, ok -> {
            log.add("ready " + ok.instance().nodeId());
            ready.add(ok);
        }, done::add);
        posted.forEach(Runnable::run); // the self-organization thread takes the outcome
    }

    ServiceMembership membership() {
        return overlay.get("web").orElseThrow();
    }

    /** Root rounds (on the fake clock, nothing else) until the membership has a parent, at most {@code max}. */
    Optional<String> parentWithin(int max) {
        for (int i = 0; i < max && membership().view().parentId().isEmpty(); i++) {
            membership().rootRound();
        }
        return membership().view().parentId();
    }

    @Test
    void readyLeavesOnceTheRootAcknowledgedTheRegistrationAndTheAttachFollows() {
        replicate(MUNICH);
        assertEquals(List.of("ready garching", "attach munich"), log);
        assertEquals("munich", root.trees.get("web").get("garching").parentId(), "registered under munich first");
        assertEquals(Optional.of("munich"), membership().view().parentId(), "then attached");
        assertSame(ready.get(0), assertInstanceOf(ReplicaHost.Deployed.class, done.get(0)), "one outcome, told once");
    }

    @Test
    void anAttachThatGoesUnansweredHoldsNothingBackAndALaterRoundAttaches() {
        munich.answersAttach = false; // lost; munich answers the confirming probe, so it is kept as the parent
        replicate(MUNICH);
        assertEquals(List.of("ready garching", "attach munich"), log);
        assertSame(ready.get(0), assertInstanceOf(ReplicaHost.Deployed.class, done.get(0)));
        assertEquals(Optional.empty(), membership().view().parentId(), "not attached yet");

        munich.answersAttach = true;
        assertEquals(Optional.of("munich"), parentWithin(8), "the membership's refresh attaches it");
        assertEquals(1, ready.size(), "told once");
    }

    @Test
    void anAttachThatFailsLeavesTheReplicaDeployedAndToldAndALaterRoundAttaches() {
        munich.attachFails = new IllegalStateException("socket closed under the attach");
        replicate(MUNICH);
        assertEquals(List.of("ready garching", "attach munich"), log);
        assertSame(ready.get(0), assertInstanceOf(ReplicaHost.Deployed.class, done.get(0)),
                "registered, so deployed: the origin is not told it failed");

        munich.attachFails = null;
        assertEquals(Optional.of("munich"), parentWithin(8));
        assertEquals(1, ready.size());
    }

    @Test
    void aRegistrationTheRootDidNotAnswerHasReadyToldAfterTheDeployOnce() {
        root.unreachable = true;
        replicate(null); // no membership check (it needs the root)
        assertEquals(List.of("ready garching"), log, "told after the deploy, as before, though not registered yet");
        assertSame(ready.get(0), done.get(0));

        root.unreachable = false;
        membership().rootRound(); // registers, then attaches
        assertEquals(List.of("ready garching", "attach munich"), log, "not told again at the later registration");
        assertEquals(Optional.of("munich"), membership().view().parentId());
    }
}
