package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.DnsFuzz;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Robustness: 100,000 random and mutated messages over UDP and 3,000 over TCP (plus broken
 * framing) against the running server, interleaved with valid queries that must be answered
 * correctly throughout. The server must never leak an exception (metrics count zero
 * unexpected errors) and must still answer at the end.
 */
class DnsFuzzIT {
    private static final String Z = "svc.example.edge.";
    private static final int UDP_MESSAGES = 100_000;
    private static final int BURST = 50;
    private static final Map<String, String> EXPECTED = Map.of(
            "198.51.100.0", "10.0.1.1", "192.0.2.0", "10.0.2.1", "203.0.113.0", "10.0.3.1");
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private DnsServer server;

    @BeforeEach
    void start() {
        MutableClock clock = new MutableClock(1_800_000_000_000L);
        SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
            d.putInstance("web", World.SYD, true);
            for (int i = 0; i < 60; i++) {
                d.putInstance("many", World.node("m" + i, "10.7.0." + (i + 1), new GeoPoint(i, i)), true);
            }
        });
        DnsConfig config = DnsConfig.builder().zones(List.of(Z)).port(0).nsid("fuzz").recordsPerAnswer(1).ioThreads(2).build();
        server = new DnsServer(config, dir, World.locator(), clock).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void survivesRandomAndMutatedMessages() throws Exception {
        DnsFuzz fuzz = new DnsFuzz(20240601L, Z);
        SplittableRandom rnd = new SplittableRandom(99);
        DnsMetrics m = server.metrics();
        AtomicLong fuzzReplies = new AtomicLong();
        int validChecks = 0;
        try (DatagramSocket fuzzSocket = new DatagramSocket(); DatagramSocket probe = new DatagramSocket()) {
            fuzzSocket.setReceiveBufferSize(1 << 20);
            Thread drainer = new Thread(() -> drain(fuzzSocket, fuzzReplies), "fuzz-drainer");
            drainer.setDaemon(true);
            drainer.start();
            probe.setSoTimeout(2000);
            long sent = 0;
            while (sent < UDP_MESSAGES) {
                for (int i = 0; i < BURST && sent < UDP_MESSAGES; i++, sent++) {
                    byte[] msg = fuzz.next();
                    fuzzSocket.send(new DatagramPacket(msg, msg.length, loopback, server.port()));
                }
                awaitReceived(sent + validChecks);
                if (sent % 1000 == 0) {
                    checkValidAnswer(probe, rnd);
                    validChecks++;
                }
            }
            assertEquals(UDP_MESSAGES + validChecks, m.udpQueries(), "every datagram reached the server");
            fuzzTcp(fuzz, rnd);
            checkValidAnswer(probe, rnd);
        }
        System.out.println("fuzz: " + m.snapshot() + ", fuzz replies received " + fuzzReplies.get());
        assertEquals(0, m.unexpectedErrors(), "no exception escaped the query chain: " + m.snapshot());
        assertTrue(m.malformed() > 10_000, "the parser was exercised: " + m.snapshot());
        assertTrue(m.responses(Rcode.NOERROR) > 5_000 && m.responses(Rcode.REFUSED) > 100 && m.responses(Rcode.NOTIMP) > 100,
                m.snapshot()::toString);
    }

    private void awaitReceived(long count) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.metrics().udpQueries() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000);
        }
    }

    private static void drain(DatagramSocket s, AtomicLong replies) {
        byte[] buf = new byte[65535];
        while (!s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                if (p.getLength() < 12 || (buf[2] & 0x80) == 0) {
                    throw new AssertionError("a reply that is not a DNS response, " + p.getLength() + " bytes");
                }
                replies.incrementAndGet();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static Message validQuery(SplittableRandom rnd, String subnet) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("web." + Z), Type.A, DClass.IN));
        q.getHeader().setID(rnd.nextInt(65536));
        q.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(24, InetAddress.getByName(subnet))), Section.ADDITIONAL);
        return q;
    }

    private static void assertCorrect(Message q, Message r, String subnet) {
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
        assertEquals(Rcode.NOERROR, r.getRcode(), r::toString);
        List<Record> answer = r.getSection(Section.ANSWER);
        assertEquals(1, answer.size(), r::toString);
        assertEquals(EXPECTED.get(subnet), answer.get(0).rdataToString(), r::toString);
    }

    private void checkValidAnswer(DatagramSocket probe, SplittableRandom rnd) throws Exception {
        String subnet = List.copyOf(EXPECTED.keySet()).get(rnd.nextInt(EXPECTED.size()));
        Message q = validQuery(rnd, subnet);
        byte[] wire = q.toWire();
        probe.send(new DatagramPacket(wire, wire.length, loopback, server.port()));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            probe.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a valid query got no answer during the fuzz run: " + server.metrics().snapshot());
        }
        assertCorrect(q, new Message(java.util.Arrays.copyOf(buf, p.getLength())), subnet);
    }

    /** Framed garbage on 150 connections (each ending with a valid query), and 50 with broken framing. */
    private void fuzzTcp(DnsFuzz fuzz, SplittableRandom rnd) throws Exception {
        for (int c = 0; c < 150; c++) {
            try (Socket s = new Socket(loopback, server.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                java.util.Set<Integer> fuzzIds = new java.util.HashSet<>();
                for (int i = 0; i < 20; i++) {
                    byte[] garbage = fuzz.next();
                    if (garbage.length >= 2) {
                        fuzzIds.add(((garbage[0] & 0xFF) << 8) | (garbage[1] & 0xFF));
                    }
                    frame(out, garbage);
                }
                String subnet = List.copyOf(EXPECTED.keySet()).get(rnd.nextInt(EXPECTED.size()));
                Message q = validQuery(rnd, subnet);
                // an id no fuzzed frame of this connection carries: a mutated copy of a valid query with the
                // same id and question was once answered (BADVERS) and taken for the valid query's answer
                while (fuzzIds.contains(q.getHeader().getID())) {
                    q.getHeader().setID(rnd.nextInt(65536));
                }
                frame(out, q.toWire());
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                Message answer = null;
                while (answer == null) {
                    byte[] resp = new byte[in.readUnsignedShort()];
                    in.readFully(resp);
                    assertTrue(resp.length >= 12 && (resp[2] & 0x80) != 0);
                    Message r = new Message(resp);
                    if (r.getHeader().getID() == q.getHeader().getID() && r.getQuestion() != null
                            && r.getQuestion().getType() == Type.A && r.getQuestion().getName().toString().equals("web." + Z)) {
                        answer = r;
                    }
                }
                assertCorrect(q, answer, subnet);
            }
        }
        for (int c = 0; c < 50; c++) {
            try (Socket s = new Socket(loopback, server.port())) {
                OutputStream out = s.getOutputStream();
                switch (c % 3) {
                    case 0 -> out.write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3}); // promises 65535 bytes, sends 3
                    case 1 -> out.write(new byte[] {0, 0, 0, 0}); // empty frames
                    default -> out.write(new byte[] {0, 5}); // only a length
                }
                out.flush();
            }
        }
    }

    private static void frame(OutputStream out, byte[] msg) throws IOException {
        out.write(new byte[] {(byte) (msg.length >> 8), (byte) msg.length});
        out.write(msg);
    }
}
