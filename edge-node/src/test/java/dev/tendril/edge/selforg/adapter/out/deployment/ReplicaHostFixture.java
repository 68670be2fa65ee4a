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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Garching's replica path as the deployment tests drive it: the real {@link HostedReplicaHost}
 * over {@link HostedServices}, a fake root holding munich's tree of web (munich, augsburg), an
 * in-memory runtime, and everything on the calling thread. Records what the root was asked and
 * which likely parents were opened.
 */
final class ReplicaHostFixture {
    static final long GI = 1L << 30;
    static final String SPEC = "service: web\nimage: demo:1\ncommand: [httpd, -f]\n"
            + "ports: [{name: http, containerPort: 8080, hostPort: 18080}]\nzone: svc.example.edge\n";
    static final NodeInfo MUNICH = node("munich", 48.14, 11.58);
    static final NodeInfo AUGSBURG = node("augsburg", 48.37, 10.90);

    /** One call to open likely parents: their ids, how many at most, how many instances ran then. */
    record Opened(Set<String> ids, int limit, int runningThen) {
    }

    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot root = new FakeRoot();
    final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1"));
    /** Clock time the runtime takes to start an instance, and the parser to parse a spec (zero unless set). */
    Duration startTakes = Duration.ZERO;
    Duration parseTakes = Duration.ZERO;
    /** Specs parsed so far. */
    final AtomicInteger parses = new AtomicInteger();
    final List<Opened> opened = new ArrayList<>();
    final List<RootMessage> asked = new ArrayList<>();
    final Deployments deployments;
    final HostedServices hosted;
    final HostedReplicaHost garching;

    static NodeInfo node(String id, double lat, double lon) {
        return new NodeInfo(id, "127.0.0.2", new GeoPoint(lat, lon), List.of(), 7400);
    }

    ReplicaHostFixture() {
        root.call("web", new RootMessage.CreateTree("web", MUNICH));
        root.call("web", new RootMessage.RegisterNode("web", AUGSBURG));
        Platform p = new Platform("garching", "garching", "127.0.0.3", new GeoPoint(48.25, 11.65),
                new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
        Function<String, Validated<DeploymentSpec>> parser = t -> {
            parses.incrementAndGet();
            clock.advance(parseTakes);
            return YamlDocuments.spec(t, 256 << 10);
        };
        deployments = new Deployments(p, "svc.example.edge", runtime, parser, clock);
        runtime.beforeStart(() -> clock.advance(startTakes));
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

    /** Garching deploys web's replica offered by {@code offeredBy}; the one outcome. */
    ReplicaHost.Outcome replicate(NodeInfo offeredBy) {
        List<ReplicaHost.Outcome> out = new ArrayList<>();
        garching.deploy("web", SPEC, offeredBy, out::add);
        assertEquals(1, out.size());
        return out.get(0);
    }

    long membershipQueries() {
        return asked.stream().filter(RootMessage.MembershipQuery.class::isInstance).count();
    }
}
