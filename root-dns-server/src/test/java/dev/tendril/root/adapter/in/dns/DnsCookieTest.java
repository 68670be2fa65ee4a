package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
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
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * DNS cookies in the query chain, whole responses checked. The secret, client cookie, client
 * address and time of RFC 9018 Appendix A.1, so the server cookie is the RFC's. The rate
 * limit is 1 answer/s per /24 with slip 0 (every limited answer dropped).
 */
class DnsCookieTest {
    private static final String Z = "svc.example.edge.";
    private static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";
    private static final String CLIENT = "2464c4abcf10c957";
    private static final String A1_SERVER = "010000005cf79f111f8130c3eee29480";
    private static final String SOURCE = "198.51.100.100";
    private final MutableClock clock = new MutableClock(1_559_731_985_000L);

    private DnsQueryHandler handler(DnsConfig.Cookies cookies) {
        SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
        dir.batch(d -> d.putInstance("web", World.NYC, true));
        DnsConfig c = DnsConfig.builder().zones(List.of(Z)).defaultPosition(World.NEW_YORK).cookies(cookies)
                .rateLimit(new DnsConfig.RateLimit(true, 1, 1, 1, 15, 0, 24, 56, List.of(), 1024, 16)).build();
        return new DnsQueryHandler(c, new ResolveService(dir, World.locator(), clock, c.resolvePolicy()), new DnsMetrics(),
                clock, new SplittableRandom(1));
    }

    private static byte[] query(EDNSOption... options) {
        Message q = Message.newQuery(Record.newRecord(Name.fromConstantString("web." + Z), Type.A, DClass.IN));
        q.getHeader().setID(4242);
        q.addRecord(new OPTRecord(1232, 0, 0, 0, options), Section.ADDITIONAL);
        return q.toWire();
    }

    private static CookieOption cookie(String client, String server) {
        HexFormat hex = HexFormat.of();
        return server == null ? new CookieOption(hex.parseHex(client)) : new CookieOption(hex.parseHex(client), hex.parseHex(server));
    }

    private static List<String> ask(DnsQueryHandler h, byte[] query) throws Exception {
        byte[] out = h.handle(query, InetAddress.getByName(SOURCE), false);
        return out == null ? null : DnsConformanceTest.render(new Message(out));
    }

    private static List<String> answer(String cookieOption) {
        return List.of("NOERROR qr aa rd", "QD web." + Z + " IN A", "AN web." + Z + " 10 IN A 10.0.2.1", "OPT 1232 -" + cookieOption);
    }

    private static String cookieText(String client, String server) {
        return " " + cookie(client, server);
    }

    @Test
    void aClientCookieGetsTheServerCookieOfRfc9018() throws Exception {
        assertEquals(answer(cookieText(CLIENT, A1_SERVER)), ask(handler(new DnsConfig.Cookies(true, SECRET)), query(cookie(CLIENT, null))));
    }

    @Test
    void aValidServerCookieIsExemptFromTheRateLimit() throws Exception {
        DnsQueryHandler h = handler(new DnsConfig.Cookies(true, SECRET));
        clock.advance(Duration.ofSeconds(2_400)); // the cookie is 40 minutes old: valid, and renewed (RFC 9018 A.2)
        for (int i = 0; i < 10; i++) {
            assertEquals(answer(cookieText(CLIENT, "010000005cf7a871d4a564a1442aca77")),
                    ask(h, query(cookie(CLIENT, A1_SERVER))), "query " + i);
        }
    }

    @Test
    void aBadServerCookieCountsAsNoneAndIsLimited() throws Exception {
        DnsQueryHandler h = handler(new DnsConfig.Cookies(true, SECRET));
        String forged = A1_SERVER.substring(0, 30) + "00";
        assertEquals(answer(cookieText(CLIENT, A1_SERVER)), ask(h, query(cookie(CLIENT, forged))), "answered with a fresh cookie");
        assertNull(ask(h, query(cookie(CLIENT, forged))), "and rate-limited like a query without one");
        clock.advance(Duration.ofSeconds(3_601)); // the bucket is full again; the cookie has expired
        assertEquals("NOERROR qr aa rd", ask(h, query(cookie(CLIENT, A1_SERVER))).get(0));
        assertNull(ask(h, query(cookie(CLIENT, A1_SERVER))), "an expired cookie is no cookie: limited");
    }

    @Test
    void aMalformedCookieIsFormerr() throws Exception {
        DnsQueryHandler h = handler(new DnsConfig.Cookies(true, SECRET));
        for (int length : new int[] {7, 9, 15, 41}) {
            byte[] out = h.handle(query(new GenericEDNSOption(EDNSOption.Code.COOKIE, new byte[length])), InetAddress.getByName(SOURCE), true);
            assertNotNull(out);
            assertEquals(List.of("FORMERR qr rd"), DnsConformanceTest.render(new Message(out)), length + " bytes");
        }
    }

    @Test
    void cookiesSwitchedOffAreIgnored() throws Exception {
        assertEquals(answer(""), ask(handler(new DnsConfig.Cookies(false, "")), query(cookie(CLIENT, A1_SERVER))));
    }

    @Test
    void theSecretMustBe32HexDigits() {
        String m = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new DnsConfig.Cookies(true, "abc")).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(m.contains("dns.cookies.secret") && m.contains("32 hex digits") && !m.contains("abc"), m);
    }
}
