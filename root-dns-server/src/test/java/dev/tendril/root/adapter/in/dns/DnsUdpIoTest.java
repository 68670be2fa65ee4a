package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.SmallMtuRoute;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same behaviour over both UDP paths of {@link DnsServer} (dns.udpIo MMSG: recvmmsg /
 * sendmmsg on the raw socket; NETTY: Netty's event loops), a real server on a free port and a
 * real UDP client: the fast path and the dnsjava path answer with the query's id and name
 * case; a malformed query gets FORMERR; a response is never answered and the listener goes
 * on; a burst of queries sent without waiting (read in batches) is answered in full, each
 * reply to its query; TCP works beside it; both paths answer byte for byte alike; neither
 * fragments an answer at a learnt path MTU; close()
 * frees the port and stops the threads.
 */
class DnsUdpIoTest {
    private static final String Z = "svc.example.edge.";
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    private final List<DnsServer> servers = new ArrayList<>();

    @BeforeEach
    void instances() {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
        });
    }

    @AfterEach
    void stop() {
        servers.forEach(DnsServer::close);
    }

    private DnsServer start(DnsConfig.UdpIo io) {
        return start(io, "udp-io");
    }

    private DnsServer start(DnsConfig.UdpIo io, String nsid) {
        DnsConfig c = DnsConfig.builder().zones(List.of(Z)).port(0).ioThreads(2).nsid(nsid)
                .defaultPosition(World.NEW_YORK).udpIo(io)
                .udpLanes(io == DnsConfig.UdpIo.MMSG ? 4 : 1).build(); // MmsgUdpListenerTest covers one lane
        DnsServer s = new DnsServer(c, dir, World.locator(), clock).start();
        servers.add(s);
        return s;
    }

    private static byte[] query(int id, String name, int type, String ecsSubnet) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.getHeader().setID(id);
        if (ecsSubnet != null) {
            String[] p = ecsSubnet.split("/");
            q.addRecord(new OPTRecord(1232, 0, 0, 0,
                    List.of(new ClientSubnetOption(Integer.parseInt(p[1]), InetAddress.getByName(p[0])))), Section.ADDITIONAL);
        }
        return q.toWire();
    }

    private static DatagramSocket client() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(DatagramSocket s, int port, byte[] wire) throws Exception {
        s.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
        s.receive(p);
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    private static byte[] ask(int port, byte[] wire) throws Exception {
        try (DatagramSocket s = client()) {
            send(s, port, wire);
            return receive(s);
        }
    }

    private static String firstA(Message m) {
        return m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
                .map(r -> ((ARecord) r).getAddress().getHostAddress()).findFirst().orElse("none");
    }

    @ParameterizedTest
    @EnumSource(value = DnsConfig.UdpIo.class, names = {"MMSG", "NETTY"})
    void answersTheFastPathAndTheDnsjavaPathWithTheQueryIdAndNameCase(DnsConfig.UdpIo io) throws Exception {
        DnsServer s = start(io);
        assertTrue(s.udpIo().startsWith(io == DnsConfig.UdpIo.MMSG ? "udp: recvmmsg/sendmmsg" : "udp: epoll"), s.udpIo());
        for (int round = 0; round < 3; round++) { // a miss, then hits of the answer cache
            Message a = new Message(ask(s.port(), query(4000 + round, "WeB." + Z, Type.A, "203.0.113.0/24")));
            assertEquals(4000 + round, a.getHeader().getID());
            assertEquals(Rcode.NOERROR, a.getRcode());
            assertEquals("10.0.3.1", firstA(a), a::toString); // Osaka -> Tokyo
            assertEquals("WeB." + Z, a.getQuestion().getName().toString());
        }
        // not the common shape (NSID asked): the dnsjava path
        Message q = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN));
        q.getHeader().setID(77);
        q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.NSIDOption(new byte[0]))), Section.ADDITIONAL);
        Message a = new Message(ask(s.port(), q.toWire()));
        assertEquals(77, a.getHeader().getID());
        List<org.xbill.DNS.EDNSOption> nsid = a.getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.NSID);
        assertEquals(1, nsid.size(), a::toString);
        byte[] option = nsid.get(0).toWire(); // code, length, data
        assertEquals("udp-io", new String(option, 4, option.length - 4, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @EnumSource(value = DnsConfig.UdpIo.class, names = {"MMSG", "NETTY"})
    void malformedGetsFormerrAndResponsesAreNeverAnswered(DnsConfig.UdpIo io) throws Exception {
        DnsServer s = start(io);
        try (DatagramSocket c = client()) {
            byte[] response = query(9, "web." + Z, Type.A, null);
            response[2] |= (byte) 0x80; // QR: a response
            send(c, s.port(), response);
            byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 'x'};
            send(c, s.port(), garbage);
            Message formerr = new Message(receive(c)); // the response got nothing: the first reply is this one
            assertEquals(0x1234, formerr.getHeader().getID());
            assertEquals(Rcode.FORMERR, formerr.getRcode());
            send(c, s.port(), query(10, "web." + Z, Type.A, null));
            assertEquals(10, new Message(receive(c)).getHeader().getID());
        }
        assertEquals(1, s.metrics().snapshot().get("dropped"), s.metrics().snapshot().toString());
    }

    @ParameterizedTest
    @EnumSource(value = DnsConfig.UdpIo.class, names = {"MMSG", "NETTY"})
    void aBurstSentWithoutWaitingIsAnsweredInFullEachReplyToItsQuery(DnsConfig.UdpIo io) throws Exception {
        DnsServer s = start(io);
        String[] subnets = {"203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"};
        String[] expected = {"10.0.3.1", "10.0.1.1", "10.0.2.1"}; // Osaka, Berlin, Boston
        int n = 300;
        Map<Integer, String> answers = new HashMap<>();
        try (DatagramSocket c = client()) {
            c.setReceiveBufferSize(1 << 20);
            for (int i = 0; i < n; i++) {
                send(c, s.port(), query(i, "web." + Z, Type.A, subnets[i % 3]));
            }
            for (int i = 0; i < n; i++) {
                Message a = new Message(receive(c));
                answers.put(a.getHeader().getID(), firstA(a));
                assertTrue(a.getHeader().getFlag(Flags.QR));
            }
        }
        assertEquals(n, answers.size());
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i % 3], answers.get(i), "query " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DnsConfig.UdpIo.class, names = {"MMSG", "NETTY"})
    void tcpIsServedBesideIt(DnsConfig.UdpIo io) throws Exception {
        DnsServer s = start(io);
        byte[] q = query(321, "web." + Z, Type.A, "198.51.100.0/24");
        try (Socket t = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            t.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(t.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            DataInputStream in = new DataInputStream(t.getInputStream());
            byte[] a = new byte[in.readUnsignedShort()];
            in.readFully(a);
            Message m = new Message(a);
            assertEquals(321, m.getHeader().getID());
            assertEquals("10.0.1.1", firstA(m));
        }
    }

    @Test
    void bothPathsAnswerByteForByteAlike() throws Exception {
        DnsServer mmsg = start(DnsConfig.UdpIo.MMSG);
        DnsServer netty = start(DnsConfig.UdpIo.NETTY);
        List<byte[]> queries = List.of(
                query(1, "web." + Z, Type.A, "203.0.113.0/24"),
                query(2, "web." + Z, Type.AAAA, "2001:db8:1::/48"),
                query(3, "web." + Z, Type.A, null),
                query(4, "nothing." + Z, Type.A, null),
                query(5, Z, Type.SOA, null),
                query(6, "www.example.org.", Type.A, null),
                query(7, "web." + Z, Type.TXT, "192.0.2.0/24"));
        for (byte[] q : queries) {
            for (int twice = 0; twice < 2; twice++) { // the second time from the answer cache where it applies
                assertArrayEquals(ask(netty.port(), q), ask(mmsg.port(), q), new Message(q).getQuestion().toString());
            }
        }
    }

    /**
     * An answer longer than a path MTU the kernel learnt (here a route's locked 552 bytes, as a
     * forged ICMP message would set) leaves whole on both paths, where a plain socket's datagram
     * of that length is split (RFC 9715: no fragments for a spoofed second fragment to replace).
     */
    @ParameterizedTest
    @EnumSource(value = DnsConfig.UdpIo.class, names = {"MMSG", "NETTY"})
    void anAnswerLongerThanALearntPathMtuIsNotFragmented(DnsConfig.UdpIo io) throws Exception {
        DnsServer s = start(io, "n".repeat(255)); // the longest NSID, asked for below, makes a long answer
        try (SmallMtuRoute route = SmallMtuRoute.to("127.77.0.10"); DatagramSocket c = route.client()) {
            Message q = Message.newQuery(Record.newRecord(Name.fromString("a".repeat(63) + "." + "b".repeat(63) + "."
                    + "c".repeat(63) + "." + Z), Type.A, DClass.IN));
            q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.NSIDOption(new byte[0]))), Section.ADDITIONAL);
            byte[] wire = q.toWire();
            c.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), s.port()));
            byte[] answer = receive(c);
            assertTrue(answer.length + 28 > SmallMtuRoute.MTU, "the answer must not fit the route's MTU: " + answer.length);
            assertTrue(route.fragmentsOfAPlainSocket(c, answer.length) > 0, "a plain socket's datagram of that length is split");

            long before = SmallMtuRoute.fragmentsCreated();
            c.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), s.port()));
            Message a = new Message(receive(c));
            assertEquals(0, SmallMtuRoute.fragmentsCreated() - before, "the answer was fragmented");
            assertEquals(Rcode.NXDOMAIN, a.getRcode(), a::toString);
            assertEquals(1, a.getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.NSID).size(), a::toString);
        }
    }

    @Test
    void closeFreesThePortAndStopsTheThreads() throws Exception {
        DnsServer s = start(DnsConfig.UdpIo.MMSG);
        int port = s.port();
        assertEquals(Rcode.NOERROR, new Message(ask(port, query(1, "web." + Z, Type.A, null))).getRcode());
        assertTrue(threadsNamed("dns-udp-" + port + "-") == 2);
        s.close();
        assertEquals(0, threadsNamed("dns-udp-" + port + "-"));
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertEquals(port, again.getLocalPort()); // no socket of the server holds the port any more
        }
        s.close(); // twice: nothing happens
        assertEquals(0, s.metrics().unexpectedErrors());
        assertEquals(0, s.metrics().dropped(), "closing is not taken for datagrams");
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }
}
