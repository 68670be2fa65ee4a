package dev.tendril.root.adapter.in.dns;

import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.domain.SwappableGeoLocator;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.TableGeoLocator;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path (common query shape + answer cache) answers byte for byte what the dnsjava
 * path answers: many generated queries (seeded), each asked several times with another id,
 * RD bit and name case, while instances go down and up, migration records come and go, the
 * clock moves and the GeoIP databases are swapped.
 */
class DnsFastPathTest {
    static final String Z = "svc.example.edge.";
    private static final String[] NAMES = {"web." + Z, "api." + Z, Z, "nodes." + Z, "fra1.nodes." + Z, "tyo1.nodes." + Z,
        "_tcp.web." + Z, "web.example.edge.", "www.example.org.", "a.b.web." + Z};
    private static final String[] SOURCES = {"198.51.100.7", "192.0.2.200", "203.0.113.9", "100.64.3.4", "10.9.8.7",
        "2001:db8:1::5", "2001:db8:99::1", "127.0.0.1"};
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    private final SwappableGeoLocator geo = new SwappableGeoLocator(new LayeredGeoLocator(List.of(World.locator())));
    private DnsMetrics metrics;
    private DnsQueryHandler handler;

    @BeforeEach
    void setUp() {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
            d.putInstance("web", World.SYD, true);
        });
        DnsConfig c = DnsConfig.builder().zones(List.of(Z, "example.edge.")).nameServers(List.of("ns1.example.net."))
                .nsid("root-a").defaultPosition(World.NEW_YORK).build();
        metrics = new DnsMetrics();
        handler = new DnsQueryHandler(c, new ResolveService(dir, geo, clock, c.resolvePolicy()), metrics);
    }

    @Test
    void fastPathAnswersEqualTheDnsjavaPathForGeneratedQueries() throws Exception {
        SplittableRandom random = new SplittableRandom(20261202);
        int commonShapes = 0;
        int asked = 0;
        for (int i = 0; i < 3000; i++) {
            if (i % 150 == 149) {
                changeTheWorld(random);
            }
            clock.advance(Duration.ofMillis(random.nextInt(400)));
            byte[] wire = randomQuery(random);
            InetAddress source = InetAddress.getByName(SOURCES[random.nextInt(SOURCES.length)]);
            if (CommonQuery.parse(wire, source) != null) {
                commonShapes++;
            }
            for (int again = 0; again < 3; again++) { // the first asks resolve, the others hit
                byte[] variant = again == 0 ? wire : respell(wire, random);
                byte[] expected = handler.handleWithDnsjava(variant, source);
                byte[] actual = handler.handle(variant, source, false);
                asked++;
                assertArrayEquals(expected, actual, () -> "query " + HexFormat.of().formatHex(variant) + " from " + source);
            }
        }
        assertTrue(commonShapes > 1000, "the generator made common shapes: " + commonShapes);
        assertTrue(metrics.answerCacheHits() > asked / 3, "answers came from the cache: " + metrics.answerCacheHits()
                + " of " + asked);
    }

    @Test
    void truncatedAnswerAndRateLimitHashAreTheDnsjavaOnes() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        DnsQueryMapper mapper = new DnsQueryMapper(List.of(Z, "example.edge."), "root-a", java.util.Optional.of("tendril"));
        DnsResponseWriter writer = new DnsResponseWriter(DnsConfig.builder().zones(List.of(Z, "example.edge."))
                .nameServers(List.of("ns1.example.net.")).build());
        for (int i = 0; i < 500; i++) {
            byte[] wire = randomQuery(random);
            InetAddress source = InetAddress.getByName(SOURCES[random.nextInt(SOURCES.length)]);
            CommonQuery q = CommonQuery.parse(wire, source);
            if (q == null) {
                continue;
            }
            Message m = new Message(wire);
            DnsRequest request = mapper.map(m, source);
            assertArrayEquals(writer.truncated(request), q.truncated(wire));
            Record question = m.getQuestion();
            assertEquals(CommonQuery.answerHashOf(question.getName().toWireCanonical(), question.getType()), q.answerHash());
        }
    }

    @Test
    void otherShapesAreLeftToDnsjava() throws Exception {
        InetAddress source = InetAddress.getByName("192.0.2.1");
        Message srv = Message.newQuery(Record.newRecord(Name.fromString("_http._tcp.web." + Z), Type.SRV, DClass.IN));
        assertNull(CommonQuery.parse(srv.toWire(), source), "SRV");
        Message any = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.ANY));
        assertNull(CommonQuery.parse(any.toWire(), source), "QCLASS ANY");
        Message cookie = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN));
        cookie.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.CookieOption(new byte[8]))), Section.ADDITIONAL);
        assertNull(CommonQuery.parse(cookie.toWire(), source), "COOKIE");
        Message v1 = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN));
        v1.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        assertNull(CommonQuery.parse(v1.toWire(), source), "EDNS version 1");
        byte[] plain = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN)).toWire();
        assertNotNull(CommonQuery.parse(plain, source), "a plain A query is the common shape");
        byte[] trailing = java.util.Arrays.copyOf(plain, plain.length + 1);
        assertNull(CommonQuery.parse(trailing, source), "trailing bytes");
        assertNotNull(CommonQuery.parse(ecsQuery("web." + Z, 20, new byte[] {(byte) 192, 0, 0x20}), source), "ECS /20");
        byte[] hostBits = ecsQuery("web." + Z, 20, new byte[] {(byte) 192, 0, 0x2F});
        assertNull(CommonQuery.parse(hostBits, source), "ECS with host bits set");
    }

    @Test
    void cachedAnswerChangesWithTheDirectoryAndTheGeoIpDatabases() throws Exception {
        InetAddress berlin = InetAddress.getByName("198.51.100.7");
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN)).toWire();
        assertEquals("10.0.1.1", answer(handler.handle(q, berlin, false)));
        assertEquals("10.0.1.1", answer(handler.handle(q, berlin, false)));
        long hits = metrics.answerCacheHits();
        assertEquals(1, hits, "the second ask was a hit");

        dir.putMigration("web", Cidr.parse("198.51.100.0/24"), "tyo1", clock.millis() + 30_000);
        assertEquals("10.0.3.1", answer(handler.handle(q, berlin, false)), "a migration record: answered at once");
        clock.advance(Duration.ofSeconds(25));
        byte[] counting = handler.handle(q, berlin, false);
        assertArrayEquals(handler.handleWithDnsjava(q, berlin), counting, "its TTL counts down: never from the cache");
        assertEquals(5, new Message(counting).getSection(Section.ANSWER).get(0).getTTL());
        dir.removeMigration("web", Cidr.parse("198.51.100.0/24"));
        assertEquals("10.0.1.1", answer(handler.handle(q, berlin, false)));

        dir.setLive("web", "fra1", false);
        assertEquals("10.0.2.1", answer(handler.handle(q, berlin, false)), "the nearest instance down: the next one");
        dir.setLive("web", "fra1", true);
        assertEquals("10.0.1.1", answer(handler.handle(q, berlin, false)));

        geo.swap(new LayeredGeoLocator(List.of(new TableGeoLocator().add("198.51.100.0/24", 35.0, 139.0, "Tokyo now"))));
        assertEquals("10.0.3.1", answer(handler.handle(q, berlin, false)), "a GeoIP reload moves the client");
    }

    private static String answer(byte[] wire) throws Exception {
        Message m = new Message(wire);
        return m.getSection(Section.ANSWER).get(0).rdataToString();
    }

    /** Random changes of the directory: instances down and up, migration records in and out. */
    private void changeTheWorld(SplittableRandom random) {
        String[] nodes = {"fra1", "nyc1", "tyo1", "syd1"};
        String[] nets = {"198.51.100.0/24", "192.0.2.0/25", "203.0.113.0/24", "100.64.0.0/16", "2001:db8:1::/48"};
        switch (random.nextInt(4)) {
            case 0 -> dir.setLive("web", nodes[random.nextInt(4)], random.nextBoolean());
            case 1 -> dir.putMigration("web", Cidr.parse(nets[random.nextInt(nets.length)]), nodes[random.nextInt(4)],
                    clock.millis() + 1000 + random.nextInt(20_000));
            case 2 -> dir.removeMigration("web", Cidr.parse(nets[random.nextInt(nets.length)]));
            default -> geo.swap(new LayeredGeoLocator(List.of(World.locator())));
        }
    }

    private static byte[] randomQuery(SplittableRandom random) throws Exception {
        String name = randomCase(NAMES[random.nextInt(NAMES.length)], random);
        int type = random.nextInt(10) < 6 ? Type.A : random.nextInt(10) < 8 ? Type.AAAA : Type.TXT;
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.getHeader().setID(random.nextInt(65536));
        if (random.nextBoolean()) {
            q.getHeader().unsetFlag(Flags.RD);
        }
        int edns = random.nextInt(4);
        if (edns > 0) {
            int payload = new int[] {512, 1232, 4096}[random.nextInt(3)];
            int flags = random.nextBoolean() ? ExtendedFlags.DO : 0;
            if (edns == 1) {
                q.addRecord(new OPTRecord(payload, 0, 0, flags), Section.ADDITIONAL);
            } else {
                q.addRecord(new OPTRecord(payload, 0, 0, flags, List.of(randomEcs(random))), Section.ADDITIONAL);
            }
        }
        return q.toWire();
    }

    private static ClientSubnetOption randomEcs(SplittableRandom random) throws Exception {
        if (random.nextInt(4) == 0) {
            int prefix = new int[] {0, 32, 48, 56, 64}[random.nextInt(5)];
            return new ClientSubnetOption(prefix, masked(random.nextBoolean() ? "2001:db8:1:2::" : "2001:db8:77::", prefix));
        }
        int prefix = new int[] {0, 8, 16, 20, 24, 25, 32}[random.nextInt(7)];
        return new ClientSubnetOption(prefix, masked(SOURCES[random.nextInt(5)], prefix));
    }

    private static InetAddress masked(String address, int prefix) throws Exception {
        byte[] a = InetAddress.getByName(address).getAddress();
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            a[i] &= (byte) (0xFF << (8 - keep));
        }
        return InetAddress.getByAddress(a);
    }

    /** The same query with another id, RD bit and spelling of the name (all patched into a cached answer). */
    private static byte[] respell(byte[] wire, SplittableRandom random) {
        byte[] out = wire.clone();
        out[0] = (byte) random.nextInt(256);
        out[1] = (byte) random.nextInt(256);
        out[2] = (byte) (out[2] ^ (random.nextBoolean() ? 1 : 0));
        for (int p = 12; p < out.length && out[p] != 0 && (out[p] & 0xC0) == 0; p += 1 + out[p]) {
            for (int i = p + 1; i <= p + out[p]; i++) {
                if (Character.isLetter(out[i]) && random.nextBoolean()) {
                    out[i] = (byte) (out[i] ^ 0x20);
                }
            }
        }
        return out;
    }

    private static String randomCase(String name, SplittableRandom random) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(random.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
        }
        return b.toString().toLowerCase(Locale.ROOT).equals(name) ? b.toString() : name;
    }

    /** A query with an ECS option written by hand (dnsjava refuses to write host bits). */
    private static byte[] ecsQuery(String name, int prefix, byte[] address) throws Exception {
        byte[] plain = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
        int n = (prefix + 7) / 8;
        byte[] out = java.util.Arrays.copyOf(plain, plain.length + 11 + 8 + n);
        out[11] = 1;
        int p = plain.length;
        out[p + 2] = 41;
        out[p + 3] = 0x04; // payload 1232
        out[p + 4] = (byte) 0xD0;
        out[p + 10] = (byte) (8 + n);
        out[p + 12] = 8;
        out[p + 14] = (byte) (4 + n);
        out[p + 16] = 1;
        out[p + 17] = (byte) prefix;
        System.arraycopy(address, 0, out, p + 19, n);
        return out;
    }
}
