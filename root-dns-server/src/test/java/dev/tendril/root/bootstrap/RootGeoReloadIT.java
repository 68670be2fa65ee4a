package dev.tendril.root.bootstrap;

import dev.tendril.geoip.adapter.out.mmdb.MmdbFormat;
import dev.tendril.geoip.adapter.out.mmdb.MmdbWriter;
import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.testing.Poll;
import dev.tendril.root.testing.RootProcessHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGHUP to a real root process re-reads its GeoIP database file while queries flow:
 * <ul>
 *   <li>answers change to the new positions (203.0.113.0/24 moves from Munich to New York);</li>
 *   <li>no query fails or goes unanswered during the reloads (a client sends queries all along);</li>
 *   <li>a broken new file is refused: the old databases keep answering, one ERROR line.</li>
 * </ul>
 */
class RootGeoReloadIT {
    private static final String CLIENTS = "203.0.113.0/24";

    @TempDir
    Path dir;

    @Test
    void sighupSwapsTheGeoIpDatabaseWithoutDroppingAQuery() throws Exception {
        Path db = dir.resolve("geo.mmdb");
        writeDatabase(db, new GeoPoint(48.14, 11.58)); // Munich
        try (RootProcessHandle root = RootProcessHandle.start(dir, dir.resolve("topology.db"), "geoip.databases=[" + db + "]");
             ControlCalls control = new ControlCalls(root.controlEndpoint(), "reload-it")) {
            assertInstanceOf(Registered.class, control.call(new CreateTree("web", DemoRegistration.CITIES.get(0).info())));
            assertInstanceOf(Registered.class, control.call(new RegisterNode("web", DemoRegistration.CITIES.get(1).info())));
            SimpleResolver resolver = new SimpleResolver("127.0.0.1");
            resolver.setPort(root.dnsPort());
            resolver.setTimeout(Duration.ofSeconds(2));
            assertEquals("192.0.2.10", answer(resolver), "Munich's instance before the reload");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            Thread client = new Thread(() -> {
                SimpleResolver own = new SimpleResolver(new java.net.InetSocketAddress("127.0.0.1", root.dnsPort()));
                own.setTimeout(Duration.ofSeconds(2));
                for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                    sent.incrementAndGet();
                    try {
                        Message r = own.send(query());
                        if (r.getRcode() != Rcode.NOERROR || r.getSection(org.xbill.DNS.Section.ANSWER).isEmpty()) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            }, "query-client");
            client.start();
            try {
                Poll.until(Duration.ofSeconds(10), "queries flowing", () -> sent.get() > 200);
                writeDatabase(db, new GeoPoint(40.71, -74.01)); // New York
                root.signal("HUP");
                try {
                    Poll.until(Duration.ofSeconds(15), "the answer for " + CLIENTS + " to move to New York",
                            () -> "192.0.2.20".equals(answerOrEmpty(resolver)));
                } catch (AssertionError e) { // failed once in a full suite (2026-12-03) and never alone: keep what the root said
                    throw new AssertionError(e.getMessage() + "; answer now '" + answerOrEmpty(resolver) + "', "
                            + sent.get() + " queries sent, " + failed.get() + " failed, root alive " + root.isAlive()
                            + "; root log:\n" + logOf(root), e);
                }
                long before = sent.get();
                Poll.until(Duration.ofSeconds(10), "more queries after the reload", () -> sent.get() > before + 200);

                Path broken = dir.resolve("broken.tmp");
                Files.writeString(broken, "not a MaxMind database");
                Files.move(broken, db, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                root.signal("HUP");
                Poll.until(Duration.ofSeconds(15), "the refusal in the log", () -> logOf(root).contains("GeoIP reload refused"));
                long afterRefusal = sent.get();
                Poll.until(Duration.ofSeconds(10), "queries after the refusal", () -> sent.get() > afterRefusal + 200);
            } finally {
                stop.set(true);
                client.join(10_000);
            }
            System.out.printf("GeoIP reloads: %d queries sent, %d failed%n", sent.get(), failed.get());
            assertEquals(0, failed.get(), failed.get() + " of " + sent.get() + " queries failed across the reloads");
            assertEquals("192.0.2.20", answer(resolver), "the databases in use stay after a refused reload");
            String log = root.log();
            assertEquals(1, log.lines().filter(l -> l.contains("ERROR") && l.contains("GeoIP reload refused")).count(), log);
            assertEquals(1, log.lines().filter(l -> l.contains("GeoIP databases reloaded")).count(), log);
            assertEquals(0, root.stop());
        }
    }

    private static String logOf(RootProcessHandle root) {
        try {
            return root.log();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeDatabase(Path target, GeoPoint where) throws Exception {
        Path tmp = target.resolveSibling(target.getFileName() + ".new");
        new MmdbWriter(MmdbFormat.GEOIP2_CITY, 1_700_000_000L, "reload test").write(
                List.of(new GeoEntry(Cidr.parse(CLIENTS), where, "here", "ZZ")), tmp);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Message query() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("web.svc.example.edge."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName("203.0.113.0")))),
                org.xbill.DNS.Section.ADDITIONAL);
        return q;
    }

    private static String answer(SimpleResolver resolver) throws Exception {
        Message r = resolver.send(query());
        assertEquals(Rcode.NOERROR, r.getRcode(), r.toString());
        return ((ARecord) r.getSection(org.xbill.DNS.Section.ANSWER).get(0)).getAddress().getHostAddress();
    }

    private static String answerOrEmpty(SimpleResolver resolver) {
        try {
            return answer(resolver);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }
}
