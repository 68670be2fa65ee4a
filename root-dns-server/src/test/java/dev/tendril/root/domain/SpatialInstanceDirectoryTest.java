package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpatialInstanceDirectoryTest {
    private final MutableClock clock = new MutableClock(5_000);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);

    @Test
    void instancesNodesAndServices() {
        dir.putInstance("web", World.FRA, true);
        dir.putInstance("api", World.FRA, false);
        dir.putInstance("web", World.NYC, true);
        assertEquals(Set.of("web", "api"), dir.serviceNames());
        assertEquals("10.0.1.1", dir.node("fra1").orElseThrow().address().getHostAddress());
        assertFalse(dir.service("api").orElseThrow().instances().isLive("fra1"));
        dir.setLive("api", "fra1", true);
        assertTrue(dir.service("api").orElseThrow().instances().isLive("fra1"));
        dir.setLive("api", "nope", true); // no-op
        dir.removeInstance("api", "fra1");
        assertTrue(dir.service("api").isEmpty(), "removing the last instance removes the service");
        assertTrue(dir.node("fra1").isPresent(), "fra1 still hosts web");
        dir.removeInstance("web", "fra1");
        assertTrue(dir.node("fra1").isEmpty());
        dir.removeInstance("web", "fra1"); // no-op
        assertEquals(1, dir.service("web").orElseThrow().instances().size());
    }

    @Test
    void migrationsReplacePurgeAndRemove() {
        dir.putInstance("web", World.FRA, true);
        Cidr subnet = Cidr.parse("192.0.2.0/24");
        dir.putMigration("web", subnet, "fra1", clock.millis() + 1000);
        dir.putMigration("web", subnet, "fra1", clock.millis() + 5000);
        assertEquals(1, dir.migrations("web").size());
        assertEquals(clock.millis() + 5000, dir.migrations("web").get(0).expiresAtMillis());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, dir.purgeExpired(), "the replaced record's old expiry does not purge the new record");
        clock.advance(Duration.ofSeconds(4));
        assertEquals(1, dir.purgeExpired());
        assertTrue(dir.migrations("web").isEmpty());
        dir.putMigration("web", subnet, "fra1", clock.millis() + 5000);
        dir.removeMigration("web", subnet);
        assertTrue(dir.migrations("web").isEmpty());
        dir.removeMigration("web", subnet); // no-op
    }

    @Test
    void migrationBeforeItsServiceIsKeptUntilInstancesArrive() {
        dir.putMigration("web", Cidr.parse("192.0.2.0/24"), "fra1", clock.millis() + 60_000);
        assertTrue(dir.service("web").isEmpty());
        dir.putInstance("web", World.FRA, true);
        assertEquals(1, dir.service("web").orElseThrow().migrations().all().size());
    }

    @Test
    void batchPublishesOnceAndLoadsManyInstancesFast() {
        SplittableRandom rnd = new SplittableRandom(7);
        dir.batch(d -> {
            for (int i = 0; i < 100_000; i++) {
                d.putInstance("big", World.node("n" + i, "10.1." + (i >> 8 & 255) + "." + (i & 255),
                        new GeoPoint(rnd.nextDouble(-80, 80), rnd.nextDouble(-180, 180))), true);
            }
        });
        ServiceInstances s = dir.service("big").orElseThrow().instances();
        assertEquals(100_000, s.size());
        // single changes on a large service stay correct
        dir.putInstance("big", World.node("near-tokyo", "10.2.0.1", new GeoPoint(35.681, 139.691)), true);
        assertEquals("near-tokyo", dir.service("big").orElseThrow().instances().nearest(World.TOKYO, 1, true).get(0).nodeId());
        dir.setLive("big", "near-tokyo", false);
        assertFalse("near-tokyo".equals(dir.service("big").orElseThrow().instances().nearest(World.TOKYO, 1, true).get(0).nodeId()));
    }

    @Test
    void readersSeeConsistentSnapshotsWhileAWriterChurns() throws Exception {
        for (int i = 0; i < 2000; i++) {
            dir.putInstance("web", World.node("n" + i, "10.3." + (i >> 8) + "." + (i & 255),
                    new GeoPoint((i % 160) - 80, (i % 360) - 180)), true);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(1);
            try {
                for (int step = 0; step < 20_000 && failure.get() == null; step++) {
                    String id = "n" + rnd.nextInt(2000);
                    switch (rnd.nextInt(4)) {
                        case 0 -> dir.setLive("web", id, rnd.nextBoolean());
                        case 1 -> dir.putInstance("web", World.node(id, "10.4.0.1",
                                new GeoPoint(rnd.nextDouble(-80, 80), rnd.nextDouble(-180, 180))), true);
                        case 2 -> dir.putMigration("web", Cidr.parse("198.51." + rnd.nextInt(256) + ".0/24"), id,
                                clock.millis() + rnd.nextInt(10_000));
                        default -> dir.removeMigration("web", Cidr.parse("198.51." + rnd.nextInt(256) + ".0/24"));
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                stop.set(true);
            }
        });
        Runnable reader = () -> {
            AnswerChoice choice = new AnswerChoice(new ChoicePolicy(2, World.FRANKFURT, false));
            SplittableRandom rnd = new SplittableRandom(Thread.currentThread().getId());
            long reads = 0;
            try {
                while (!stop.get() || reads < 1000) {
                    ServiceView v = dir.service("web").orElseThrow();
                    Cidr client = Cidr.parse("198.51." + rnd.nextInt(256) + ".0/24");
                    Choice c = choice.choose(v, client, java.util.Optional.empty(), clock.millis());
                    for (Instance i : c.instances()) {
                        if (c.basis() != Basis.LAST_KNOWN && !i.live()) {
                            throw new AssertionError("answered a down instance " + i.nodeId());
                        }
                    }
                    assertEquals(2000, v.instances().size());
                    reads++;
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread r1 = new Thread(reader);
        Thread r2 = new Thread(reader);
        writer.start();
        r1.start();
        r2.start();
        writer.join();
        r1.join();
        r2.join();
        assertNull(failure.get(), () -> "failure: " + failure.get());
    }

    @Test
    void nodeAddressesCanBeIpv6() {
        dir.putInstance("web", World.SYD, true);
        assertEquals(List.of("syd1"), dir.service("web").orElseThrow().instances().all().stream().map(Instance::nodeId).toList());
        assertTrue(dir.node("syd1").orElseThrow().address() instanceof java.net.Inet6Address);
    }

    @Test
    void largeIndexIsRebuiltInTheBackgroundWhileWritesGoOn() {
        java.util.ArrayDeque<Runnable> queued = new java.util.ArrayDeque<>();
        SpatialInstanceDirectory d = new SpatialInstanceDirectory(clock, queued::add);
        SplittableRandom rnd = new SplittableRandom(3);
        d.batch(b -> {
            for (int i = 0; i < 5000; i++) {
                b.putInstance("web", World.node("n" + i, "10.1.0.1",
                        new GeoPoint(rnd.nextDouble(-60, 60), rnd.nextDouble(-180, 180))), true);
            }
        });
        assertTrue(queued.isEmpty(), "a fresh bulk load needs no rebuild");
        int writes = 0;
        while (queued.isEmpty()) {
            d.setLive("web", "n" + writes, false);
            writes++;
        }
        assertEquals(1, queued.size(), "one rebuild in flight; the writer did not wait for it");
        for (int i = 0; i < 20; i++) {     // writes made while the rebuild runs
            d.setLive("web", "n" + (writes + i), false);
        }
        d.putInstance("web", World.node("late", "10.1.0.2", new GeoPoint(48.1, 11.6)), true);
        assertEquals(1, queued.size(), "no second rebuild while one is in flight");
        queued.poll().run();
        ServiceView v = d.service("web").orElseThrow();
        assertFalse(v.instances().needsRebuild());
        assertEquals(5001, v.instances().size());
        assertEquals(5001 - writes - 20, v.instances().liveCount());
        assertFalse(v.instances().isLive("n0"));
        assertFalse(v.instances().isLive("n" + (writes + 19)));
        assertTrue(v.instances().isLive("n" + (writes + 20)));
        assertEquals("late", v.instances().nearest(new GeoPoint(48.1, 11.6), 1, true).get(0).nodeId());
    }
}
