package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link FloodQuarantine}: which networks it holds and for how long, the kernel's choice of
 * socket under its program against the Java arithmetic (real sockets on loopback, where every
 * 127/8 address is local), and a {@link MmsgUdpListener} with it: a limited network's queries
 * go to the quarantine's thread and everyone else's stay on theirs, and it comes back when no
 * longer limited.
 */
class FloodQuarantineTest {
    private static final InetAddress SERVER = InetAddress.getLoopbackAddress();
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

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    private static FloodQuarantine quarantine(int threads, int capacity, long holdMillis) {
        FloodQuarantine q = new FloodQuarantine(threads, Clock.systemUTC(), capacity, holdMillis, 24, 56);
        q.activate();
        return q;
    }

    @Test
    void aLimitedNetworkEntersOnceAndLeavesAfterTheHold() throws Exception {
        FloodQuarantine q = quarantine(2, 4, 1000);
        q.limited(ip("192.0.2.7"), 10_000);
        q.limited(ip("192.0.2.200"), 10_500); // the same /24: no second entry, its time refreshed
        q.limited(ip("2001:db8:1:2a00::1"), 10_600);
        assertEquals(List.of("192.0.2.0/24", "2001:db8:1:2a00:0:0:0:0/56"), q.networks());
        assertTrue(q.awaitChange(0), "entries are a change");
        assertFalse(q.awaitChange(0), "reported once");
        assertEquals(List.of(), q.sweep(11_400), "the /24 was limited 0.9 s before");
        assertFalse(q.awaitChange(0));
        assertEquals(List.of("192.0.2.0/24"), q.sweep(11_550), "1.05 s after its last limited response");
        assertEquals(List.of("2001:db8:1:2a00:0:0:0:0/56"), q.networks());
        assertTrue(q.awaitChange(0), "a network leaving is a change");
        assertEquals(List.of("2001:db8:1:2a00:0:0:0:0/56"), q.sweep(11_601));
        assertEquals(List.of(), q.networks());
    }

    @Test
    void beyondItsCapacityALimitedNetworkStaysWhereItIs() throws Exception {
        FloodQuarantine q = quarantine(1, 2, 1000);
        q.limited(ip("198.51.100.1"), 0);
        q.limited(ip("198.51.101.1"), 0);
        q.limited(ip("198.51.102.1"), 0);
        q.limited(ip("198.51.102.2"), 0);
        assertEquals(List.of("198.51.100.0/24", "198.51.101.0/24"), q.networks());
        assertEquals(2, q.turnedAway(), "the two limited answers to 198.51.102.0/24");
        assertEquals(1, q.socketFor(ip("198.51.100.9"), 5353), "in quarantine: the socket after the thread's");
        assertEquals(0, q.socketFor(ip("198.51.102.1"), 5353), "turned away: its thread's socket");
    }

    @Test
    void untilActivatedNothingIsKept() throws Exception {
        FloodQuarantine q = new FloodQuarantine(1, Clock.systemUTC(), 4, 1000, 24, 56);
        q.limited(ip("192.0.2.1"), 0);
        assertEquals(List.of(), q.networks());
        assertFalse(q.awaitChange(0));
    }

    private DatagramSocket client(String address) throws Exception {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(ip(address), 0));
        open.add(c);
        return c;
    }

    private static void send(DatagramSocket c, int port, byte[] data) throws Exception {
        c.send(new DatagramPacket(data, data.length, c.getLocalAddress().getAddress().length == 4 ? SERVER : ip("::1"), port));
    }

    /** {@code q.threads() + 1} sockets on one free port of {@code at}, the quarantine's program attached. */
    private List<MmsgSocket> group(InetAddress at, FloodQuarantine q) throws Exception {
        List<MmsgSocket> group = new ArrayList<>();
        group.add(MmsgSocket.open(at, 0));
        open.add(group.get(0));
        for (int i = 0; i < q.threads(); i++) {
            group.add(MmsgSocket.open(at, group.get(0).localPort()));
            open.add(group.get(i + 1));
        }
        MmsgSocket.steer(group.get(0), q.program());
        return group;
    }

    /** Reads every datagram the group has (each is its sender's port), checked against the arithmetic; returns how many went to each socket. */
    private static int[] readEachFromItsSocket(List<MmsgSocket> group, FloodQuarantine q, int sent) throws Exception {
        int[] per = new int[group.size()];
        int got = 0;
        for (int tries = 0; got < sent && tries < 100; tries++) {
            for (int index = 0; index < group.size(); index++) {
                MmsgSocket s = group.get(index);
                int n = s.receiveNow();
                for (int i = 0; i < n; i++) {
                    int fromPort = ByteBuffer.wrap(s.datagram(i)).getInt();
                    InetAddress from = s.source(i);
                    assertEquals(q.socketFor(from, fromPort), index, from.getHostAddress() + " port " + fromPort
                            + " read from socket " + index);
                    per[index]++;
                    got++;
                }
            }
            Thread.sleep(20);
        }
        assertEquals(sent, got, "every datagram read from some socket");
        return per;
    }

    private void sendItsPort(String from, int port) throws Exception {
        DatagramSocket c = client(from);
        send(c, port, ByteBuffer.allocate(4).putInt(c.getLocalPort()).array());
    }

    @Test
    void theKernelSendsTheQuarantinedNetworksToTheLastSocketAndTheRestByPort() throws Exception {
        FloodQuarantine q = quarantine(3, 8, 60_000);
        q.limited(ip("127.0.1.9"), System.currentTimeMillis());
        q.limited(ip("127.0.4.9"), System.currentTimeMillis());
        q.limited(ip("::1"), System.currentTimeMillis()); // an IPv6 entry in the program, which IPv4 must skip
        List<MmsgSocket> group = group(SERVER, q);
        for (int net = 1; net <= 6; net++) {
            for (int k = 1; k <= 4; k++) {
                sendItsPort("127.0." + net + "." + k, group.get(0).localPort());
            }
        }
        int[] per = readEachFromItsSocket(group, q, 24);
        assertEquals(8, per[3], "127.0.1.0/24 and 127.0.4.0/24, 4 clients each, to the quarantine");
        assertEquals(16, per[0] + per[1] + per[2]);
    }

    @Test
    void anIpv6NetworkIsQuarantinedByItsFirst56Bits() throws Exception {
        InetAddress v6 = ip("::1");
        FloodQuarantine empty = quarantine(2, 8, 60_000);
        List<MmsgSocket> before = group(v6, empty);
        for (int k = 0; k < 6; k++) {
            sendItsPort("::1", before.get(0).localPort());
        }
        assertEquals(0, readEachFromItsSocket(before, empty, 6)[2], "nothing in quarantine: none to its socket");

        FloodQuarantine q = quarantine(2, 8, 60_000);
        q.limited(ip("127.0.9.9"), System.currentTimeMillis()); // an IPv4 entry, which IPv6 must skip
        q.limited(ip("0:0:0:ff::7"), System.currentTimeMillis()); // ::/56 too: bits 56-63 are not compared
        List<MmsgSocket> group = group(v6, q);
        for (int k = 0; k < 6; k++) {
            sendItsPort("::1", group.get(0).localPort());
        }
        assertEquals(6, readEachFromItsSocket(group, q, 6)[2]);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        fail("not within 5 s: " + what);
    }

    /** Sends a datagram from {@code client} every 10 ms until {@code condition} holds (5 s at most). */
    private static void sendUntil(DatagramSocket client, int port, BooleanSupplier condition, String what)
            throws InterruptedException {
        await(() -> {
            try {
                send(client, port, new byte[] {2});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return condition.getAsBoolean();
        }, what);
    }

    @Test
    void aListenerAnswersALimitedNetworkOnTheQuarantinesThreadUntilItIsNoLongerLimited() throws Exception {
        FloodQuarantine q = quarantine(1, 4, 1000);
        Map<String, String> lastThread = new ConcurrentHashMap<>();
        List<String> normalThreadOrder = Collections.synchronizedList(new ArrayList<>());
        DnsMetrics metrics = new DnsMetrics();
        MmsgUdpListener listener = MmsgUdpListener.open(SERVER, 0, new ClientPrefixSteering(1, 1, 24, 56), q,
                (wire, source) -> {
                    String thread = Thread.currentThread().getName();
                    lastThread.put(source.getHostAddress(), thread);
                    if (!thread.endsWith("-quarantine")) {
                        normalThreadOrder.add(source.getHostAddress());
                    }
                    return null;
                }, metrics);
        open.add(listener);
        assertTrue(listener.hasQuarantine());
        String quarantine = "dns-udp-" + listener.port() + "-quarantine";
        String normal = "dns-udp-" + listener.port() + "-0";
        DatagramSocket flood = client("127.0.1.1");
        DatagramSocket bystander = client("127.0.2.1");
        listener.start();

        send(flood, listener.port(), new byte[] {1});
        await(() -> normal.equals(lastThread.get("127.0.1.1")), "the flooder answered on its thread before it is limited");
        q.limited(ip("127.0.1.1"), System.currentTimeMillis()); // what the query chain does on a limited answer
        sendUntil(flood, listener.port(), () -> quarantine.equals(lastThread.get("127.0.1.1")),
                "the limited network's queries read by the quarantine's thread");
        assertEquals(1, metrics.quarantined());
        assertEquals(2, udpSocketsOn(listener.port()), "the thread's socket and the quarantine's");

        // a flood queued ahead of a bystander's query: the normal thread reads the bystander's only
        normalThreadOrder.clear();
        q.limited(ip("127.0.1.1"), System.currentTimeMillis());
        for (int i = 0; i < 1000; i++) {
            send(flood, listener.port(), new byte[] {3});
            if (i % 100 == 0) {
                q.limited(ip("127.0.1.1"), System.currentTimeMillis()); // still limited
            }
        }
        send(bystander, listener.port(), new byte[] {4});
        await(() -> normalThreadOrder.contains("127.0.2.1"), "the bystander answered");
        assertEquals(List.of("127.0.2.1"), normalThreadOrder, "the normal thread read nothing of the flood");

        // no longer limited: after the hold it leaves, and its queries go back to their thread
        await(() -> q.networks().isEmpty(), "the network out of quarantine after its hold");
        sendUntil(flood, listener.port(), () -> normal.equals(lastThread.get("127.0.1.1")),
                "the network's queries back on its thread");
        await(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(quarantine)),
                "the quarantine's thread stopped");
        assertEquals(1, udpSocketsOn(listener.port()), "the quarantine's socket closed");
    }

    @Test
    void withoutAFloodThePortHasNoQuarantineSocketAndEveryoneIsAnsweredOnTheirThread() throws Exception {
        FloodQuarantine q = quarantine(2, 4, 1000);
        Map<String, String> lastThread = new ConcurrentHashMap<>();
        MmsgUdpListener listener = MmsgUdpListener.open(SERVER, 0, new ClientPrefixSteering(2, 1, 24, 56), q,
                (wire, source) -> {
                    lastThread.put(source.getHostAddress(), Thread.currentThread().getName());
                    return null;
                }, new DnsMetrics());
        open.add(listener);
        listener.start();
        for (int net = 1; net <= 8; net++) {
            send(client("127.0." + net + ".1"), listener.port(), new byte[] {1});
        }
        await(() -> lastThread.size() == 8, "8 clients answered");
        assertTrue(lastThread.values().stream().allMatch(t -> t.equals("dns-udp-" + listener.port() + "-0")
                || t.equals("dns-udp-" + listener.port() + "-1")), lastThread.toString());
        assertEquals(2, udpSocketsOn(listener.port()), "one per thread, no quarantine socket");
    }

    /** UDP sockets bound to {@code port} on this machine (IPv4), from /proc/net/udp: the local address is field 2, "ADDR:PORT" in hex. */
    private static long udpSocketsOn(int port) throws Exception {
        String suffix = String.format(":%04X", port);
        return Files.readAllLines(Path.of("/proc/net/udp")).stream().skip(1)
                .map(line -> line.trim().split("\\s+")[1])
                .filter(local -> local.endsWith(suffix))
                .count();
    }
}
