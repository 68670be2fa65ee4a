package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsConfigTest {

    private static String error(UnaryOperator<DnsConfig.Builder> change) {
        return assertThrows(IllegalArgumentException.class, () -> change.apply(DnsConfig.builder()).build()).getMessage();
    }

    @Test
    void defaultsAreValidAndNormalised() {
        DnsConfig c = DnsConfig.builder().zones(List.of("Svc.Example.EDGE")).build();
        assertEquals(List.of("svc.example.edge."), c.zones());
        assertEquals(10, c.answerTtlSeconds());
        assertEquals(1, c.recordsPerAnswer());
        assertEquals("ns1.example.net.", c.soaPrimary());
        assertEquals(10, c.negativeTtlSeconds());
        assertEquals(DnsConfig.WhenNoneLive.SERVFAIL, c.whenNoneLive());
    }

    @Test
    void messagesNameKeyValueAndWhatIsAllowed() {
        String m = error(b -> b.answerTtlSeconds(0));
        assertTrue(m.contains("dns.answerTtlSeconds") && m.contains("'0'") && m.contains("[1, 86400]"), m);
        m = error(b -> b.zones(List.of()));
        assertTrue(m.startsWith("dns.zones") && m.contains("at least one zone"), m);
        m = error(b -> b.zones(List.of("bad..name")));
        assertTrue(m.contains("dns.zones") && m.contains("bad..name") && m.contains("labels"), m);
        m = error(b -> b.zones(List.of("a.edge.", "A.edge")));
        assertTrue(m.contains("listed twice"), m);
        m = error(b -> b.bindAddress("localhost"));
        assertTrue(m.contains("dns.bindAddress") && m.contains("localhost") && m.contains("literal"), m);
        m = error(b -> b.maxUdpPayload(100));
        assertTrue(m.contains("dns.maxUdpPayload") && m.contains("[512, 4096]"), m);
        m = error(b -> b.port(70000));
        assertTrue(m.contains("dns.port"), m);
        m = error(b -> b.recordsPerAnswer(0));
        assertTrue(m.contains("dns.recordsPerAnswer"), m);
        m = error(b -> b.nsid("é"));
        assertTrue(m.contains("dns.nsid"), m);
        m = error(b -> b.whenNoneLive(null));
        assertTrue(m.contains("SERVFAIL or LAST_KNOWN"), m);
        m = error(b -> b.soa(new DnsConfig.Soa("", "hostmaster.example.", -1, 1, 1, 1, 1)));
        assertTrue(m.contains("dns.soa.serial"), m);
    }
}
