package dev.tendril.edge.monitoring.latency;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeferredLatencyProbeTest {

    /** Records what it is asked; measures one user once it watches a port. */
    private static final class RecordingProbe implements LatencyProbe {
        final List<Set<Integer>> watched = new ArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public ProbeStatus status() {
            return new ProbeStatus.Active("test");
        }

        @Override
        public void watchPorts(Set<Integer> ports) {
            watched.add(ports);
        }

        @Override
        public Map<UserKey, UserLatency> sample() {
            UserKey user = new UserKey(1, InetAddress.getLoopbackAddress(), 8080);
            return watched.isEmpty() ? Map.of()
                    : Map.of(user, new UserLatency(user, Duration.ofMillis(5), Duration.ofMillis(4), 3, Instant.EPOCH));
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void startsBeforeTheProbeIsLoadedAndHandsItThePortsOnceItIs() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        RecordingProbe real = new RecordingProbe();
        DeferredLatencyProbe probe = startGated(release, real);

        assertInstanceOf(ProbeStatus.Starting.class, probe.status());
        assertFalse(probe.status().measuring());
        assertEquals("latency probe starting (test)", probe.status().summary());
        probe.watchPorts(Set.of(8080));
        assertEquals(Map.of(), probe.sample());
        assertTrue(real.watched.isEmpty(), "nothing reaches the probe before it is loaded");

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!probe.status().measuring() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertTrue(probe.status().measuring(), "the loaded probe's status once it is there");
        assertEquals(1, probe.sample().size());
        assertEquals(List.of(Set.of(8080)), real.watched, "the remembered ports, handed over once");
        probe.sample();
        assertEquals(1, real.watched.size());
        probe.close();
        assertEquals(0, real.closed.getCount());
    }

    @Test
    void closedWhileLoadingClosesTheProbeOnceItIsThere() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        RecordingProbe real = new RecordingProbe();
        DeferredLatencyProbe probe = startGated(release, real);
        probe.close();
        release.countDown();
        assertTrue(real.closed.await(10, TimeUnit.SECONDS), "closed by the loader thread");
        assertInstanceOf(ProbeStatus.Starting.class, probe.status(), "a closed probe never turns active");
    }

    /** A deferred probe whose loader returns {@code real} once {@code release} opens. */
    private static DeferredLatencyProbe startGated(CountDownLatch release, RecordingProbe real) {
        return DeferredLatencyProbe.start("test", () -> {
            awaitQuietly(release);
            return real;
        }, "test-loader");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
