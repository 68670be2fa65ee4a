package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.Dig;
import dev.tendril.root.testing.ListenPorts;
import dev.tendril.root.testing.TableGeoLocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The abuse defences of the real DNS server (port 0, system clock) against real clients:
 * dig, and a UDP flood from a second loopback /24 (127.0.0.0/8 is all local).
 *
 * <p>Behaviours: beyond the rate, answers to one /24 are dropped or slipped (TC) while another
 * /24 is answered in full, the limited /24 goes into quarantine, and dig's retry over TCP
 * after a slip gets the answer; a client
 * that returns its server cookie is not limited, one without is; ANY is answered with one
 * HINFO; CHAOS version.bind and id.server are answered; TCP connections beyond the per-client
 * and total caps are closed, and a freed slot is usable again; a client trickling a frame
 * byte by byte is closed after the idle timeout (only whole queries count).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsAbuseIT {
    private static final String Z = "svc.example.edge.";
    private static final int RATE = 5;
    private final Clock clock = Clock.systemUTC();
    private final SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
    private DnsServer server;

    @BeforeAll
    void start() {
        Dig.require();
        directory.batch(d -> d.putInstance("web", new NodeInfo("fra1", "10.0.1.1", new GeoPoint(50.11, 8.68),
                List.of(new ServicePort("http", "tcp", 8080)), 7000), true));
        DnsConfig config = DnsConfig.builder().zones(List.of(Z)).port(ListenPorts.free()).nsid("root-it").version("tendril-it").ioThreads(2)
                .rateLimit(new DnsConfig.RateLimit(true, RATE, RATE, RATE, 15, 2, 24, 56, List.of(), 4096, 16))
                .tcpMaxConnections(4).tcpMaxConnectionsPerClient(2).tcpIdleTimeoutSeconds(1).build();
        server = new DnsServer(config, directory, new TableGeoLocator(), clock).start();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            assertEquals(0, server.metrics().unexpectedErrors(), server.metrics().snapshot().toString());
        }
    }

    private Dig.Result dig(String... args) {
        return Dig.query(server.port(), args);
    }

    @Test
    void aFloodFromOnePrefixIsLimitedWhileAnotherPrefixIsAnswered() throws Exception {
        byte[] query = Message.newQuery(Record.newRecord(Name.fromConstantString("web." + Z), Type.A, DClass.IN)).toWire();
        int full = 0;
        int truncated = 0;
        int sent = 300;
        long dropped0 = server.metrics().rateLimitDropped();
        try (DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.1.1", 0))) {
            flood.setSoTimeout(1000);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", server.port());
            for (int i = 0; i < sent; i++) {
                flood.send(new DatagramPacket(query, query.length, to));
            }
            byte[] buf = new byte[4096];
            for (int i = 0; i < sent; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    flood.receive(p);
                } catch (SocketTimeoutException e) {
                    break; // the dropped ones never come
                }
                Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                if (m.getHeader().getFlag(Flags.TC)) {
                    assertEquals(0, m.getSection(Section.ANSWER).size(), "a slip carries no records");
                    truncated++;
                } else {
                    assertEquals(1, m.getSection(Section.ANSWER).size());
                    full++;
                }
            }
        }
        // the burst is RATE; a few more may be earned while the flood is sent
        assertTrue(full >= RATE && full <= RATE + 5, "full answers to the flooding /24: " + full);
        assertTrue(truncated > 0 && server.metrics().rateLimitDropped() > dropped0,
                "slipped " + truncated + ", dropped " + (server.metrics().rateLimitDropped() - dropped0));
        assertTrue(Math.abs(truncated - (sent - full) / 2) <= 2, "slip 2: every second limited answer is truncated: " + truncated);

        Dig.Result other = dig("-b", "127.0.2.1", "web." + Z, "A", "+nocookie");
        assertEquals(List.of("web." + Z + " 10 IN A 10.0.1.1"), other.answer(), "another /24 is answered: " + other);
        // the flooding /24 went into quarantine: its UDP now goes to a socket and thread of its own
        for (int i = 0; i < 100 && server.metrics().quarantined() == 0; i++) {
            Thread.sleep(50);
        }
        assertTrue(server.metrics().quarantined() >= 1, "networks put in quarantine: " + server.metrics().quarantined());
        // the flooding /24 itself: dropped (a timeout) or slipped, and then dig asks again over TCP, which is not limited
        for (int i = 0; i < 2; i++) {
            Dig.Result same = dig("-b", "127.0.1.2", "web." + Z, "A", "+nocookie", "+time=1");
            String out = same.output();
            assertTrue(out.contains("timed out") || (out.contains("Truncated, retrying in TCP mode")
                    && same.answer().equals(List.of("web." + Z + " 10 IN A 10.0.1.1"))), same::toString);
        }
    }

    @Test
    void aClientReturningItsServerCookieIsNotLimited() {
        Dig.Result first = dig("-b", "127.0.3.1", "web." + Z, "A", "+cookie");
        Matcher m = Pattern.compile("COOKIE: ([0-9a-f]{16})([0-9a-f]{32}) \\(good\\)").matcher(first.output());
        assertTrue(m.find(), "a client cookie gets a server cookie dig accepts: " + first);
        String cookie = m.group(1) + m.group(2);
        for (int i = 0; i < 3 * RATE; i++) {
            Dig.Result r = dig("-b", "127.0.3.1", "web." + Z, "A", "+cookie=" + cookie, "+time=1");
            assertEquals(List.of("web." + Z + " 10 IN A 10.0.1.1"), r.answer(), "query " + i + ": " + r);
            assertFalse(r.output().contains("Truncated"), r::toString);
        }
        assertTrue(server.metrics().validCookies() >= 3 * RATE);
        // the same /24 without a cookie is limited by now (the cookie queries did not count)
        int limited = 0;
        for (int i = 0; i < 2 * RATE + 2; i++) {
            Dig.Result r = dig("-b", "127.0.3.2", "web." + Z, "A", "+nocookie", "+time=1");
            limited += r.output().contains("timed out") || r.output().contains("Truncated") ? 1 : 0;
        }
        assertTrue(limited >= 1, "without a cookie the rate applies");
    }

    @Test
    void anyIsMinimalAndChaosIdentityIsAnswered() {
        Dig.Result any = dig("-b", "127.0.4.1", "web." + Z, "ANY");
        assertEquals("NOERROR", any.status(), any::toString);
        assertEquals(List.of("web." + Z + " 10 IN HINFO \"RFC8482\" \"\""), any.answer(), any::toString);
        Dig.Result version = dig("-b", "127.0.4.1", "-c", "CH", "-t", "TXT", "version.bind");
        assertEquals(List.of("version.bind. 0 CH TXT \"tendril-it\""), version.answer(), version::toString);
        assertEquals(List.of("id.server. 0 CH TXT \"root-it\""), dig("-b", "127.0.4.1", "-c", "CH", "-t", "TXT", "id.server").answer());
    }

    @Test
    void tcpConnectionsBeyondTheCapsAreClosed() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            // each admitted connection is answered before the next is opened: the event loops
            // see accepted connections in no particular order across threads
            open.add(answered(connect("127.0.5.1")));
            open.add(answered(connect("127.0.5.1")));
            assertClosedByServer(connect("127.0.5.1"), "a third connection from one address");
            open.add(answered(connect("127.0.5.2")));
            open.add(answered(connect("127.0.5.3")));
            assertClosedByServer(connect("127.0.5.4"), "a fifth connection in total");
            assertTrue(server.metrics().tcpRefused() >= 2);
            for (Socket s : open) {
                assertAnswered(s);
            }
            open.remove(0).close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.openTcpConnections() > 3 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll: the server sees the close on its loop
            }
            Socket again = connect("127.0.5.4");
            open.add(again);
            assertAnswered(again);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aClientTricklingAFrameIsClosedLikeAnIdleOne() throws Exception {
        try (Socket s = connect("127.0.6.1")) {
            byte[] query = framedQuery();
            assertTrue(query.length > 16);
            // one byte every 200 ms for 3 s (3 idle timeouts): never idle at the socket, never a whole query
            for (int i = 0; i < 15; i++) {
                try {
                    s.getOutputStream().write(query[i]);
                    s.getOutputStream().flush();
                } catch (java.net.SocketException closed) {
                    return; // closed by the server while trickling
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // pacing the trickle, not a wait
            }
            s.setSoTimeout(5000);
            try {
                assertEquals(-1, s.getInputStream().read(), "closed by the server, nothing answered");
            } catch (SocketTimeoutException e) {
                fail("a trickling connection was left open");
            } catch (java.net.SocketException reset) {
                // closed as well
            }
        }
    }

    private Socket connect(String from) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 3000);
        s.setSoTimeout(3000);
        return s;
    }

    private static byte[] framedQuery() {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromConstantString("web." + Z), Type.A, DClass.IN)).toWire();
        byte[] framed = new byte[q.length + 2];
        framed[0] = (byte) (q.length >>> 8);
        framed[1] = (byte) q.length;
        System.arraycopy(q, 0, framed, 2, q.length);
        return framed;
    }

    private static Socket answered(Socket s) throws Exception {
        assertAnswered(s);
        return s;
    }

    private static void assertAnswered(Socket s) throws Exception {
        s.getOutputStream().write(framedQuery());
        InputStream in = s.getInputStream();
        int length = in.read() << 8 | in.read();
        Message m = new Message(in.readNBytes(length));
        assertEquals(1, m.getSection(Section.ANSWER).size());
    }

    private static void assertClosedByServer(Socket s, String what) throws Exception {
        try (s) {
            try {
                s.getOutputStream().write(framedQuery());
                if (s.getInputStream().read() != -1) {
                    fail(what + ": answered");
                }
            } catch (java.net.SocketException e) {
                // reset by the server: closed as well
            } catch (SocketTimeoutException e) {
                fail(what + ": left open");
            }
        }
    }
}
