package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Table-driven tests of the whole query chain in-process: a dnsjava query in, the whole
 * response checked (rcode, flags, every section, TTLs, OPT options).
 */
class DnsQueryHandlerTest {
    static final String Z = "svc.example.edge.";
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    private DnsMetrics metrics;
    private DnsQueryHandler handler;

    private static DnsConfig.Builder config() {
        return DnsConfig.builder().zones(List.of(Z, "example.edge.")).nameServers(List.of("ns1.example.net.", "ns2.example.net."))
                .nsid("root-a").defaultPosition(World.NEW_YORK);
    }

    private void use(DnsConfig c) {
        metrics = new DnsMetrics();
        handler = new DnsQueryHandler(c, new ResolveService(dir, World.locator(), clock, c.resolvePolicy()), metrics);
    }

    @BeforeEach
    void setUp() {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
            d.putInstance("web", World.SYD, true);
        });
        use(config().build());
    }

    // ---- helpers ----

    static Message query(String name, int type, EDNSOption... options) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.getHeader().setID(4242);
        if (options.length > 0) {
            q.addRecord(new OPTRecord(1232, 0, 0, 0, options), Section.ADDITIONAL);
        }
        return q;
    }

    private Message ask(Message q, String source) throws Exception {
        byte[] out = handler.handle(q.toWire(), InetAddress.getByName(source), false);
        assertNotNull(out, "no response");
        return new Message(out);
    }

    private Message ask(String name, int type, String source, EDNSOption... options) throws Exception {
        return ask(query(name, type, options), source);
    }

    static List<String> section(Message m, int section) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(section)) {
            if (r.getType() != Type.OPT) {
                out.add(r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString());
            }
        }
        return out;
    }

    static ClientSubnetOption ecs(Message m) {
        OPTRecord opt = m.getOPT();
        assertNotNull(opt, "no OPT in response");
        List<EDNSOption> o = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
        assertEquals(1, o.size(), "one ECS option");
        return (ClientSubnetOption) o.get(0);
    }

    static ClientSubnetOption subnet(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return new ClientSubnetOption(c.prefixLength(), c.networkAddress());
    }

    private static void assertAuthoritative(Message m, int rcode) {
        assertEquals(Rcode.string(rcode), Rcode.string(m.getRcode()));
        assertTrue(m.getHeader().getFlag(Flags.QR));
        assertTrue(m.getHeader().getFlag(Flags.AA), "AA");
        assertFalse(m.getHeader().getFlag(Flags.RA), "RA is never set");
        assertEquals(4242, m.getHeader().getID());
    }

    private static final String SOA = Z + " 3600 SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10";
    private static final String NEG_SOA = Z + " 10 SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10";

    // ---- the table ----

    @ParameterizedTest(name = "{0} {1} from {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            svc.example.edge.              | SOA  | 192.0.2.1    | NOERROR  | svc.example.edge. 3600 SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10 |
            svc.example.edge.              | NS   | 192.0.2.1    | NOERROR  | svc.example.edge. 3600 NS ns1.example.net.;svc.example.edge. 3600 NS ns2.example.net. |
            svc.example.edge.              | A    | 192.0.2.1    | NOERROR  |                                                    | NEG
            web.svc.example.edge.          | A    | 203.0.113.5  | NOERROR  | web.svc.example.edge. 10 A 10.0.3.1                |
            web.svc.example.edge.          | A    | 192.0.2.1    | NOERROR  | web.svc.example.edge. 10 A 10.0.2.1                |
            web.svc.example.edge.          | A    | 198.51.100.9 | NOERROR  | web.svc.example.edge. 10 A 10.0.1.1                |
            web.svc.example.edge.          | AAAA | 100.64.1.1   | NOERROR  | web.svc.example.edge. 10 AAAA 2001:db8:4:0:0:0:0:1 |
            web.svc.example.edge.          | A    | 100.64.1.1   | NOERROR  |                                                    | NEG
            web.svc.example.edge.          | AAAA | 203.0.113.5  | NOERROR  |                                                    | NEG
            web.svc.example.edge.          | TXT  | 203.0.113.5  | NOERROR  |                                                    | NEG
            web.svc.example.edge.          | A    | 10.20.30.40  | NOERROR  | web.svc.example.edge. 10 A 10.0.2.1                |
            WeB.SVC.example.EDGE.          | A    | 203.0.113.5  | NOERROR  | WeB.SVC.example.EDGE. 10 A 10.0.3.1                |
            web.example.edge.              | A    | 203.0.113.5  | NOERROR  | web.example.edge. 10 A 10.0.3.1                    |
            tyo1.nodes.svc.example.edge.   | A    | 192.0.2.1    | NOERROR  | tyo1.nodes.svc.example.edge. 10 A 10.0.3.1         |
            syd1.nodes.svc.example.edge.   | AAAA | 192.0.2.1    | NOERROR  | syd1.nodes.svc.example.edge. 10 AAAA 2001:db8:4:0:0:0:0:1 |
            tyo1.nodes.svc.example.edge.   | AAAA | 192.0.2.1    | NOERROR  |                                                    | NEG
            nodes.svc.example.edge.        | A    | 192.0.2.1    | NOERROR  |                                                    | NEG
            nope.nodes.svc.example.edge.   | A    | 192.0.2.1    | NXDOMAIN |                                                    | NEG
            nope.svc.example.edge.         | A    | 192.0.2.1    | NXDOMAIN |                                                    | NEG
            a.web.svc.example.edge.        | A    | 192.0.2.1    | NXDOMAIN |                                                    | NEG
            _tcp.web.svc.example.edge.     | SRV  | 192.0.2.1    | NOERROR  |                                                    | NEG
            _udp.web.svc.example.edge.     | SRV  | 192.0.2.1    | NXDOMAIN |                                                    | NEG
            _ftp._tcp.web.svc.example.edge.| SRV  | 192.0.2.1    | NXDOMAIN |                                                    | NEG
            _http._tcp.web.svc.example.edge.| A   | 192.0.2.1    | NOERROR  |                                                    | NEG
            _http._tcp.nope.svc.example.edge.| SRV | 192.0.2.1   | NXDOMAIN |                                                    | NEG
            """)
    void answers(String name, String type, String source, String rcode, String answers, String authority) throws Exception {
        Message m = ask(name, Type.value(type), source);
        assertAuthoritative(m, Rcode.value(rcode));
        List<String> expected = answers == null ? List.of() : Arrays.stream(answers.split(";")).map(String::trim).toList();
        assertEquals(expected, section(m, Section.ANSWER));
        String zone = name.toLowerCase().endsWith(Z) ? Z : "example.edge.";
        assertEquals("NEG".equals(authority) ? List.of(NEG_SOA.replace(Z, zone)) : List.of(), section(m, Section.AUTHORITY));
        assertEquals(List.of(), section(m, Section.ADDITIONAL));
        assertEquals(1, m.getSection(Section.QUESTION).size());
        assertNull(m.getOPT(), "no OPT when the query had none");
    }

    @Test
    void srvWithGlue() throws Exception {
        Message m = ask("_http._tcp.web." + Z, Type.SRV, "192.0.2.1");
        assertAuthoritative(m, Rcode.NOERROR);
        assertEquals(List.of("_http._tcp.web." + Z + " 10 SRV 0 0 8080 nyc1.nodes." + Z), section(m, Section.ANSWER));
        assertEquals(List.of("nyc1.nodes." + Z + " 10 A 10.0.2.1"), section(m, Section.ADDITIONAL));
    }

    @Test
    void srvKNearestInPriorityOrder() throws Exception {
        use(config().recordsPerAnswer(2).build());
        Message m = ask("_http._tcp.web." + Z, Type.SRV, "203.0.113.5");
        assertEquals(List.of("_http._tcp.web." + Z + " 10 SRV 0 0 8080 tyo1.nodes." + Z,
                "_http._tcp.web." + Z + " 10 SRV 1 0 8080 syd1.nodes." + Z), section(m, Section.ANSWER));
        assertEquals(List.of("tyo1.nodes." + Z + " 10 A 10.0.3.1", "syd1.nodes." + Z + " 10 AAAA 2001:db8:4:0:0:0:0:1"),
                section(m, Section.ADDITIONAL));
    }

    @Test
    void outsideTheZonesIsRefusedWithoutAa() throws Exception {
        Message m = ask("www.example.com.", Type.A, "192.0.2.1");
        assertEquals(Rcode.REFUSED, m.getRcode());
        assertFalse(m.getHeader().getFlag(Flags.AA));
        assertTrue(section(m, Section.ANSWER).isEmpty() && section(m, Section.AUTHORITY).isEmpty());
    }

    @Test
    void nonInClassAndZoneTransfersAreRefused() throws Exception {
        Message ch = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.CH));
        assertEquals(Rcode.REFUSED, ask(ch, "192.0.2.1").getRcode());
        assertEquals(Rcode.REFUSED, ask(Z, Type.AXFR, "192.0.2.1").getRcode());
    }

    @Test
    void otherOpcodesAreNotImplemented() throws Exception {
        Message q = query("web." + Z, Type.A);
        q.getHeader().setOpcode(Opcode.STATUS);
        Message m = ask(q, "192.0.2.1");
        assertEquals(Rcode.NOTIMP, m.getRcode());
        assertEquals(Opcode.STATUS, m.getHeader().getOpcode());
        q.getHeader().setOpcode(Opcode.UPDATE);
        assertEquals(Rcode.NOTIMP, ask(q, "192.0.2.1").getRcode());
    }

    @Test
    void rdIsCopiedRaNeverSet() throws Exception {
        Message q = query("web." + Z, Type.A);
        assertTrue(q.getHeader().getFlag(Flags.RD));
        assertTrue(ask(q, "192.0.2.1").getHeader().getFlag(Flags.RD));
        q.getHeader().unsetFlag(Flags.RD);
        Message m = ask(q, "192.0.2.1");
        assertFalse(m.getHeader().getFlag(Flags.RD));
        assertFalse(m.getHeader().getFlag(Flags.RA));
    }

    @Test
    void malformedMessages() throws Exception {
        InetAddress src = InetAddress.getByName("192.0.2.1");
        assertNull(handler.handle(new byte[] {1, 2, 3, 4, 5}, src, false), "shorter than a header: dropped");
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'a'};
        Message m = new Message(handler.handle(garbage, src, false));
        assertEquals(Rcode.FORMERR, m.getRcode());
        assertEquals(0x1234, m.getHeader().getID());
        assertTrue(m.getHeader().getFlag(Flags.QR));
        assertTrue(m.getHeader().getFlag(Flags.RD), "RD copied");
        byte[] response = garbage.clone();
        response[2] |= (byte) 0x80;
        assertNull(handler.handle(response, src, false), "responses are never answered");
        Message two = query("web." + Z, Type.A);
        two.addRecord(Record.newRecord(Name.fromString("x." + Z), Type.A, DClass.IN), Section.QUESTION);
        assertEquals(Rcode.FORMERR, ask(two, "192.0.2.1").getRcode());
        Message none = new Message(77);
        assertEquals(Rcode.FORMERR, ask(none, "192.0.2.1").getRcode());
        assertEquals(2, metrics.dropped());
        assertEquals(0, metrics.unexpectedErrors());
    }

    @Test
    void compressionLoopIsFormerr() throws Exception {
        // question name is a pointer to itself (offset 12)
        byte[] loop = {0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01};
        Message m = new Message(handler.handle(loop, InetAddress.getByName("192.0.2.1"), false));
        assertEquals(Rcode.FORMERR, m.getRcode());
        assertEquals(7, m.getHeader().getID());
    }

    @Test
    void badEcsOptionIsFormerr() throws Exception {
        byte[] q = query("web." + Z, Type.A, subnet("198.51.100.0/24")).toWire();
        // set a host bit beyond the source prefix: the ECS address is the last 3 bytes of the message
        q[q.length - 1] = 0x01;
        byte[] withHostBit = Arrays.copyOf(q, q.length + 1);
        // rewrite option length and rdlength for the extra byte
        withHostBit[q.length - 1 - 3 - 4 - 1] += 1; // option length low byte
        withHostBit[q.length - 1 - 3 - 4 - 4 - 1] += 1; // rdlength low byte
        withHostBit[q.length] = 0x01;
        Message m = new Message(handler.handle(withHostBit, InetAddress.getByName("192.0.2.1"), false));
        assertEquals(Rcode.FORMERR, m.getRcode());
        assertEquals(4242, m.getHeader().getID());
    }

    @Test
    void ednsVersionOtherThanZeroIsBadvers() throws Exception {
        Message q = query("web." + Z, Type.A);
        q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        Message m = ask(q, "192.0.2.1");
        assertEquals(Rcode.BADVERS, m.getRcode());
        assertEquals(0, m.getOPT().getVersion());
    }

    @Test
    void ecsLocatesTheClientAndEchoesTheScope() throws Exception {
        Message m = ask("web." + Z, Type.A, "127.0.0.1", subnet("198.51.100.0/24"));
        assertEquals(List.of("web." + Z + " 10 A 10.0.1.1"), section(m, Section.ANSWER));
        ClientSubnetOption e = ecs(m);
        assertEquals(24, e.getSourcePrefixLength());
        assertEquals(24, e.getScopePrefixLength());
        assertEquals("198.51.100.0", e.getAddress().getHostAddress());
        assertEquals(1232, m.getOPT().getPayloadSize());
    }

    @Test
    void ecsWiderGeoIpNetworkGivesWiderScope() throws Exception {
        Message m = ask("web." + Z, Type.A, "127.0.0.1", subnet("100.64.7.0/24"));
        assertEquals(List.of(), section(m, Section.ANSWER), "syd1 is IPv6 only: NODATA");
        assertEquals(16, ecs(m).getScopePrefixLength());
        Message v6 = ask("web." + Z, Type.AAAA, "127.0.0.1", subnet("2001:db8:1:5::/56"));
        assertEquals(List.of("web." + Z + " 10 AAAA 2001:db8:4:0:0:0:0:1"), section(ask("web." + Z, Type.AAAA, "127.0.0.1",
                subnet("100.64.7.0/24")), Section.ANSWER));
        assertEquals(List.of(), section(v6, Section.ANSWER), "Paris client: nearest is fra1, IPv4 only");
        assertEquals(48, ecs(v6).getScopePrefixLength());
        assertEquals(56, ecs(v6).getSourcePrefixLength());
    }

    @Test
    void ecsSlashZeroMeansDefaultPositionAndScopeZero() throws Exception {
        Message m = ask("web." + Z, Type.A, "203.0.113.5", subnet("0.0.0.0/0"));
        assertEquals(List.of("web." + Z + " 10 A 10.0.2.1"), section(m, Section.ANSWER), "default position is New York");
        assertEquals(0, ecs(m).getScopePrefixLength());
    }

    @Test
    void negativeAnswersEchoEcsWithScopeZero() throws Exception {
        Message m = ask("nope." + Z, Type.A, "127.0.0.1", subnet("198.51.100.0/24"));
        assertEquals(Rcode.NXDOMAIN, m.getRcode());
        assertEquals(0, ecs(m).getScopePrefixLength());
    }

    @Test
    void migrationChangesTheAnswerCapsTheTtlAndExpires() throws Exception {
        dir.putMigration("web", Cidr.parse("198.51.100.0/24"), "tyo1", clock.millis() + 3_200);
        Message m = ask("web." + Z, Type.A, "127.0.0.1", subnet("198.51.100.0/24"));
        assertEquals(List.of("web." + Z + " 3 A 10.0.3.1"), section(m, Section.ANSWER),
                "TTL rounded down to the record's 3.2 s: a cache never keeps it past the expiry");
        clock.advance(Duration.ofMillis(3_000));
        assertEquals(List.of("web." + Z + " 0 A 10.0.3.1"), section(ask("web." + Z, Type.A, "198.51.100.7"), Section.ANSWER),
                "in the record's last second: TTL 0, not cached");
        clock.advance(Duration.ofMillis(200));
        assertEquals(List.of("web." + Z + " 10 A 10.0.1.1"), section(ask("web." + Z, Type.A, "198.51.100.7"), Section.ANSWER));
    }

    @Test
    void nsidAnsweredWhenAsked() throws Exception {
        Message m = ask("web." + Z, Type.A, "192.0.2.1", new NSIDOption(new byte[0]));
        List<EDNSOption> nsid = m.getOPT().getOptions(EDNSOption.Code.NSID);
        assertEquals(1, nsid.size());
        assertArrayEquals("root-a".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(nsid.get(0).toWire(), 4, nsid.get(0).toWire().length));
        Message without = ask("web." + Z, Type.A, "192.0.2.1", subnet("192.0.2.0/24"));
        assertTrue(without.getOPT().getOptions(EDNSOption.Code.NSID).isEmpty(), "no NSID unless asked");
    }

    @Test
    void largeAnswersTruncateOverUdpAndComeWholeOverTcp() throws Exception {
        dir.batch(d -> {
            for (int i = 0; i < 60; i++) {
                d.putInstance("many", World.node("m" + i, "10.7.0." + (i + 1), new GeoPoint(i, i)), true);
            }
        });
        use(config().recordsPerAnswer(50).build());
        Message q = query("many." + Z, Type.A);
        byte[] udp = handler.handle(q.toWire(), InetAddress.getByName("192.0.2.1"), false);
        assertTrue(udp.length <= 512);
        Message tu = new Message(udp);
        assertTrue(tu.getHeader().getFlag(Flags.TC), "TC over UDP");
        assertEquals(0, tu.getSection(Section.ANSWER).size(), "the whole RRset is dropped, never a part");
        Message tcp = new Message(handler.handle(q.toWire(), InetAddress.getByName("192.0.2.1"), true));
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(50, tcp.getSection(Section.ANSWER).size());
        // EDNS payload size is honoured: 1232 fits 50 A records
        Message big = ask(query("many." + Z, Type.A, new NSIDOption(new byte[0])), "192.0.2.1");
        assertFalse(big.getHeader().getFlag(Flags.TC));
        assertEquals(50, big.getSection(Section.ANSWER).size());
        assertEquals(1, metrics.truncated());
    }

    @Test
    void noneLiveIsServfailOrLastKnown() throws Exception {
        dir.batch(d -> List.of("fra1", "nyc1", "tyo1", "syd1").forEach(id -> d.setLive("web", id, false)));
        Message m = ask("web." + Z, Type.A, "203.0.113.5");
        assertEquals(Rcode.SERVFAIL, m.getRcode());
        assertTrue(section(m, Section.ANSWER).isEmpty());
        use(config().whenNoneLive(DnsConfig.WhenNoneLive.LAST_KNOWN).build());
        Message last = ask("web." + Z, Type.A, "203.0.113.5");
        assertAuthoritative(last, Rcode.NOERROR);
        assertEquals(List.of("web." + Z + " 10 A 10.0.3.1"), section(last, Section.ANSWER));
    }

    @Test
    void unexpectedErrorsAreCountedAndAnsweredServfail() throws Exception {
        DnsConfig c = config().build();
        metrics = new DnsMetrics();
        handler = new DnsQueryHandler(c, new ResolveService(dir, address -> {
            throw new IllegalStateException("boom");
        }, clock, c.resolvePolicy()), metrics);
        Message m = ask("web." + Z, Type.A, "203.0.113.5");
        assertEquals(Rcode.SERVFAIL, m.getRcode());
        assertEquals(1, metrics.unexpectedErrors());
    }
}
