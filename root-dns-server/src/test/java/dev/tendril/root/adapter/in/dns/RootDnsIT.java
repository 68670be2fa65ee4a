package dev.tendril.root.adapter.in.dns;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.Dig;
import dev.tendril.root.testing.ListenPorts;
import dev.tendril.root.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real DNS server on a free port, queried with the real dig. GeoIP: the demo database
 * compiled from geoip-data/csv/demo.csv (198.18.N.0/24: one city per N).
 *
 * <p>Behaviours: nearest instance for clients in six cities on four continents via
 * +subnet (incl. across the antimeridian); ECS scope echo and narrowing by a migration
 * record; migration changes the answer and expires; A, AAAA, SRV with glue, node names, SOA,
 * NS; NXDOMAIN, NODATA, REFUSED, NOTIMP, FORMERR; +tcp (several queries per connection,
 * idle timeout); +nsid; truncation over UDP with +bufsize=512 +ignore and dig's retry over
 * TCP getting the whole answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootDnsIT {
    private static final String Z = "svc.example.edge.";
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private final SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
    private final GeoLocator geo = GeoDatabases.demo();
    private DnsServer server;
    private DnsServer wide;

    private static NodeInfo node(String id, String address, double lat, double lon) {
        return new NodeInfo(id, address, new GeoPoint(lat, lon), List.of(new ServicePort("http", "tcp", 8080)), 7000);
    }

    @BeforeAll
    void start() {
        Dig.require();
        directory.batch(d -> {
            d.putInstance("web", node("fra1", "10.0.1.1", 50.1109, 8.6821), true);
            d.putInstance("web", node("nyc1", "10.0.2.1", 40.7128, -74.0060), true);
            d.putInstance("web", node("tyo1", "10.0.3.1", 35.6762, 139.6503), true);
            d.putInstance("web", node("syd1", "10.0.4.1", -33.8688, 151.2093), true);
            d.putInstance("web", node("gru1", "10.0.5.1", -23.5505, -46.6333), true);
            d.putInstance("web", node("suva1", "10.0.6.1", -18.1248, 178.4501), true);
            d.putInstance("api", node("tyo6", "2001:db8:3::1", 35.6762, 139.6503), true);
            d.putInstance("api", node("fra4", "10.0.1.4", 50.1109, 8.6821), true);
            for (int i = 0; i < 60; i++) {
                d.putInstance("many", node("m" + i, "10.7.0." + (i + 1), i, i), true);
            }
        });
        DnsConfig config = DnsConfig.builder().zones(List.of(Z)).port(ListenPorts.free()).nsid("root-it").tcpIdleTimeoutSeconds(1)
                .ioThreads(2).defaultPosition(new GeoPoint(40.7128, -74.0060)).build();
        server = new DnsServer(config, directory, geo, clock).start();
        wide = new DnsServer(config.toBuilder().port(ListenPorts.free()).recordsPerAnswer(40).build(), directory, geo, clock).start();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            assertEquals(0, server.metrics().unexpectedErrors(), server.metrics().snapshot().toString());
        }
        if (wide != null) {
            wide.close();
        }
    }

    private Dig.Result dig(String... args) {
        return Dig.query(server.port(), args);
    }

    @ParameterizedTest(name = "client in {0} ({1}) gets {2}")
    @CsvSource({
        "Munich,        198.18.0.0/24,  10.0.1.1",
        "Mountain View, 198.18.4.0/24,  10.0.2.1",
        "Tokyo,         198.18.6.0/24,  10.0.3.1",
        "Sydney,        198.18.7.0/24,  10.0.4.1",
        "Sao Paulo,     198.18.5.0/24,  10.0.5.1",
        "Nairobi,       198.18.8.0/24,  10.0.1.1",
        "Apia (across the antimeridian), 198.18.11.0/24, 10.0.6.1",
        "Auckland,      198.18.10.0/24, 10.0.6.1",
    })
    void nearestInstanceForClientsAroundTheWorld(String city, String subnet, String address) {
        Dig.Result r = dig("web." + Z, "A", "+subnet=" + subnet);
        assertEquals("NOERROR", r.status(), r::toString);
        assertTrue(r.hasFlag("aa") && !r.hasFlag("ra"), r::toString);
        assertEquals(List.of("web." + Z + " 10 IN A " + address), r.answer(), r::toString);
        assertEquals(subnet + "/24", r.clientSubnet(), r::toString);
    }

    @Test
    void migrationChangesTheAnswerUntilItExpires() {
        directory.putMigration("web", Cidr.parse("198.18.0.0/24"), "tyo1", clock.millis() + 5_000);
        try {
            Dig.Result r = dig("web." + Z, "A", "+subnet=198.18.0.0/24");
            assertEquals(List.of("web." + Z + " 5 IN A 10.0.3.1"), r.answer(), "the TTL never outlives the record: " + r);
            assertEquals("198.18.0.0/24/24", r.clientSubnet());
            assertEquals(List.of("web." + Z + " 10 IN A 10.0.1.1"), dig("web." + Z, "A", "+subnet=198.18.1.0/24").answer(),
                    "Garching is not migrated");
            clock.advance(Duration.ofSeconds(5));
            assertEquals(List.of("web." + Z + " 10 IN A 10.0.1.1"), dig("web." + Z, "A", "+subnet=198.18.0.0/24").answer(),
                    "expired: the nearest again");
        } finally {
            directory.removeMigration("web", Cidr.parse("198.18.0.0/24"));
        }
    }

    @Test
    void ecsScopeIsTheGeoIpNetworkNarrowedAroundMigrationRecords() {
        int geoPrefix = geo.locate(Cidr.parse("198.19.6.0").networkAddress()).orElseThrow().prefixLength();
        assertTrue(geoPrefix < 23, "the demo database has a wide Frankfurt network around 198.19.6.0: /" + geoPrefix);
        assertEquals("198.19.6.0/24/" + geoPrefix, dig("web." + Z, "A", "+subnet=198.19.6.0/24").clientSubnet());
        directory.putMigration("web", Cidr.parse("198.19.4.0/24"), "nyc1", clock.millis() + 60_000);
        try {
            Dig.Result outside = dig("web." + Z, "A", "+subnet=198.19.6.0/24");
            assertEquals(List.of("web." + Z + " 10 IN A 10.0.1.1"), outside.answer());
            assertEquals("198.19.6.0/24/23", outside.clientSubnet(), "198.19.6.0/22 would hold the migrated /24");
            Dig.Result inside = dig("web." + Z, "A", "+subnet=198.19.4.0/24");
            assertEquals(List.of("web." + Z + " 10 IN A 10.0.2.1"), inside.answer());
            assertEquals("198.19.4.0/24/24", inside.clientSubnet());
        } finally {
            directory.removeMigration("web", Cidr.parse("198.19.4.0/24"));
        }
    }

    @Test
    void unlocatedClientsGetTheDefaultPosition() {
        Dig.Result slash0 = dig("web." + Z, "A", "+subnet=0.0.0.0/0");
        assertEquals(List.of("web." + Z + " 10 IN A 10.0.2.1"), slash0.answer(), slash0::toString);
        assertEquals("0.0.0.0/0/0", slash0.clientSubnet());
        Dig.Result testNet = dig("web." + Z, "A", "+subnet=192.0.2.0/24");
        assertEquals(List.of("web." + Z + " 10 IN A 10.0.2.1"), testNet.answer());
        // the source address 127.0.0.1 is not in the database either
        assertEquals(List.of("web." + Z + " 10 IN A 10.0.2.1"), dig("web." + Z, "A").answer());
    }

    @Test
    void aaaaAndNodata() {
        Dig.Result r = dig("api." + Z, "AAAA", "+subnet=198.18.6.0/24");
        assertEquals(List.of("api." + Z + " 10 IN AAAA 2001:db8:3::1"), r.answer(), r::toString);
        Dig.Result nodata = dig("api." + Z, "A", "+subnet=198.18.6.0/24");
        assertEquals("NOERROR", nodata.status());
        assertEquals(List.of(), nodata.answer());
        assertEquals(1, nodata.authority().size(), nodata::toString);
        assertTrue(nodata.authority().get(0).startsWith(Z + " 10 IN SOA "), nodata::toString);
        assertEquals(List.of("api." + Z + " 10 IN A 10.0.1.4"), dig("api." + Z, "A", "+subnet=198.18.0.0/24").answer());
    }

    @Test
    void srvWithGlueAndNodeNames() {
        Dig.Result r = dig("_http._tcp.web." + Z, "SRV", "+subnet=198.18.7.0/24");
        assertEquals(List.of("_http._tcp.web." + Z + " 10 IN SRV 0 0 8080 syd1.nodes." + Z), r.answer(), r::toString);
        assertEquals(List.of("syd1.nodes." + Z + " 10 IN A 10.0.4.1"), r.additional(), r::toString);
        assertEquals(List.of("syd1.nodes." + Z + " 10 IN A 10.0.4.1"), dig("syd1.nodes." + Z, "A").answer());
        assertEquals(List.of("tyo6.nodes." + Z + " 10 IN AAAA 2001:db8:3::1"), dig("tyo6.nodes." + Z, "AAAA").answer());
        assertEquals("NXDOMAIN", dig("nope.nodes." + Z, "A").status());
    }

    @Test
    void apexSoaAndNs() {
        Dig.Result soa = dig(Z, "SOA");
        assertEquals(List.of(Z + " 3600 IN SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10"), soa.answer());
        assertTrue(soa.hasFlag("aa"));
        assertEquals(List.of(Z + " 3600 IN NS ns1.example.net."), dig(Z, "NS").answer());
    }

    @Test
    void negativeAnswersAndRefusals() {
        Dig.Result nx = dig("nope." + Z, "A");
        assertEquals("NXDOMAIN", nx.status());
        assertTrue(nx.hasFlag("aa"));
        assertTrue(nx.authority().get(0).startsWith(Z + " 10 IN SOA"), nx::toString);
        Dig.Result nodata = dig("web." + Z, "TXT");
        assertEquals("NOERROR", nodata.status());
        assertEquals(List.of(), nodata.answer());
        assertTrue(nodata.authority().get(0).startsWith(Z + " 10 IN SOA"), nodata::toString);
        Dig.Result refused = dig("www.example.com.", "A");
        assertEquals("REFUSED", refused.status());
        assertFalse(refused.hasFlag("aa"));
        Dig.Result notimp = dig("web." + Z, "A", "+opcode=status");
        assertEquals("NOTIMP", notimp.status(), notimp::toString);
        Dig.Result noRd = dig("web." + Z, "A", "+norecurse");
        assertFalse(noRd.hasFlag("rd") || noRd.hasFlag("ra"), noRd::toString);
        assertTrue(dig("web." + Z, "A", "+recurse").hasFlag("rd"));
    }

    @Test
    void malformedMessageGetsFormerrWithItsId() throws Exception {
        byte[] garbage = {(byte) 0xBE, (byte) 0xEF, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x03, 'w', 'e', 'b', (byte) 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01};
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(garbage, garbage.length, InetAddress.getLoopbackAddress(), server.port()));
            DatagramPacket in = new DatagramPacket(new byte[512], 512);
            s.receive(in);
            byte[] r = in.getData();
            assertEquals(0xBEEF, (r[0] & 0xff) << 8 | (r[1] & 0xff));
            assertTrue((r[2] & 0x80) != 0, "QR");
            assertEquals(1, r[3] & 0x0f, "FORMERR");
        }
        assertTrue(server.metrics().malformed() >= 1);
    }

    @Test
    void tcpAnswersSeveralQueriesPerConnection() {
        long connections = server.metrics().tcpConnections();
        long queries = server.metrics().tcpQueries();
        Dig.Result r = dig("+tcp", "+keepopen", "web." + Z, "A", "+subnet=198.18.6.0/24", "web." + Z, "A", "+subnet=198.18.7.0/24");
        String flat = r.output().replaceAll("[ \t]+", " ");
        assertTrue(flat.contains("web." + Z + " 10 IN A 10.0.3.1") && flat.contains("web." + Z + " 10 IN A 10.0.4.1"), r::toString);
        assertTrue(r.output().contains("(TCP)"), r::toString);
        assertEquals(2, server.metrics().tcpQueries() - queries);
        assertEquals(1, server.metrics().tcpConnections() - connections, "both queries on one connection");
    }

    @Test
    void idleTcpConnectionsAreClosed() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 3000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            long t0 = System.nanoTime();
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection still open after 10 s; the idle timeout is 1 s");
            }
            assertEquals(-1, b, "closed by the server");
            assertTrue(System.nanoTime() - t0 >= 500_000_000L, "not closed before it was idle");
        }
    }

    @Test
    void nsid() {
        assertEquals("root-it", dig("web." + Z, "A", "+nsid").nsid());
        assertFalse(dig("web." + Z, "A").output().contains("NSID"));
    }

    @Test
    void truncationOverUdpAndDigRetriesOverTcp() {
        Dig.Result udp = Dig.query(wide.port(), "many." + Z, "A", "+bufsize=512", "+ignore");
        assertTrue(udp.hasFlag("tc"), udp::toString);
        assertEquals(List.of(), udp.answer(), "whole RRsets are dropped: " + udp);
        Dig.Result retried = Dig.query(wide.port(), "many." + Z, "A", "+bufsize=512");
        assertTrue(retried.output().contains("Truncated, retrying in TCP mode"), retried::toString);
        assertFalse(retried.hasFlag("tc"), retried::toString);
        assertEquals(40, retried.answer().size(), retried::toString);
        Dig.Result big = Dig.query(wide.port(), "many." + Z, "A", "+bufsize=1232", "+ignore");
        assertFalse(big.hasFlag("tc"), "1232 bytes hold 40 A records: " + big);
        assertEquals(40, big.answer().size());
        Matcher m = Pattern.compile("MSG SIZE\\s+rcvd: (\\d+)").matcher(udp.output());
        assertTrue(m.find() && Integer.parseInt(m.group(1)) <= 512, udp::toString);
    }

    @Test
    void tcpAnswersInFull() throws Exception {
        Dig.Result r = Dig.query(wide.port(), "many." + Z, "A", "+tcp");
        assertEquals(40, r.answer().size());
        assertFalse(r.hasFlag("tc"));
        // a hand-made TCP exchange: two framed queries, two framed answers
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), wide.port())) {
            s.setSoTimeout(5000);
            byte[] q1 = DnsQueryHandlerTest.query("many." + Z, org.xbill.DNS.Type.A).toWire();
            byte[] q2 = DnsQueryHandlerTest.query("web." + Z, org.xbill.DNS.Type.A).toWire();
            var out = s.getOutputStream();
            for (byte[] q : List.of(q1, q2)) {
                out.write(new byte[] {(byte) (q.length >> 8), (byte) q.length});
                out.write(q);
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int expected : List.of(40, 6)) {
                byte[] resp = new byte[in.readUnsignedShort()];
                in.readFully(resp);
                assertEquals(expected, new org.xbill.DNS.Message(resp).getSection(org.xbill.DNS.Section.ANSWER).size());
            }
        }
    }
}
