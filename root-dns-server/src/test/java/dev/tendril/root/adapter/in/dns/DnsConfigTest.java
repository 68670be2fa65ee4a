package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void udpLanesAreOneUnlessSetAndAreBounded() {
        assertEquals(1, DnsConfig.builder().build().udpLanes());
        assertEquals(8, DnsConfig.builder().udpLanes(8).build().udpLanes());
        for (int bad : new int[] {0, 65}) {
            String m = error(b -> b.udpLanes(bad));
            assertTrue(m.contains("dns.udpLanes") && m.contains("'" + bad + "'") && m.contains("[1, 64]"), m);
        }
        assertEquals(16, DnsConfig.builder().ioThreads(64).udpLanes(16).build().udpLanes(), "64 x 16 = 1,024 sockets");
        String many = error(b -> b.ioThreads(32).udpLanes(64));
        assertTrue(many.contains("dns.udpLanes") && many.contains("at most 32 with dns.ioThreads 32")
                && many.contains("at most 1024"), many);
        String netty = error(b -> b.udpLanes(4).udpIo(DnsConfig.UdpIo.NETTY));
        assertTrue(netty.contains("dns.udpLanes") && netty.contains("NETTY") && netty.contains("AUTO or MMSG"), netty);
    }

    @Test
    void xdpInterfacesAreNoneUnlessSetAndAreInterfaceNames() {
        assertEquals(List.of(), DnsConfig.builder().build().xdpInterfaces());
        assertEquals(List.of("eth0", "lo"), DnsConfig.builder().xdpInterfaces(List.of("eth0", "lo")).build().xdpInterfaces());
        assertEquals(List.of("eth0"), DnsConfig.builder().bindAddress("::").xdpInterfaces(List.of("eth0")).build()
                .xdpInterfaces(), "the IPv6 wildcard takes IPv4 queries too");
        for (String bad : new String[] {"", "a-name-of-16-chr", "eth0/1", "eth0:1", "eth 0"}) {
            String m = error(b -> b.xdpInterfaces(List.of(bad)));
            assertTrue(m.contains("dns.xdpInterfaces") && m.contains("'" + bad + "'") && m.contains("interface name"), m);
        }
        String twice = error(b -> b.xdpInterfaces(List.of("eth0", "eth0")));
        assertTrue(twice.contains("dns.xdpInterfaces") && twice.contains("each interface once"), twice);
        String v6 = error(b -> b.bindAddress("2001:db8::1").xdpInterfaces(List.of("eth0")));
        assertTrue(v6.contains("dns.xdpInterfaces") && v6.contains("IPv4 only"), v6);
    }

    @Test
    void abuseSettingsAreValidatedWithTheirKeys() {
        String m = error(b -> b.version(""));
        assertTrue(m.contains("dns.version") && m.contains("hide"), m);
        m = error(b -> b.tcpMaxConnectionsPerClient(2000));
        assertTrue(m.contains("dns.tcpMaxConnectionsPerClient") && m.contains("[1, 1024]"), m);
        m = error(b -> b.tcpMaxConnections(0));
        assertTrue(m.contains("dns.tcpMaxConnections"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new DnsConfig.RateLimit(true, 200, 200, 200, 15, 2, 24, 96,
                List.of(), 65536, 16)).getMessage();
        assertTrue(m.contains("dns.rateLimit.ipv6PrefixLength") && m.contains("'96'") && m.contains("[16, 64]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new DnsConfig.RateLimit(true, 200, 200, 200, 15, 2, 24, 56,
                List.of("10.0.0.0/8", "bad"), 65536, 16)).getMessage();
        assertTrue(m.contains("dns.rateLimit.exempt") && m.contains("bad"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new DnsConfig.RateLimit(true, 200, 200, 200, 15, 2, 24, 56,
                List.of(), 100, 16)).getMessage();
        assertTrue(m.contains("dns.rateLimit.tableSize"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new DnsConfig.RateLimit(true, 200, 200, 200, 15, 2, 24, 56,
                List.of(), 65536, 65)).getMessage();
        assertTrue(m.contains("dns.rateLimit.quarantineNetworks") && m.contains("[0, 64]"), m);
        DnsConfig d = DnsConfig.builder().build();
        assertEquals("tendril", d.version());
        assertFalse(d.rateLimit().enabled(), "off unless a preset or the config switches it on");
        assertTrue(d.cookies().enabled());
        assertEquals(1024, d.tcpMaxConnections());
        assertEquals(32, d.tcpMaxConnectionsPerClient());
        assertTrue(DnsConfig.builder().version("hide").build().versionText().isEmpty());
    }
}
