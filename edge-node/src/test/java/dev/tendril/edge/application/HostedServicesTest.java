package dev.tendril.edge.application;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.InMemoryNetwork;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.AdminMessage.DeployReply;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.Thresholds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Deploys (admin) and replica deploys on two platforms over the in-memory network and a fake root. */
class HostedServicesTest {
    static final long GI = 1L << 30;
    static final String SPEC = "service: web\nimage: demo:1\nports: [{name: http, containerPort: 8080, hostPort: 18080}]\nroot: true\n";
    final NodePolicies policies = new NodePolicies(Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(1), 2);
    final MutableClock clock = new MutableClock();
    final FakeRoot fake = new FakeRoot();
    /** The root's requests, by type, in order. */
    final List<String> calls = new ArrayList<>();
    final RootControl root = new RootControl() {
        @Override
        public Optional<Message> call(String service, RootMessage request) {
            calls.add(request.type().name());
            return fake.call(service, request);
        }
    };
    final InMemoryNetwork net = new InMemoryNetwork();

    private HostedServices node(String id, double lat, double lon) {
        Platform p = new Platform(id, id, "127.0.0.1", new GeoPoint(lat, lon), new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0),
                Map.of());
        Deployments deployments = new Deployments(p, "svc.example.edge", new InMemoryContainerRuntime(Set.of("demo:1")),
                YamlDocuments::spec, clock);
        Overlay overlay = new Overlay();
        net.attach(id, overlay);
        HostedServices h = new HostedServices(p, deployments, overlay, root, net, clock, policies,
                (interval, task) -> () -> { }, YamlDocuments::spec);
        h.overlayPort(7400);
        return h;
    }

    @Test
    void aReplicaOfARootSpecRegistersAsALeafWithoutTryingToCreateTheTree() {
        HostedServices munich = node("munich", 48.14, 11.58);
        HostedServices garching = node("garching", 48.25, 11.65);
        assertEquals("registered as the top node of the tree", munich.deploy(SPEC).detail());
        calls.clear();

        DeployReply replica = garching.deployReplica(SPEC);

        assertEquals("deployed", replica.outcome());
        assertEquals("munich", replica.parentId());
        assertEquals(List.of("REGISTER_NODE"), calls, "one root round trip, no refused CreateTree first");
    }

    @Test
    void anAdminDeployOfARootSpecStillTriesToCreateTheTreeFirst() {
        HostedServices munich = node("munich", 48.14, 11.58);
        HostedServices garching = node("garching", 48.25, 11.65);
        munich.deploy(SPEC);
        calls.clear();

        DeployReply second = garching.deploy(SPEC);

        assertEquals("munich", second.parentId());
        assertEquals(List.of("CREATE_TREE", "REGISTER_NODE"), calls);
    }

    @Test
    void aReplicaWhoseTreeIsGoneCreatesItWhenTheSpecAllows() {
        HostedServices garching = node("garching", 48.25, 11.65);

        DeployReply replica = garching.deployReplica(SPEC);

        assertEquals("registered as the top node of the tree", replica.detail());
        assertEquals(List.of("REGISTER_NODE", "CREATE_TREE"), calls);
    }
}
