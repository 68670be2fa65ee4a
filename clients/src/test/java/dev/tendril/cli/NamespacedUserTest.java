package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's fetch as curl -f made it: a 2xx or 3xx read to its end, nothing else, within its
 * limit; and the runner's DNS query as {@code dig +short} reads it: one A record or nothing.
 */
class NamespacedUserTest {

    /** A one-connection server that reads the request and answers {@code reply}, then closes (or holds, when null). */
    private static ServerSocket serve(String reply, AtomicReference<String> request) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                request.set(new String(buf, 0, Math.max(0, n), StandardCharsets.US_ASCII));
                if (reply == null) {
                    Thread.sleep(60_000); // holds the connection open and never answers
                    return;
                }
                OutputStream out = s.getOutputStream();
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | InterruptedException e) {
                // the test closed the server
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aSuccessfulAnswerReadToItsEndIsAFetchFromTheGivenAddress() throws IOException {
        AtomicReference<String> request = new AtomicReference<>();
        try (ServerSocket server = serve("HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\nweb on\n", request)) {
            assertTrue(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        assertTrue(request.get().startsWith("GET / HTTP/1.0\r\nHost: 127.0.0.1:"), request.get());
    }

    @Test
    void aRedirectCountsAsServedAnErrorStatusDoesNot() throws IOException {
        try (ServerSocket server = serve("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n", new AtomicReference<>())) {
            assertTrue(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        try (ServerSocket server = serve("HTTP/1.0 404 Not Found\r\n\r\n", new AtomicReference<>())) {
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
        try (ServerSocket server = serve("garbage\r\n\r\n", new AtomicReference<>())) {
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofSeconds(3)));
        }
    }

    @Test
    void aClosedPortOrAServerThatNeverAnswersIsNotServed() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", closed, Duration.ofSeconds(3)));
        try (ServerSocket server = serve(null, new AtomicReference<>())) {
            // the server holds the connection for a minute: only the limit ends this fetch
            assertFalse(NamespacedUser.get("127.0.0.1", "127.0.0.1", server.getLocalPort(), Duration.ofMillis(300)));
        }
    }

    @Test
    void aNamespaceThatDoesNotExistIsRefusedAndTheThreadStaysWhereItWas() {
        IOException e = assertThrows(IOException.class, () -> NamespacedUser.enter("tl-no-such-namespace-x"));
        assertTrue(e.getMessage().contains("no network namespace tl-no-such-namespace-x"), e.getMessage());
        assertNull(NamespacedUser.entered());
    }

    /**
     * A one-query DNS server on loopback: answers the first query it gets with what
     * {@code answer} makes of it (null: no answer at all) and hands the query to {@code seen}.
     */
    private static DatagramSocket dnsServer(Function<Message, List<byte[]>> answer, AtomicReference<Message> seen)
            throws IOException {
        DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            try {
                DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                server.receive(p);
                Message query = new Message(Arrays.copyOf(p.getData(), p.getLength()));
                seen.set(query);
                for (byte[] wire : answer.apply(query)) {
                    server.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // the test closed the server
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    private static Message reply(Message query, int rcode, String... addresses) throws IOException {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        for (String a : addresses) {
            m.addRecord(new ARecord(query.getQuestion().getName(), query.getQuestion().getDClass(), 30,
                    InetAddress.getByName(a)), Section.ANSWER);
        }
        return m;
    }

    @Test
    void oneARecordIsTheAnswerAndTheQueryIsDigs() throws IOException {
        AtomicReference<Message> seen = new AtomicReference<>();
        try (DatagramSocket server = dnsServer(q -> {
            try {
                Message stray = reply(q, Rcode.NOERROR, "10.9.9.9");
                stray.getHeader().setID((q.getHeader().getID() + 1) & 0xffff); // another query's answer: skipped
                return List.of(new byte[] {1, 2, 3}, stray.toWire(), reply(q, Rcode.NOERROR, "10.9.0.7").toWire());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, seen)) {
            assertEquals("10.9.0.7", NamespacedUser.resolveA("127.0.0.1", "127.0.0.1", server.getLocalPort(), "web.tendril.test",
                    Duration.ofSeconds(3)));
        }
        Message q = seen.get();
        assertEquals("web.tendril.test.", q.getQuestion().getName().toString());
        assertEquals(org.xbill.DNS.Type.A, q.getQuestion().getType());
        assertTrue(q.getHeader().getFlag(Flags.RD), "recursion desired, as dig sends");
        OPTRecord opt = q.getOPT();
        assertEquals(1232, opt.getPayloadSize());
        assertEquals(1, opt.getOptions(org.xbill.DNS.EDNSOption.Code.COOKIE).size(), "a client cookie, as dig sends");
    }

    @Test
    void anErrorTwoAddressesOrNoAnswerAreNothing() throws IOException {
        for (Function<Message, List<byte[]>> answer : List.<Function<Message, List<byte[]>>>of(
                q -> wire(q, Rcode.NXDOMAIN), q -> wire(q, Rcode.SERVFAIL, "10.9.0.7"),
                q -> wire(q, Rcode.NOERROR, "10.9.0.7", "10.9.0.8"), q -> wire(q, Rcode.NOERROR), q -> List.of())) {
            try (DatagramSocket server = dnsServer(answer, new AtomicReference<>())) {
                assertEquals("", NamespacedUser.resolveA("127.0.0.1", "127.0.0.1", server.getLocalPort(), "web.tendril.test",
                        Duration.ofMillis(300)));
            }
        }
    }

    private static List<byte[]> wire(Message q, int rcode, String... addresses) {
        try {
            return List.of(reply(q, rcode, addresses).toWire());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLookInANamespaceThatDoesNotExistFailsSoTheRunnerFallsBackToProcesses() {
        try (NamespaceWorkers workers = new NamespaceWorkers()) {
            IOException e = assertThrows(IOException.class, () -> workers.call("tl-no-such-namespace-y", 1_000, () -> "looked"));
            assertTrue(e.getMessage().contains("no network namespace tl-no-such-namespace-y"), e.getMessage());
            // refused again, not run outside the namespace on a second try
            assertThrows(IOException.class, () -> workers.call("tl-no-such-namespace-y", 1_000, () -> "looked"));
        }
    }

    /**
     * A look runs inside the namespace, and so do the threads it starts (JeroMQ starts its I/O
     * threads from the thread that opens the first socket): in a fresh namespace {@code lo} is
     * down, so not even 127.0.0.1 has a route. Needs root and iproute2, as every topology IT.
     */
    @Test
    void aLookAndTheThreadsItStartsRunInTheNamespace() throws Exception {
        String ns = "tl-looks-" + ProcessHandle.current().pid();
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", ns).inheritIO().start().waitFor());
        try (NamespaceWorkers workers = new NamespaceWorkers()) {
            assertTrue(routesToLoopback(), "the test itself runs where 127.0.0.1 is reachable");
            assertFalse(workers.call(ns, 5_000, NamespacedUserTest::routesToLoopback));
            assertFalse(workers.call(ns, 5_000, () -> {
                AtomicReference<Boolean> seen = new AtomicReference<>();
                Thread child = new Thread(() -> seen.set(routesToLoopback()));
                child.start();
                child.join();
                return seen.get();
            }));
        } finally {
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
        }
    }

    /** Whether this thread's namespace has a route to 127.0.0.1 (a UDP connect sends nothing). */
    private static boolean routesToLoopback() {
        try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
            c.connect(new InetSocketAddress("127.0.0.1", 9));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
