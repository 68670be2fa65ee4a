package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Protocol conformance details, table-driven: a whole request in, the whole response out,
 * rendered as one line per part (header, question, each section, OPT) and compared in full.
 * <ul>
 *   <li>RFC 3225 3: the DO bit of the query is copied into the response's OPT;</li>
 *   <li>QCLASS ANY is answered like IN (records of class IN);</li>
 *   <li>CHAOS TXT id.server / hostname.bind: the NSID identity; version.bind /
 *       version.server: the configured version, REFUSED when hidden; other CHAOS names REFUSED;</li>
 *   <li>RFC 8482: QTYPE ANY gets one HINFO "RFC8482" (ECS scope 0), negative answers as usual;</li>
 *   <li>RFC 8945 5.2: a query signed with an unknown key -> NOTAUTH with an unsigned TSIG
 *       (no MAC, error BADKEY, the original id).</li>
 * </ul>
 */
class DnsConformanceTest {
    private static final String Z = "svc.example.edge.";
    private static final String NEG_SOA = "AU " + Z + " 10 IN SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10";

    private static DnsQueryHandler handler(DnsConfig config) {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
        });
        return new DnsQueryHandler(config, new ResolveService(dir, World.locator(), clock, config.resolvePolicy()),
                new DnsMetrics());
    }

    private static DnsConfig.Builder config() {
        return DnsConfig.builder().zones(List.of(Z)).nsid("root-a").version("tendril-test").defaultPosition(World.NEW_YORK);
    }

    private static Message query(String name, int type, int dclass) {
        Message q = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, dclass));
        q.getHeader().setID(4242);
        return q;
    }

    private static Message withOpt(Message q, int flags) {
        q.addRecord(new OPTRecord(1232, 0, 0, flags), Section.ADDITIONAL);
        return q;
    }

    private static Message ecs(Message q, String cidr) {
        Cidr c = Cidr.parse(cidr);
        q.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(c.prefixLength(), c.networkAddress())), Section.ADDITIONAL);
        return q;
    }

    private static byte[] signed(Message q) {
        q.setTSIG(new TSIG(TSIG.HMAC_SHA256, "stranger.key.", "c2VjcmV0LXRoYXQtdGhlLXNlcnZlci1kb2VzLW5vdC1rbm93"));
        return q.toWire(65535); // dnsjava signs in toWire(maxLength)
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("DO set is copied", withOpt(query("web." + Z, Type.A, DClass.IN), ExtendedFlags.DO).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD web." + Z + " IN A", "AN web." + Z + " 10 IN A 10.0.2.1", "OPT 1232 do")),
                Arguments.of("DO clear stays clear", withOpt(query("web." + Z, Type.A, DClass.IN), 0).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD web." + Z + " IN A", "AN web." + Z + " 10 IN A 10.0.2.1", "OPT 1232 -")),
                Arguments.of("DO copied into a negative answer", withOpt(query("nope." + Z, Type.A, DClass.IN), ExtendedFlags.DO).toWire(), config(),
                        List.of("NXDOMAIN qr aa rd", "QD nope." + Z + " IN A", NEG_SOA, "OPT 1232 do")),
                Arguments.of("QCLASS ANY answered like IN", query("web." + Z, Type.A, DClass.ANY).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD web." + Z + " ANY A", "AN web." + Z + " 10 IN A 10.0.2.1")),
                Arguments.of("QCLASS ANY at the apex", query(Z, Type.SOA, DClass.ANY).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD " + Z + " ANY SOA",
                                "AN " + Z + " 3600 IN SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10")),
                Arguments.of("QCLASS ANY, no such name", query("nope." + Z, Type.A, DClass.ANY).toWire(), config(),
                        List.of("NXDOMAIN qr aa rd", "QD nope." + Z + " ANY A", NEG_SOA)),
                Arguments.of("QCLASS HS refused", query("web." + Z, Type.A, DClass.HS).toWire(), config(),
                        List.of("REFUSED qr rd", "QD web." + Z + " HS A")),
                Arguments.of("CHAOS id.server", query("id.server.", Type.TXT, DClass.CH).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD id.server. CH TXT", "AN id.server. 0 CH TXT \"root-a\"")),
                Arguments.of("CHAOS hostname.bind, mixed case", query("HostName.Bind.", Type.TXT, DClass.CH).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD HostName.Bind. CH TXT", "AN HostName.Bind. 0 CH TXT \"root-a\"")),
                Arguments.of("CHAOS version.bind", query("version.bind.", Type.TXT, DClass.CH).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD version.bind. CH TXT", "AN version.bind. 0 CH TXT \"tendril-test\"")),
                Arguments.of("CHAOS version.server with EDNS", withOpt(query("version.server.", Type.TXT, DClass.CH), 0).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD version.server. CH TXT", "AN version.server. 0 CH TXT \"tendril-test\"", "OPT 1232 -")),
                Arguments.of("CHAOS ANY version.bind", query("version.bind.", Type.ANY, DClass.CH).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD version.bind. CH ANY", "AN version.bind. 0 CH TXT \"tendril-test\"")),
                Arguments.of("CHAOS version hidden", query("version.bind.", Type.TXT, DClass.CH).toWire(), config().version("hide"),
                        List.of("REFUSED qr rd", "QD version.bind. CH TXT")),
                Arguments.of("CHAOS identity without an NSID", query("id.server.", Type.TXT, DClass.CH).toWire(), config().nsid(""),
                        List.of("REFUSED qr rd", "QD id.server. CH TXT")),
                Arguments.of("CHAOS other name", query("authors.bind.", Type.TXT, DClass.CH).toWire(), config(),
                        List.of("REFUSED qr rd", "QD authors.bind. CH TXT")),
                Arguments.of("CHAOS A of an identity name", query("id.server.", Type.A, DClass.CH).toWire(), config(),
                        List.of("REFUSED qr rd", "QD id.server. CH A")),
                Arguments.of("ANY at the apex: one HINFO (RFC 8482)", query(Z, Type.ANY, DClass.IN).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD " + Z + " IN ANY", "AN " + Z + " 3600 IN HINFO \"RFC8482\" \"\"")),
                Arguments.of("ANY at a service: one HINFO", query("web." + Z, Type.ANY, DClass.IN).toWire(), config().recordsPerAnswer(2),
                        List.of("NOERROR qr aa rd", "QD web." + Z + " IN ANY", "AN web." + Z + " 10 IN HINFO \"RFC8482\" \"\"")),
                Arguments.of("ANY at an SRV name: one HINFO, no glue", query("_http._tcp.web." + Z, Type.ANY, DClass.IN).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD _http._tcp.web." + Z + " IN ANY", "AN _http._tcp.web." + Z + " 10 IN HINFO \"RFC8482\" \"\"")),
                Arguments.of("ANY at a node name", query("fra1.nodes." + Z, Type.ANY, DClass.ANY).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD fra1.nodes." + Z + " ANY ANY", "AN fra1.nodes." + Z + " 10 IN HINFO \"RFC8482\" \"\"")),
                Arguments.of("ANY at an empty non-terminal: NODATA", query("nodes." + Z, Type.ANY, DClass.IN).toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD nodes." + Z + " IN ANY", NEG_SOA)),
                Arguments.of("ANY at no such name: NXDOMAIN", query("nope." + Z, Type.ANY, DClass.IN).toWire(), config(),
                        List.of("NXDOMAIN qr aa rd", "QD nope." + Z + " IN ANY", NEG_SOA)),
                Arguments.of("ANY with ECS: scope 0", ecs(query("web." + Z, Type.ANY, DClass.IN), "198.51.100.0/24").toWire(), config(),
                        List.of("NOERROR qr aa rd", "QD web." + Z + " IN ANY", "AN web." + Z + " 10 IN HINFO \"RFC8482\" \"\"",
                                "OPT 1232 - {edns-client-subnet: 198.51.100.0/24, scope netmask 0}")),
                Arguments.of("TSIG with an unknown key", signed(query("web." + Z, Type.A, DClass.IN)), config(),
                        List.of("NOTAUTH qr rd", "QD web." + Z + " IN A",
                                "AD stranger.key. TSIG hmac-sha256. error BADKEY mac 0 bytes original id 4242")),
                Arguments.of("TSIG with an unknown key, with EDNS and DO", signed(withOpt(query("web." + Z, Type.A, DClass.IN), ExtendedFlags.DO)), config(),
                        List.of("NOTAUTH qr rd", "QD web." + Z + " IN A", "OPT 1232 do",
                                "AD stranger.key. TSIG hmac-sha256. error BADKEY mac 0 bytes original id 4242")),
                Arguments.of("TSIG on a CHAOS query", signed(query("version.bind.", Type.TXT, DClass.CH)), config(),
                        List.of("NOTAUTH qr rd", "QD version.bind. CH TXT",
                                "AD stranger.key. TSIG hmac-sha256. error BADKEY mac 0 bytes original id 4242")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void wholeResponse(String what, byte[] request, DnsConfig.Builder config, List<String> expected) throws Exception {
        byte[] out = handler(config.build()).handle(request, InetAddress.getByName("192.0.2.1"), false);
        assertNotNull(out, "no response");
        assertEquals(expected, render(new Message(out)));
    }

    /** The whole response: header, question, every record of every section in order, OPT. */
    static List<String> render(Message m) {
        List<String> out = new ArrayList<>();
        StringBuilder flags = new StringBuilder(Rcode.string(m.getRcode()));
        for (int f : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (m.getHeader().getFlag(f)) {
                flags.append(' ').append(Flags.string(f));
            }
        }
        assertEquals(4242, m.getHeader().getID(), "id");
        out.add(flags.toString());
        for (Record q : m.getSection(Section.QUESTION)) {
            out.add("QD " + q.getName() + " " + DClass.string(q.getDClass()) + " " + Type.string(q.getType()));
        }
        String[] tags = {null, "AN", "AU", "AD"};
        for (int s = Section.ANSWER; s <= Section.ADDITIONAL; s++) {
            for (Record r : m.getSection(s)) {
                if (r instanceof OPTRecord opt) {
                    String options = opt.getOptions().stream().map(EDNSOption::toString).reduce("", (a, b) -> a + " " + b);
                    out.add("OPT " + opt.getPayloadSize() + " " + ((opt.getFlags() & ExtendedFlags.DO) != 0 ? "do" : "-") + options);
                } else if (r instanceof TSIGRecord t) {
                    out.add(tags[s] + " " + t.getName() + " TSIG " + t.getAlgorithm() + " error " + Rcode.TSIGstring(t.getError())
                            + " mac " + t.getSignature().length + " bytes original id " + t.getOriginalID());
                } else {
                    out.add(tags[s] + " " + r.getName() + " " + r.getTTL() + " " + DClass.string(r.getDClass()) + " "
                            + Type.string(r.getType()) + " " + r.rdataToString());
                }
            }
        }
        return out;
    }
}
