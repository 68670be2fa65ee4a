package dev.tendril.root.adapter.in.dns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link MmsgUdpListener} and {@link ClientPrefixSteering} on real sockets on loopback (every
 * 127/8 address is local, so clients of different /24 networks can send): the kernel steers
 * each datagram to the socket the Java arithmetic names, IPv4 and IPv6; with lanes, a query
 * from another network queued behind a flood's thousand datagrams is read within the first
 * two batches, where a single socket reads it last.
 */
class MmsgUdpListenerTest {
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

    private DatagramSocket client(String address) throws Exception {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        open.add(c);
        return c;
    }

    private static void send(DatagramSocket c, InetAddress to, int port, byte[] data) throws Exception {
        c.send(new DatagramPacket(data, data.length, to, port));
    }

    /** {@code steering.sockets()} sockets on one free port of {@code at}, the program attached. */
    private List<MmsgSocket> steeredGroup(InetAddress at, ClientPrefixSteering steering) throws Exception {
        List<MmsgSocket> group = new ArrayList<>();
        group.add(MmsgSocket.open(at, 0));
        open.add(group.get(0));
        for (int i = 1; i < steering.sockets(); i++) {
            group.add(MmsgSocket.open(at, group.get(0).localPort()));
            open.add(group.get(i));
        }
        MmsgSocket.steer(group.get(0), steering);
        return group;
    }

    /** Sends 4 bytes, the client's own port, from a new client on {@code from}. */
    private void sendItsPort(String from, InetAddress to, int port) throws Exception {
        DatagramSocket c = client(from);
        send(c, to, port, ByteBuffer.allocate(4).putInt(c.getLocalPort()).array());
    }

    /** Reads {@code sent} datagrams from the group, each checked against the socket the arithmetic names. */
    private static void readEachFromItsSocket(List<MmsgSocket> group, ClientPrefixSteering steering, int sent)
            throws Exception {
        int got = 0;
        for (int deadline = 0; got < sent && deadline < 100; deadline++) {
            for (int index = 0; index < group.size(); index++) {
                MmsgSocket s = group.get(index);
                int n = s.receiveNow();
                for (int i = 0; i < n; i++) {
                    int fromPort = ByteBuffer.wrap(s.datagram(i)).getInt();
                    InetAddress from = s.source(i);
                    assertEquals(steering.socketFor(from, fromPort), index,
                            from.getHostAddress() + " port " + fromPort + " read from socket " + index);
                    got++;
                }
            }
            Thread.sleep(20);
        }
        assertEquals(sent, got, "every datagram read from some socket");
    }

    @Test
    void theKernelSteersEachDatagramToTheSocketTheArithmeticNames() throws Exception {
        ClientPrefixSteering steering = new ClientPrefixSteering(2, 3, 24, 56);
        List<MmsgSocket> group = steeredGroup(SERVER, steering);
        // 12 networks x 3 ports: every socket of the 6 gets some, and each the ones it should
        for (int net = 1; net <= 12; net++) {
            for (int k = 1; k <= 3; k++) {
                sendItsPort("127.0." + net + "." + k, SERVER, group.get(0).localPort());
            }
        }
        readEachFromItsSocket(group, steering, 36);
    }

    @Test
    void anIpv6ClientIsSteeredByTheSameArithmetic() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        ClientPrefixSteering steering = new ClientPrefixSteering(3, 2, 24, 56);
        List<MmsgSocket> group = steeredGroup(v6, steering);
        for (int k = 0; k < 8; k++) {
            sendItsPort("::1", v6, group.get(0).localPort());
        }
        readEachFromItsSocket(group, steering, 8);
    }

    /** Where in the order of reading a bystander's one query comes, behind 1,000 of a flood's. */
    private int bystandersPlace(int lanes) throws Exception {
        ClientPrefixSteering steering = new ClientPrefixSteering(1, lanes, 24, 56);
        InetAddress flooder = InetAddress.getByName("127.0.1.1");
        InetAddress bystander = InetAddress.getByName("127.0.2.1");
        if (lanes > 1) {
            assertNotEquals(steering.socketFor(flooder, 0), steering.socketFor(bystander, 0),
                    "the two networks of this test hash to different lanes");
        }
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        MmsgUdpListener listener = MmsgUdpListener.open(SERVER, 0, steering, (wire, source) -> {
            order.add(source.getHostAddress());
            return null;
        }, new DnsMetrics());
        open.add(listener);
        DatagramSocket flood = client("127.0.1.1");
        for (int i = 0; i < 1000; i++) {
            send(flood, SERVER, listener.port(), new byte[] {1, 2, 3});
        }
        send(client("127.0.2.1"), SERVER, listener.port(), new byte[] {4, 5, 6});
        listener.start(); // everything is queued before the thread reads anything
        for (int i = 0; i < 500 && order.size() < 1001; i++) {
            Thread.sleep(10);
        }
        if (order.size() != 1001) {
            fail("read " + order.size() + " of 1001 datagrams");
        }
        return order.indexOf("127.0.2.1");
    }

    @Test
    void withLanesAQueryFromAnotherNetworkIsReadWithinTwoBatchesOfAFloodQueuedAheadOfIt() throws Exception {
        int place = bystandersPlace(4);
        assertTrue(place < 2 * MmsgSocket.BATCH, "read as number " + (place + 1) + " of 1001");
    }

    @Test
    void withOneSocketTheSameQueryIsReadLastBehindTheWholeFlood() throws Exception {
        assertEquals(1000, bystandersPlace(1));
    }
}
