package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.ResolveAnswer;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.bootstrap.DemoRegistration.City;
import dev.tendril.root.testing.Dig;
import dev.tendril.root.testing.Poll;
import dev.tendril.root.testing.RootProcessHandle;
import dev.tendril.root.testing.RootLogsOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of a real root process, then a restart on the same database:
 * <ul>
 *   <li>trees, nodes (with parents and states) and live migration records are all back,
 *       seen through the control endpoint's listings and through dig;</li>
 *   <li>a migration record that expired while the root was down is not;</li>
 *   <li>every request acknowledged before the kill is there, including those acknowledged
 *       in the last milliseconds of a stream of requests cut by the kill.</li>
 * </ul>
 * GeoIP: the demo database (198.18.N.0/24, one city per N; see docs/geoip.md).
 */
class RootCrashRecoveryIT {
    private static final String NEW_YORK_CLIENTS = "198.18.3.0/24";
    private static final String SYDNEY_CLIENTS = "198.18.7.0/24";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the roots' logs stay for RootLogsOnFailure
    Path dir;

    @RegisterExtension
    final RootLogsOnFailure rootLogs = new RootLogsOnFailure(() -> dir);

    @Test
    void everythingAcknowledgedComesBackAfterKill9() throws Exception {
        Dig.require();
        Path db = dir.resolve("topology.db");
        TreeListing before;
        List<String> ackedBeforeKill;
        try (RootProcessHandle root = RootProcessHandle.start(dir, db);
             ControlCalls control = new ControlCalls(root.controlEndpoint(), "crash-it")) {
            List<City> cities = DemoRegistration.CITIES;
            assertInstanceOf(Registered.class, control.call(new CreateTree("web", cities.get(0).info())));
            for (City c : cities.subList(1, cities.size())) {
                assertInstanceOf(Registered.class, control.call(new RegisterNode("web", c.info())));
            }
            assertInstanceOf(Registered.class, control.call(new CreateTree("api", cities.get(3).info())));
            assertEquals(new Ack(), control.call(new NodeState("web", "nairobi", false)));
            assertEquals(new Ack(), control.call(new RecordMigration("web", List.of(NEW_YORK_CLIENTS), "tokyo", 3_600_000)));
            assertEquals(new Ack(), control.call(new RecordMigration("web", List.of(SYDNEY_CLIENTS), "munich", 1)));
            before = (TreeListing) control.call(new TreeQuery(""));
            assertEquals(7, before.nodes().size());
            assertEquals("192.0.2.40", Dig.query(root.dnsPort(), "web.svc.example.edge", "A", "+subnet=" + NEW_YORK_CLIENTS)
                    .answer().get(0).split(" ")[4], "the migration answers Tokyo to New York before the kill");

            ackedBeforeKill = streamUntilKilled(root);
        }

        try (RootProcessHandle root = RootProcessHandle.start(dir, db);
             ControlCalls control = new ControlCalls(root.controlEndpoint(), "crash-it")) {
            assertTrue(root.log().contains("7 nodes"), root.log());
            TreeListing after = (TreeListing) control.call(new TreeQuery(""));
            assertEquals(before, after, "trees, nodes, parents, states and registration times are back");

            Set<String> migrated = ((MigrationListing) control.call(new MigrationsQuery("web"))).migrations().stream()
                    .map(MigrationView::client).collect(Collectors.toSet());
            assertTrue(migrated.contains(NEW_YORK_CLIENTS), migrated.toString());
            assertFalse(migrated.contains(SYDNEY_CLIENTS), "the expired record stays gone");
            for (String acked : ackedBeforeKill) {
                assertTrue(migrated.contains(acked), "acknowledged before the kill but lost: " + acked);
            }

            int port = root.dnsPort();
            assertEquals(List.of("192.0.2.40"), addresses(Dig.query(port, "web.svc.example.edge", "A", "+subnet=" + NEW_YORK_CLIENTS)),
                    "the live migration answers after the restart");
            assertEquals(List.of("192.0.2.30"), addresses(Dig.query(port, "web.svc.example.edge", "A", "+subnet=198.18.5.0/24")),
                    "Sao Paulo clients get the Sao Paulo instance");
            assertEquals(List.of("192.0.2.50"), addresses(Dig.query(port, "web.svc.example.edge", "A", "+subnet=" + SYDNEY_CLIENTS)),
                    "Sydney clients: nearest again, the expired migration is gone");
            assertNotEquals(List.of("192.0.2.60"), addresses(Dig.query(port, "web.svc.example.edge", "A", "+subnet=198.18.8.0/24")),
                    "the Nairobi instance is still down and never answered");
            ResolveAnswer preview = (ResolveAnswer) control.call(new ResolveQuery("web", NEW_YORK_CLIENTS));
            assertEquals("migration", preview.basis());
            assertEquals("tokyo", preview.instances().get(0).nodeId());
            assertEquals(0, root.stop(), "SIGTERM stops the root cleanly");
        }
    }

    /**
     * Records migrations one after another from a second thread and kills the root -9 while
     * they flow. Returns the subnets whose Ack arrived before the kill.
     */
    private List<String> streamUntilKilled(RootProcessHandle root) throws Exception {
        ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        AtomicBoolean stopped = new AtomicBoolean();
        Thread stream = new Thread(() -> {
            try (ControlCalls c = new ControlCalls(root.controlEndpoint(), "stream", Duration.ofSeconds(2), 1)) {
                for (int i = 0; !stopped.get(); i++) {
                    String subnet = "10.99." + (i / 256 % 256) + "." + (i % 256) + "/32";
                    RootMessage reply = c.call(new RecordMigration("web", List.of(subnet), "sydney", 3_600_000));
                    assertEquals(new Ack(), reply);
                    acked.add(subnet);
                }
            } catch (IllegalStateException e) {
                // the kill: no reply to the request in flight
            }
        }, "migration-stream");
        stream.start();
        Poll.until(Duration.ofSeconds(30), "50 acknowledged migrations", () -> acked.size() >= 50);
        root.kill9();
        stopped.set(true);
        stream.join(10_000);
        assertFalse(root.isAlive());
        return List.copyOf(acked);
    }

    private static List<String> addresses(Dig.Result r) {
        assertEquals("NOERROR", r.status(), r.toString());
        return r.answer().stream().map(line -> line.split(" ")[4]).toList();
    }
}
