package dev.tendril.edge.bootstrap;

import dev.tendril.edge.adapter.out.yaml.SpecParser;
import dev.tendril.edge.application.SpecSignatures;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.ServiceMembership;
import dev.tendril.edge.selforg.adapter.in.loop.ReplicateRehearsal;
import dev.tendril.edge.selforg.adapter.out.deployment.HostedReplicaHost;
import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.sim.SimWorld;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up's replica rehearsal runs the real replica host's deploy (the sample's signature
 * check and parse, the deployment, the membership's registration and Attach) on hosting whose
 * runtime, root and link reach nothing: the sample ends up deployed and attached there, and
 * only there.
 */
class RehearsalHostingTest {
    static final long GI = 1L << 30;

    @Test
    void aRehearsedReplicaIsDeployedRegisteredAndAttachedOnTheScratchHostingOnly() throws Exception {
        String text = WarmUp.sample();
        DeploymentSpec spec = WarmUp.run(text, WarmUp.signerKey(), t -> SpecParser.parse(t, 256 << 10));
        Clock clock = Clock.systemUTC();
        Platform platform = new Platform("garching", "garching", "127.0.0.3", new GeoPoint(48.25, 11.65),
                new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
        SpecSignatures sample = new SpecSignatures("garching", Map.of(WarmUp.SIGNER, WarmUp.signerKey()), 256 << 10,
                new RefusalLog(NOPLogger.NOP_LOGGER, clock, Duration.ofMinutes(1), 1));
        RehearsalHosting scratch = RehearsalHosting.of(platform, spec.zone(), NodePolicies.preset("local"),
                t -> SpecParser.parse(t, 256 << 10), sample, clock);
        SimWorld w = new SimWorld(3, SimWorld.testPolicy());
        w.platform("garching", 48.25, 11.65);
        w.start();
        AgentContext node = w.node("garching").agent().context();

        List<Message> replies = ReplicateRehearsal.run(node, w.node("garching").nodeInfo(), spec, text,
                new HostedReplicaHost("garching", scratch.hosted, scratch.deployments, Runnable::run, Runnable::run, clock));

        assertEquals(ReplicateReply.ACCEPTED, assertInstanceOf(ReplicateReply.class, replies.get(0)).status());
        assertEquals(ReplicateReply.HOSTING, assertInstanceOf(ReplicateReply.class, replies.get(1)).status());
        assertEquals(1, sample.verifications(), "the sample's signature checked once (at the hint), then remembered");
        assertTrue(scratch.deployments.get("warm-up").isPresent(), "deployed on the scratch hosting");
        ServiceMembership.View view = scratch.overlay.get("warm-up").orElseThrow().view();
        assertTrue(view.registered());
        assertEquals(Optional.of(RehearsalHosting.PARENT), view.parentId(), "registered and attached under the made-up parent");
        assertEquals(0, w.node("garching").deploys("warm-up"), "the node itself deploys nothing");
    }
}
