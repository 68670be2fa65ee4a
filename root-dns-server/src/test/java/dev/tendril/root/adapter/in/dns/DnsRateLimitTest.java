package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rate limiter in the query chain: whole requests in, whole responses (or none) out.
 * Rate 2/s, slip 2, per /24: the third and later answers of one kind to one /24 in a second
 * alternate between dropped and a truncated answer; other prefixes, other names, TCP and
 * the exempt network are answered in full.
 */
class DnsRateLimitTest {
    private static final String Z = "svc.example.edge.";
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private DnsMetrics metrics;
    private DnsQueryHandler handler;
    private final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void setUp() {
        SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
        dir.batch(d -> d.putInstance("web", World.NYC, true));
        DnsConfig c = DnsConfig.builder().zones(List.of(Z)).defaultPosition(World.NEW_YORK)
                .rateLimit(new DnsConfig.RateLimit(true, 2, 2, 2, 15, 2, 24, 56, List.of("203.0.113.0/24"), 1024, 16)).build();
        metrics = new DnsMetrics();
        var locator = World.locator();
        dev.tendril.protocol.geo.GeoLocator counting = address -> {
            lookups.incrementAndGet();
            return locator.locate(address);
        };
        handler = new DnsQueryHandler(c, new ResolveService(dir, counting, clock, c.resolvePolicy()), metrics, clock,
                new java.util.SplittableRandom(7));
    }

    private static byte[] query(String name, int type) {
        Message q = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
        q.getHeader().setID(4242);
        return q.toWire();
    }

    private List<String> udp(String name, int type, String source) throws Exception {
        byte[] out = handler.handle(query(name, type), InetAddress.getByName(source), false);
        return out == null ? null : DnsConformanceTest.render(new Message(out));
    }

    private static final List<String> ANSWER = List.of("NOERROR qr aa rd", "QD web." + Z + " IN A", "AN web." + Z + " 10 IN A 10.0.2.1");
    private static final List<String> SLIP = List.of("NOERROR qr tc rd", "QD web." + Z + " IN A");

    @Test
    void beyondTheRateAnswersAreDroppedOrSlippedPerPrefix() throws Exception {
        assertEquals(ANSWER, udp("web." + Z, Type.A, "192.0.2.1"));
        assertEquals(ANSWER, udp("web." + Z, Type.A, "192.0.2.77"));
        assertNull(udp("web." + Z, Type.A, "192.0.2.1"), "third in the second: dropped");
        assertEquals(SLIP, udp("web." + Z, Type.A, "192.0.2.9"), "fourth: slipped (TC, no records)");
        assertNull(udp("web." + Z, Type.A, "192.0.2.1"));
        assertEquals(ANSWER, udp("web." + Z, Type.A, "192.0.3.1"), "another /24");
        assertEquals(List.of("NOERROR qr aa rd", "QD web." + Z + " IN AAAA",
                "AU " + Z + " 10 IN SOA ns1.example.net. hostmaster.invalid. 1 3600 600 604800 10"),
                udp("web." + Z, Type.AAAA, "192.0.2.1"), "another type");
        for (int i = 0; i < 5; i++) {
            assertEquals(ANSWER, udp("web." + Z, Type.A, "203.0.113.5"), "exempt network");
        }
        byte[] tcp = handler.handle(query("web." + Z, Type.A), InetAddress.getByName("192.0.2.1"), true);
        assertNotNull(tcp, "TCP is never limited");
        assertEquals(ANSWER, DnsConformanceTest.render(new Message(tcp)));
        assertEquals(2, metrics.rateLimitDropped());
        assertEquals(1, metrics.rateLimitSlipped());
        clock.advance(Duration.ofSeconds(3)); // 6 tokens earned, 3 owed
        assertEquals(ANSWER, udp("web." + Z, Type.A, "192.0.2.1"));
    }

    @Test
    void aQuestionWhoseBucketIsInDebtIsNotResolved() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(ANSWER, udp("web." + Z, Type.A, "192.0.2.1"));
        }
        assertNull(udp("web." + Z, Type.A, "192.0.2.1"), "the third: resolved, then dropped");
        int resolved = lookups.get();
        for (int i = 0; i < 100; i++) {
            udp("web." + Z, Type.A, "192.0.2.1");
        }
        assertEquals(resolved, lookups.get(), "no GeoIP lookup for questions refused before resolving");
        assertEquals(101, metrics.rateLimitDropped() + metrics.rateLimitSlipped());
    }

    @Test
    void nxdomainsAreCountedPerZoneSoRandomNamesShareOneBucket() throws Exception {
        assertEquals("NXDOMAIN qr aa rd", udp("a1." + Z, Type.A, "192.0.2.1").get(0));
        assertEquals("NXDOMAIN qr aa rd", udp("a2." + Z, Type.A, "192.0.2.1").get(0));
        assertNull(udp("a3." + Z, Type.A, "192.0.2.1"));
        assertEquals(List.of("NOERROR qr tc rd", "QD a4." + Z + " IN A"), udp("a4." + Z, Type.A, "192.0.2.1"));
    }

    @Test
    void errorsAndUnparsableMessagesShareTheErrorBucket() throws Exception {
        assertEquals("REFUSED qr rd", udp("www.example.com.", Type.A, "192.0.2.1").get(0));
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'a'};
        assertNotNull(handler.handle(garbage, InetAddress.getByName("192.0.2.1"), false), "FORMERR, second error");
        assertNull(handler.handle(garbage, InetAddress.getByName("192.0.2.1"), false), "third error: dropped");
        assertNull(handler.handle(garbage, InetAddress.getByName("192.0.2.1"), false), "no question to slip with: dropped");
        assertEquals(2, metrics.rateLimitDropped());
        assertEquals(0, metrics.rateLimitSlipped());
    }
}
