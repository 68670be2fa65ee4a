package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.application.HostedServices;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A new replica opens its connections to its likely parents (the tree's members nearest to it,
 * as the membership check's root answer names them) before its instance starts, so that its
 * Attach after the registration is no first contact; a replica offered by a stranger opens none.
 */
class LikelyParentsTest {
    static final long GI = 1L << 30;
    static final String SPEC = "service: web\nimage: demo:1\ncommand: [httpd, -f]\n"
            + "ports: [{name: http, containerPort: 8080, hostPort: 18080}]\nzone: svc.example.edge\n";
    static final NodeInfo MUNICH = node("munich", 48.14, 11.58);
    static final NodeInfo AUGSBURG = node("augsburg", 48.37, 10.90);

    record Opened(Set<String> ids, int limit, int runningThen) {
    }

    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1"));
    final List<Opened> opened = new ArrayList<>();
    final List<RootMessage> asked = new ArrayList<>();
    final HostedServices hosted;
    final HostedReplicaHost garching;

    static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "127.0.0.2", new GeoPoint(lat, lon), List.of(), 7400);
    }

    LikelyParentsTest() {
        root.call("web", new RootMessage.CreateTree("web", MUNICH));
        root.call("web", new RootMessage.RegisterNode("web", AUGSBURG));
        Platform p = new Platform("garching", "garching", "127.0.0.3", new GeoPoint(48.25, 11.65),
                new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
        Function<String, Validated<DeploymentSpec>> parser = t -> YamlDocuments.spec(t, 256 << 10);
        Deployments deployments = new Deployments(p, "svc.example.edge", runtime, parser, clock);
        InMemoryNetwork net = new InMemoryNetwork();
        Overlay overlay = new Overlay();
        net.attach("garching", overlay);
        hosted = new HostedServices(p, deployments, overlay, (service, request) -> {
            asked.add(request);
            return root.call(service, request);
        }, net, clock, policies, (interval, task) -> () -> { }, parser);
        hosted.overlayPort(7400);
        hosted.peerConnections((ids, limit) -> opened.add(new Opened(new TreeSet<>(ids), limit, runtime.list().size())));
        garching = new HostedReplicaHost("garching", hosted, deployments, Runnable::run, Runnable::run, clock);
    }

    ReplicaHost.Outcome replicate(NodeInfo offeredBy) {
        List<ReplicaHost.Outcome> out = new ArrayList<>();
        garching.deploy("web", SPEC, offeredBy, out::add);
        assertEquals(1, out.size());
        return out.get(0);
    }

    @Test
    void theReplicaOpensItsLikelyParentsBeforeItsInstanceStarts() {
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertEquals(List.of(new Opened(Set.of("munich", "augsburg"), 3, 0)), opened,
                "the tree's members, the 3 nearest of them, while nothing ran yet");
        assertEquals(1, runtime.list().size(), "then the instance started");
    }

    @Test
    void inALargerTreeTheRootNamesOnlyTheThreeNearestAndNobodyAsksForTheWholeTree() {
        root.call("web", new RootMessage.RegisterNode("web", node("freising", 48.40, 11.75)));
        root.call("web", new RootMessage.RegisterNode("web", node("berlin", 52.52, 13.40)));
        root.call("web", new RootMessage.RegisterNode("web", node("paris", 48.86, 2.35)));
        root.call("web", new RootMessage.RegisterNode("web", node("tokyo", 35.68, 139.65)));
        asked.clear();

        assertInstanceOf(ReplicaHost.Deployed.class, replicate(MUNICH));
        assertEquals(Set.of("munich", "freising", "augsburg"), opened.get(0).ids(), "garching's three nearest members");
        RootMessage.MembershipQuery check = assertInstanceOf(RootMessage.MembershipQuery.class, asked.get(0));
        assertEquals(new RootMessage.MembershipQuery("web", "munich", java.util.Optional.of(new GeoPoint(48.25, 11.65)), 3),
                check, "one node asked about, three likely parents asked for, near garching");
        assertEquals(List.of(), asked.stream().filter(RootMessage.HostedSetQuery.class::isInstance).toList(),
                "the tree's whole member list is never asked for");
    }

    @Test
    void aStrangersOfferIsNotRefusedToANodeTheTreeAlreadyHolds() {
        root.call("web", new RootMessage.RegisterNode("web", node("garching", 48.25, 11.65)));
        assertInstanceOf(ReplicaHost.Deployed.class, replicate(node("evil-1", 48.0, 11.0)), "as with the whole hosted set");
        assertEquals(1, runtime.list().size());
    }

    @Test
    void aReplicaOfferedByAStrangerOpensNothing() {
        assertInstanceOf(ReplicaHost.Failed.class, replicate(node("evil-1", 48.0, 11.0)));
        assertEquals(List.of(), opened);
        assertEquals(List.of(), runtime.list());
    }
}
