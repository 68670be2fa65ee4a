package dev.tendril.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * tendrilctl's root commands (tree, resolve, migrations; table and --json) against a real
 * root process, started from this classpath on free ports and filled through its control
 * endpoint. Cities come from the demo GeoIP database (docs/geoip.md): 198.18.0.0/24 Munich,
 * 198.18.6.0/24 Tokyo, 198.18.3.0/24 New York.
 */
class RootCommandsIT {
    @TempDir
    static Path dir;
    static Process root;
    static String control;

    static final NodeInfo MUNICH = node("muc", "10.9.0.1", 48.14, 11.58);
    static final NodeInfo TOKYO = node("tyo", "10.9.0.2", 35.68, 139.65);
    static final NodeInfo NEW_YORK = node("nyc", "10.9.0.3", 40.71, -74.01);
    static final NodeInfo GARCHING = node("gar", "10.9.0.4", 48.25, 11.65);

    static NodeInfo node(String id, String address, double lat, double lon) {
        return new NodeInfo(id, address, new GeoPoint(lat, lon), List.of(new ServicePort("http", "tcp", 8080)), 7000);
    }

    @BeforeAll
    static void startRootAndFillIt() throws Exception {
        Path ready = dir.resolve("ready");
        root = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.tendril.root.bootstrap.RootMain",
                "--config", "builtin:demo", "--set", "dns.port=0", "--set", "control.port=0",
                "--set", "store.path=" + dir.resolve("topology.db"), "--ready-file", ready.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("root.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(ready) && root.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(50);
        }
        if (!Files.exists(ready)) {
            fail("root did not start: " + Files.readString(dir.resolve("root.log")));
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(ready)) {
            p.load(in);
        }
        control = "127.0.0.1:" + p.getProperty("control.port");
        dnsPort = Integer.parseInt(p.getProperty("dns.port"));
        call(new RootMessage.CreateTree("web", MUNICH));
        call(new RootMessage.RegisterNode("web", TOKYO));
        call(new RootMessage.RegisterNode("web", NEW_YORK));
        call(new RootMessage.RegisterNode("web", GARCHING));
    }

    @AfterAll
    static void stopRoot() throws InterruptedException {
        if (root != null) {
            root.destroy();
            if (!root.waitFor(20, TimeUnit.SECONDS)) {
                root.destroyForcibly();
            }
        }
    }

    /** One factory for the whole run: every request needs its own id (the root dedupes by id). */
    static final EnvelopeFactory ENVELOPES = new EnvelopeFactory("it", Clock.systemUTC(), new SplittableRandom(7));

    static Message call(RootMessage request) {
        try (RequestClient client = new RequestClient(ClientOptions.of("tcp://" + control).withRetries(Duration.ofSeconds(5), 3))) {
            EnvelopeFactory envelopes = ENVELOPES;
            RequestResult r = client.request(envelopes.create("web", request));
            Message body = assertInstanceOf(RequestResult.Reply.class, r).envelope().body();
            assertTrue(!(body instanceof RootMessage.ErrorReply), "root refused " + request + ": " + body);
            return body;
        }
    }

    static int dnsPort;

    @Test
    void rootStatsShowsDnsAndControlCountersThatMove() throws Exception {
        CtlRun before = tendrilctl("root", "stats", "--root", control, "--json");
        assertEquals(0, before.code(), before.err());
        JsonNode b = new ObjectMapper().readTree(before.out());
        org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver("127.0.0.1");
        resolver.setPort(dnsPort);
        org.xbill.DNS.Message reply = resolver.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString("web.svc.example.edge."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN)));
        assertEquals(org.xbill.DNS.Rcode.NOERROR, reply.getRcode());

        CtlRun table = tendrilctl("root", "stats", "--root", control);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().startsWith("root root-demo\n"), table.out());
        assertTrue(table.out().contains("  dns.udpQueries = "), table.out());
        assertTrue(table.out().contains("  writer.requests = "), table.out());
        CtlRun after = tendrilctl("root", "stats", "--root", control, "--json");
        JsonNode a = new ObjectMapper().readTree(after.out());
        assertEquals(counter(b, "dns.udpQueries") + 1, counter(a, "dns.udpQueries"), after.out());
        assertEquals(counter(b, "dns.rcode.NOERROR") + 1, counter(a, "dns.rcode.NOERROR"), after.out());
        assertTrue(counter(a, "writer.requests") >= 4, "the four registrations: " + after.out());
        assertTrue(counter(a, "control.received") > counter(b, "control.received"), "the stats queries themselves");

        CtlRun reload = tendrilctl("root", "reload", "--root", control);
        assertEquals(0, reload.code(), reload.err());
        assertTrue(reload.out().startsWith("reloaded"), reload.out());
        CtlRun afterReload = tendrilctl("root", "stats", "--root", control, "--json");
        assertEquals(counter(a, "geoip.reloads") + 1, counter(new ObjectMapper().readTree(afterReload.out()), "geoip.reloads"));
    }

    private static long counter(JsonNode stats, String name) {
        for (JsonNode f : stats.get("counters")) {
            if (f.get("name").asText().equals(name)) {
                return Long.parseLong(f.get("value").asText());
            }
        }
        return 0;
    }

    static CtlRun tendrilctl(String... args) {
        return CtlRun.of(args);
    }

    @Test
    void treeShowsParentsChosenByProximity() throws Exception {
        CtlRun table = tendrilctl("tree", "web", "--root", control);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("gar 10.9.0.4"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.contains("gar ") && l.endsWith("parent muc")), table.out());

        CtlRun json = tendrilctl("tree", "web", "--root", control, "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode nodes = new ObjectMapper().readTree(json.out());
        assertEquals(4, nodes.size(), json.out());
        for (JsonNode n : nodes) {
            String id = n.get("node").get("nodeId").asText();
            String parent = n.get("parentId").asText();
            assertEquals(id.equals("muc") ? "" : id.equals("gar") ? "muc" : parent, parent, json.out());
            assertTrue(n.get("live").asBoolean(), json.out());
        }
    }

    @Test
    void resolveNamesTheNearestInstanceThenTheMigrationTarget() throws Exception {
        CtlRun tokyo = tendrilctl("resolve", "web", "--client", "198.18.6.20", "--root", control);
        assertEquals(0, tokyo.code(), tokyo.err());
        assertTrue(tokyo.out().startsWith("web for 198.18.6.20: nearest"), tokyo.out());
        assertTrue(tokyo.out().contains("tyo"), tokyo.out());

        call(new RootMessage.RecordMigration("web", List.of("198.18.3.0/24"), "gar", 60_000));
        CtlRun migrated = tendrilctl("resolve", "web", "--client", "198.18.3.9", "--root", control, "--json");
        assertEquals(0, migrated.code(), migrated.err());
        JsonNode answer = new ObjectMapper().readTree(migrated.out());
        assertEquals("migration", answer.get("basis").asText(), migrated.out());
        assertEquals("gar", answer.get("instances").get(0).get("nodeId").asText(), migrated.out());

        CtlRun listing = tendrilctl("migrations", "web", "--root", control);
        assertEquals(0, listing.code(), listing.err());
        assertTrue(listing.out().lines().anyMatch(l -> l.startsWith("web") && l.contains("198.18.3.0/24") && l.contains("gar")), listing.out());
        JsonNode records = new ObjectMapper().readTree(tendrilctl("migrations", "--root", control, "--json").out());
        assertTrue(records.isArray() && records.size() >= 1, records.toString());
        assertEquals("198.18.3.0/24", records.get(0).get("client").asText());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsSentAndAnUnknownServiceIsReported() {
        CtlRun badClient = tendrilctl("resolve", "web", "--client", "1.2.3", "--root", control);
        assertEquals(TendrilCtl.BAD_INPUT, badClient.code());
        assertTrue(badClient.err().contains("--client"), badClient.err());

        CtlRun badRoot = tendrilctl("migrations", "--root", "nowhere");
        assertEquals(TendrilCtl.BAD_INPUT, badRoot.code());
        assertTrue(badRoot.err().contains("--root: got 'nowhere'"), badRoot.err());

        CtlRun unknown = tendrilctl("resolve", "nosuch", "--client", "198.18.6.1", "--root", control);
        assertTrue(unknown.code() == TendrilCtl.OK || unknown.code() == TendrilCtl.FAILED, unknown.toString());
        assertTrue(unknown.out().contains("none") || unknown.err().contains("NOT_FOUND"), unknown.toString());
    }
}
