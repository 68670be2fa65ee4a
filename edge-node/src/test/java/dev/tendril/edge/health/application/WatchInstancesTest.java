package dev.tendril.edge.health.application;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.deployment.Instance;
import dev.tendril.edge.deployment.InstanceRequest;
import dev.tendril.edge.deployment.RuntimeResult;
import dev.tendril.edge.deployment.InMemoryContainerRuntime;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.health.domain.ProbeVerdict;
import dev.tendril.edge.health.domain.RestartBackoff;
import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The instance watch on a fake runtime, a fake probe and a fake clock; probes run inline. */
class WatchInstancesTest {
    static final Duration TICK = Duration.ofMillis(250);
    final MutableClock clock = new MutableClock();
    final Platform self = new Platform("munich-1", "Munich", "127.0.0.2", new GeoPoint(48.1, 11.6),
            new Hardware(Arch.AMD64, 2, 4L << 30, 50L << 30, 0), Map.of());
    final InMemoryContainerRuntime runtime = new InMemoryContainerRuntime(Set.of("demo:1"));
    volatile boolean failing;
    volatile Runnable afterListing;
    /** The fake runtime, whose listing fails while {@link #failing} (an engine that does not answer). */
    final ContainerRuntime flaky = new ContainerRuntime() {
        @Override
        public String kind() {
            return runtime.kind();
        }

        @Override
        public RuntimeResult start(InstanceRequest r) {
            return runtime.start(r);
        }

        @Override
        public RuntimeResult remove(String id) {
            return runtime.remove(id);
        }

        @Override
        public List<Instance> list() {
            if (failing) {
                throw new IllegalStateException("docker engine unreachable");
            }
            List<Instance> now = runtime.list();
            Runnable after = afterListing;
            afterListing = null;
            if (after != null) {
                after.run(); // something happens after the listing was taken, before it is used
            }
            return now;
        }

        @Override
        public java.util.OptionalInt exitCode(String id) {
            return runtime.exitCode(id);
        }
    };
    final Deployments deployments = new Deployments(self, "svc.example.edge", flaky, YamlDocuments::spec, clock);
    final List<String> reports = new ArrayList<>();
    final List<String> probed = new ArrayList<>();
    volatile ProbeVerdict verdict = ProbeVerdict.PASS;
    final WatchInstances watch = new WatchInstances("munich-1", self.address(), deployments, (address, port, check) -> {
        probed.add(address + ":" + port + check.path());
        return verdict;
    }, (service, serving) -> reports.add(service + (serving ? " serving" : " not serving")), clock, Runnable::run,
            RestartBackoff::standard);

    void deploy(String extra) {
        String text = "service: web\nimage: demo:1\nports: [{name: http, containerPort: 8080, hostPort: 18080}]\nroot: true\n" + extra;
        DeploymentSpec s = YamlDocuments.spec(text).orThrow();
        deployments.deploy(s, text);
    }

    void tick() {
        clock.advance(TICK);
        watch.run();
    }

    String instance() {
        return deployments.get("web").orElseThrow().instance().id();
    }

    @Test
    void anInstanceKilledBehindTheNodesBackLeavesDnsAndIsRestarted() {
        deploy("");
        tick();
        assertEquals(List.of(), reports, "a running instance without a probe serves");
        String first = instance();
        runtime.exit(first, 137);
        tick();
        assertEquals(List.of("web not serving", "web serving"), reports, "out of DNS, restarted at once, back");
        assertNotEquals(first, instance());
        assertTrue(watch.describe().get("web").startsWith("serving, 1 restart(s)"), watch.describe().toString());
    }

    @Test
    void aDeploymentMadeWhileTheRuntimeListsIsNotTakenForExited() {
        afterListing = () -> deploy(""); // the listing does not have it yet
        tick();
        String first = instance();
        tick();
        tick();
        assertEquals(first, instance(), "the fresh instance was not replaced");
        assertEquals(List.of(), reports);
        assertEquals("serving", watch.describe().get("web"));
    }

    @Test
    void onFailureLeavesACleanExitStoppedAndNeverLeavesEveryExitStopped() {
        deploy("restart: on-failure\n");
        tick();
        runtime.exit(instance(), 0);
        tick();
        tick();
        assertEquals(List.of("web not serving"), reports);
        assertEquals("exited (status 0), not restarted (restart: on-failure)", watch.describe().get("web"));
    }

    @Test
    void aCrashLoopIsRestartedWithBackOff() {
        deploy("restart: on-failure\n");
        tick();
        List<Long> restartsAtMs = new ArrayList<>();
        long t0 = clock.millis();
        for (int i = 0; i < 200 && restartsAtMs.size() < 4; i++) {
            String before = instance();
            if (runtime.list().stream().anyMatch(x -> x.id().equals(before) && x.running())) {
                runtime.exit(before, 1);
            }
            tick();
            if (!instance().equals(before)) {
                restartsAtMs.add(clock.millis() - t0);
            }
        }
        assertEquals(4, restartsAtMs.size(), restartsAtMs.toString());
        for (int i = 1; i < restartsAtMs.size(); i++) {
            long gap = restartsAtMs.get(i) - restartsAtMs.get(i - 1);
            assertTrue(gap >= (1000L << (i - 1)), "restart " + i + " after " + gap + " ms: " + restartsAtMs);
        }
    }

    @Test
    void aFailingProbeTakesItOutAfterTheThresholdAndASuccessBringsItBack() {
        deploy("health: {http: {port: http, path: /healthz}, interval: 1s, timeout: 500ms, failureThreshold: 3}\n");
        tick();
        assertEquals(List.of("127.0.0.2:18080/healthz"), probed);
        verdict = ProbeVerdict.fail("HTTP 500, expected 200");
        long failingSince = clock.millis();
        long outAt = -1;
        for (int i = 0; i < 40 && outAt < 0; i++) {
            tick();
            if (reports.contains("web not serving")) {
                outAt = clock.millis() - failingSince;
            }
        }
        assertTrue(outAt > 0 && outAt <= 3 * 1000, "out after interval x threshold at most: " + outAt + " ms");
        assertTrue(watch.describe().get("web").startsWith("unhealthy (3 failed probe(s) in a row: HTTP 500"),
                watch.describe().toString());
        verdict = ProbeVerdict.PASS;
        for (int i = 0; i < 8; i++) {
            tick();
        }
        assertEquals(List.of("web not serving", "web serving"), reports);
    }

    @Test
    void aRuntimeThatDoesNotAnswerChangesNothing() {
        deploy("");
        tick();
        runtime.exit(instance(), 137);
        failing = true;
        for (int i = 0; i < 5; i++) {
            tick();
        }
        assertEquals(List.of(), reports, "nothing known while the runtime does not answer");
        failing = false;
        tick();
        assertEquals(List.of("web not serving", "web serving"), reports, "then the exit is seen and handled");
    }

    @Test
    void aFlappingProbeDoesNotFlapDns() {
        deploy("health: {tcp: {port: http}, interval: 1s, timeout: 500ms, failureThreshold: 2, successThreshold: 2}\n");
        for (int i = 0; i < 200; i++) { // the probe alternates pass and fail, probe after probe
            verdict = probed.size() % 2 == 0 ? ProbeVerdict.PASS : ProbeVerdict.fail("connect: Connection refused");
            tick();
        }
        assertTrue(probed.size() >= 45, "probed every interval: " + probed.size());
        assertEquals(List.of(), reports, "never two failures nor two passes in a row: DNS never changes");
    }

    @Test
    void aRemovedServiceIsForgotten() {
        deploy("");
        tick();
        deployments.remove("web");
        tick();
        assertEquals(Map.of(), watch.describe());
        assertEquals(List.of(), reports);
    }
}
