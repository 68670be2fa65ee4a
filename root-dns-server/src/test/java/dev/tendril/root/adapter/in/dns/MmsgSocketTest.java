package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.testing.SmallMtuRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MmsgSocket} against real UDP clients on loopback: datagrams queued before a receive
 * come back in one batch, in order, with their source; replies go to each datagram's own
 * sender; datagrams longer than the buffer are cut; a dual-stack socket reports IPv4 clients
 * as IPv4 addresses; replies are not fragmented at a path MTU smaller than the interface's;
 * sockets share a port; wake() releases a blocked receive for good.
 */
class MmsgSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void bound() {
        assertNull(MmsgSocket.unavailable(), "the build machine is Linux x86-64 with libc: batched UDP must bind");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private MmsgSocket socket(String address, int port) throws Exception {
        MmsgSocket s = MmsgSocket.open(InetAddress.getByName(address), port);
        open.add(s);
        return s;
    }

    private DatagramSocket client(InetAddress at) throws Exception {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(at, 0));
        c.setSoTimeout(5000);
        open.add(c);
        return c;
    }

    private static void send(DatagramSocket c, InetAddress to, int port, byte[] data) throws Exception {
        c.send(new DatagramPacket(data, data.length, to, port));
    }

    private static byte[] receive(DatagramSocket c) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
        c.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    /** Receives until {@code n} datagrams came in; the batch sizes. */
    private static List<Integer> receiveAll(MmsgSocket s, int n, List<byte[]> into) throws Exception {
        List<Integer> batches = new ArrayList<>();
        while (into.size() < n) {
            int got = s.receive();
            batches.add(got);
            for (int i = 0; i < got; i++) {
                into.add(s.datagram(i));
            }
        }
        return batches;
    }

    @Test
    void datagramsQueuedBeforeAReceiveComeInOneBatchInOrderAndEachReplyGoesToItsSender() throws Exception {
        MmsgSocket s = socket("127.0.0.1", 0);
        DatagramSocket a = client(LOOPBACK);
        DatagramSocket b = client(LOOPBACK);
        for (int i = 0; i < 10; i++) {
            send(i % 2 == 0 ? a : b, LOOPBACK, s.localPort(), ("q" + i).getBytes(StandardCharsets.US_ASCII));
        }
        int got = s.receive();
        assertTrue(got > 1 && got <= 10, "one receive took " + got + " of 10 queued datagrams");
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < got; i++) {
            all.add(s.datagram(i));
            assertEquals(LOOPBACK, s.source(i));
            assertTrue(s.reply(i, ("a" + new String(s.datagram(i), StandardCharsets.US_ASCII).substring(1))
                    .getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals(got, s.flush());
        receiveAll(s, 10 - got, new ArrayList<>()); // the rest, unanswered
        for (int i = 0; i < got; i++) {
            assertEquals("q" + i, new String(all.get(i), StandardCharsets.US_ASCII));
        }
        // a sent q0, q2, ...; b sent q1, q3, ...: each gets the answers to its own
        for (int i = 0; i < got; i++) {
            DatagramSocket sender = i % 2 == 0 ? a : b;
            assertEquals("a" + i, new String(receive(sender), StandardCharsets.US_ASCII));
        }
        assertEquals(0, s.sendFailures());
    }

    @Test
    void aLongDatagramIsCutAndAnOversizedReplyIsRefused() throws Exception {
        MmsgSocket s = socket("127.0.0.1", 0);
        DatagramSocket c = client(LOOPBACK);
        byte[] big = new byte[MmsgSocket.MAX_DATAGRAM + 900];
        Arrays.fill(big, (byte) 7);
        send(c, LOOPBACK, s.localPort(), big);
        List<byte[]> got = new ArrayList<>();
        receiveAll(s, 1, got);
        assertArrayEquals(Arrays.copyOf(big, MmsgSocket.MAX_DATAGRAM), got.get(0));
        assertFalse(s.reply(0, new byte[MmsgSocket.MAX_DATAGRAM + 1]));
        assertTrue(s.reply(0, new byte[MmsgSocket.MAX_DATAGRAM]));
        assertEquals(1, s.flush());
        assertEquals(MmsgSocket.MAX_DATAGRAM, receive(c).length);
        assertThrows(IndexOutOfBoundsException.class, () -> s.datagram(1));
    }

    @Test
    void aDualStackSocketReportsIpv4ClientsAsIpv4AndIpv6ClientsAsIpv6() throws Exception {
        MmsgSocket s = socket("::", 0);
        assertTrue(s.ipv6());
        DatagramSocket v4 = client(InetAddress.getByName("127.0.0.1"));
        send(v4, InetAddress.getByName("127.0.0.1"), s.localPort(), new byte[]{1});
        receiveAll(s, 1, new ArrayList<>());
        assertInstanceOf(Inet4Address.class, s.source(0));
        assertEquals(InetAddress.getByName("127.0.0.1"), s.source(0));
        assertTrue(s.reply(0, new byte[]{2}));
        assertEquals(1, s.flush());
        assertArrayEquals(new byte[]{2}, receive(v4));

        DatagramSocket v6 = client(InetAddress.getByName("::1"));
        send(v6, InetAddress.getByName("::1"), s.localPort(), new byte[]{3});
        receiveAll(s, 1, new ArrayList<>());
        assertEquals(InetAddress.getByName("::1"), s.source(0));
        assertTrue(s.reply(0, new byte[]{4}));
        assertEquals(1, s.flush());
        assertArrayEquals(new byte[]{4}, receive(v6));
    }

    /**
     * A route to the client with a small MTU stands for a path MTU the kernel learnt from ICMP
     * (a forged one included): a plain UDP socket fragments a 1,200-byte reply on it, the
     * root's sockets (IPv4 and dual-stack) send it whole (IP_PMTUDISC_OMIT).
     */
    @Test
    void aSmallPathMtuDoesNotFragmentRepliesWhereAPlainSocketWould() throws Exception {
        try (SmallMtuRoute route = SmallMtuRoute.to("127.77.0.9")) {
            DatagramSocket c = route.client();
            open.add(c);
            byte[] reply = new byte[1200];
            Arrays.fill(reply, (byte) 9);
            assertTrue(route.fragmentsOfAPlainSocket(c, reply.length) >= 3, "the route's MTU splits a plain socket's datagram");
            for (String bound : List.of("127.0.0.1", "::")) {
                MmsgSocket s = socket(bound, 0);
                send(c, InetAddress.getByName("127.0.0.1"), s.localPort(), new byte[]{1});
                receiveAll(s, 1, new ArrayList<>());
                assertTrue(s.reply(0, reply));
                long before = SmallMtuRoute.fragmentsCreated();
                assertEquals(1, s.flush());
                assertArrayEquals(reply, receive(c));
                assertEquals(0, SmallMtuRoute.fragmentsCreated() - before, "a socket bound to " + bound + " fragmented its reply");
            }
        }
    }

    @Test
    void socketsShareAPortAndBetweenThemReadEveryDatagram() throws Exception {
        MmsgSocket first = socket("127.0.0.1", 0);
        MmsgSocket second = socket("127.0.0.1", first.localPort());
        assertEquals(first.localPort(), second.localPort());
        // the kernel spreads senders over the sockets by address and port: many senders
        int senders = 16;
        for (int i = 0; i < senders; i++) {
            send(client(LOOPBACK), LOOPBACK, first.localPort(), new byte[]{(byte) i});
        }
        int[] read = new int[2];
        List<MmsgSocket> both = List.of(first, second);
        for (int k = 0; k < 2; k++) {
            int n;
            while ((n = both.get(k).receive()) > 0) { // 0: a quiet second, nothing more queued
                read[k] += n;
            }
        }
        assertEquals(senders, read[0] + read[1]);
        assertTrue(read[0] > 0 && read[1] > 0, "both sockets read some: " + Arrays.toString(read));
    }

    @Test
    void wakeReleasesABlockedReceiveForGood() throws Exception {
        MmsgSocket s = socket("127.0.0.1", 0);
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                int n;
                do {
                    n = s.receive(); // 0 also after a quiet second: keep waiting until woken
                } while (n == 0 && !Thread.currentThread().isInterrupted() && !woken);
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        woken = true;
        s.wake();
        assertEquals(0, blocked.get(10, TimeUnit.SECONDS));
        send(client(LOOPBACK), LOOPBACK, s.localPort(), new byte[]{1});
        assertEquals(0, s.receive()); // pending datagrams are not read after wake()
    }

    @Test
    void aThreadPutInSchedIdleRunsUnderThatPolicyAndOnlyThatThread() throws Exception {
        CompletableFuture<String[]> policies = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                String before = schedPolicy();
                MmsgSocket.idleCurrentThread();
                policies.complete(new String[] {before, schedPolicy()});
            } catch (Exception e) {
                policies.completeExceptionally(e);
            }
        });
        t.start();
        String[] p = policies.get(10, TimeUnit.SECONDS);
        assertEquals("0", p[0], "SCHED_OTHER before");
        assertEquals("5", p[1], "SCHED_IDLE after");
        assertEquals("0", schedPolicy(), "the calling thread only: this one is untouched");
    }

    /** Field 41 (policy) of /proc/thread-self/stat, counted after the command name's closing parenthesis. */
    private static String schedPolicy() throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[41 - 3];
    }

    private volatile boolean woken;
}
