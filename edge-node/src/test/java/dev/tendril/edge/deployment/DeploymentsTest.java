package dev.tendril.edge.deployment;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentsTest {
    static final long GI = 1L << 30;
    final Platform self = new Platform("munich-1", "Munich", "127.0.0.2", new GeoPoint(48.1, 11.6),
            new Hardware(Arch.AMD64, 2, 4 * GI, 50 * GI, 0), Map.of());
    final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1", "demo:arm"));
    final Deployments deployments = new Deployments(self, "svc.example.edge", runtime, YamlDocuments::spec, new MutableClock());

    static String spec(String service, String extra) {
        return "service: " + service + "\nimage: demo:1\nports: [{name: http, containerPort: 8080, hostPort: 18080}]\nroot: true\n" + extra;
    }

    private DeployResult deploy(String text) {
        DeploymentSpec s = YamlDocuments.spec(text).orThrow();
        return deployments.deploy(s, text);
    }

    @Test
    void deploysOnceAndIsIdempotentForTheSameSpec() {
        Deployment d = assertInstanceOf(DeployResult.Deployed.class, deploy(spec("web", ""))).deployment();
        assertEquals("web", d.service());
        assertInstanceOf(DeployResult.AlreadyDeployed.class, deploy(spec("web", "")));
        assertEquals(1, runtime.list().size());
        assertInstanceOf(DeployResult.Rejected.class, deploy(spec("web", "env: {A: b}\n")));
        assertEquals(1, runtime.list().size());
    }

    @Test
    void rejectsWhatDoesNotFitThisPlatformAndStartsNothing() {
        List<String> p = assertInstanceOf(DeployResult.Rejected.class, deploy("""
                service: gpu
                images: {arm64: demo:arm}
                requirements: {minCpus: 8, minRam: 64Gi, minGpus: 1}
                zone: other.zone
                """)).problems();
        String all = String.join("\n", p);
        assertTrue(all.contains("images: no image for amd64"), all);
        assertTrue(all.contains("requirements.minCpus: got '8.0'; this platform has 2.0"), all);
        assertTrue(all.contains("requirements.minRam"), all);
        assertTrue(all.contains("requirements.minGpus"), all);
        assertTrue(all.contains("zone: got 'other.zone'"), all);
        assertTrue(runtime.list().isEmpty());
    }

    @Test
    void rejectsAHostPortAnotherServiceUses() {
        deploy(spec("web", ""));
        List<String> p = assertInstanceOf(DeployResult.Rejected.class, deploy(spec("api", ""))).problems();
        assertTrue(p.get(0).contains("already used by service web"), p.toString());
    }

    @Test
    void aMissingImageFails() {
        String text = "service: web\nimage: nothere:1\nroot: true\n";
        assertInstanceOf(DeployResult.Failed.class, deployments.deploy(YamlDocuments.spec(text).orThrow(), text));
        assertTrue(deployments.all().isEmpty());
    }

    @Test
    void removeStopsTheInstance() {
        deploy(spec("web", ""));
        assertInstanceOf(RemoveResult.Removed.class, deployments.remove("web"));
        assertTrue(runtime.list().isEmpty());
        assertInstanceOf(RemoveResult.NotDeployed.class, deployments.remove("web"));
    }

    @Test
    void adoptionKeepsOneRunningInstancePerServiceAndRemovesLeftovers() {
        runtime.plant(new Instance("old-stopped", "munich-1", "web", "demo:1", false, spec("web", "")));
        runtime.plant(new Instance("live", "munich-1", "web", "demo:1", true, spec("web", "")));
        runtime.plant(new Instance("dup", "munich-1", "web", "demo:1", true, spec("web", "")));
        runtime.plant(new Instance("garbled", "munich-1", "api", "demo:1", true, "service: [not yaml"));
        runtime.plant(new Instance("neighbour", "berlin-1", "web", "demo:1", true, spec("web", "")));

        Deployments.Adoption a = deployments.adopt();
        assertEquals(List.of("web"), a.adopted().stream().map(Deployment::service).toList());
        assertEquals("live", a.adopted().get(0).instance().id());
        assertTrue(a.adopted().get(0).adopted());
        assertEquals(Set.of("old-stopped", "dup", "garbled"), Set.copyOf(a.removed()));
        assertEquals(Set.of("live", "neighbour"), Set.copyOf(runtime.list().stream().map(Instance::id).toList()));
        assertInstanceOf(DeployResult.AlreadyDeployed.class, deploy(spec("web", "")));
    }

    @Test
    void theListingAnswersWhileAContainerStartsAndStartsStayOneAtATime() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger concurrent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        ContainerRuntime slow = new ContainerRuntime() {
            @Override
            public String kind() {
                return "slow";
            }

            @Override
            public RuntimeResult start(InstanceRequest request) {
                most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                entered.countDown();
                try {
                    assertTrue(release.await(10, java.util.concurrent.TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                concurrent.decrementAndGet();
                return runtime.start(request);
            }

            @Override
            public RuntimeResult remove(String instanceId) {
                return runtime.remove(instanceId);
            }

            @Override
            public List<Instance> list() {
                return runtime.list();
            }
        };
        Deployments d = new Deployments(self, "svc.example.edge", slow, YamlDocuments::spec, new MutableClock());
        DeploymentSpec web = YamlDocuments.spec(spec("web", "")).orThrow();
        DeploymentSpec api = YamlDocuments.spec(spec("api", "").replace("18080", "18081")).orThrow();
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> d.deploy(web, spec("web", "")));
        assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> d.deploy(api, spec("api", "")));

        // while "web" starts, readers get the listing at once (before: they waited for the start)
        assertEquals(List.of(), d.all());
        assertTrue(d.get("web").isEmpty());
        release.countDown();

        assertInstanceOf(DeployResult.Deployed.class, first.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertInstanceOf(DeployResult.Deployed.class, second.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, most.get(), "one container start at a time");
        assertEquals(2, d.all().size());
    }
}
