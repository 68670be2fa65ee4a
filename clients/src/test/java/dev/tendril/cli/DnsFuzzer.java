package dev.tendril.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Sends mutated DNS packets ({@link DnsMutator}) to a root over UDP and TCP and interleaves
 * valid probes ({@link DnsProbe}) that must be answered. Over UDP the packets come from 16
 * loopback addresses in different /24s and each burst is followed by a probe whose answer is
 * awaited before the next burst (so the server's receive buffer never overflows and a probe
 * answered means everything before it was read). Over TCP each connection carries 1-80
 * length-prefixed mutated messages, or a length prefix that promises more than follows, a
 * prefix cut in half, a zero length, or messages written a few bytes at a time; then a phase
 * of slow connections that hold a partial prefix open, up to the per-client cap and one more,
 * while a probe from another address must still be answered.
 */
final class DnsFuzzer {
    record UdpFigures(long packets, long bytes, long replies, long[] replyRcodes, long probesSent, long probesAnswered,
                      long probesWrong, long probesMissing, long slowestProbeMicros, double seconds, String lastProblem,
                      long[] mutations) {
        String line() {
            return String.format(Locale.ROOT, "DNS UDP: %,d mutated packets (%,d bytes) in %.1f s (%,.0f/s), %,d replies "
                            + "(rcodes %s), probes answered %,d/%,d (wrong %d, missing %d, slowest %.1f ms)%s",
                    packets, bytes, seconds, packets / seconds, replies, rcodes(replyRcodes), probesAnswered, probesSent,
                    probesWrong, probesMissing, slowestProbeMicros / 1000.0, lastProblem.isEmpty() ? "" : "; last problem: " + lastProblem);
        }
    }

    record TcpFigures(long messages, long connections, long replies, long probesSent, long probesAnswered, long probesWrong,
                      long probesMissing, long slowHeld, long slowRefused, double seconds, String lastProblem) {
        String line() {
            return String.format(Locale.ROOT, "DNS TCP: %,d mutated messages on %,d connections in %.1f s (%,.0f/s), %,d replies, "
                            + "slow connections held %d (closed by the server beyond the cap: %d), probes answered %,d/%,d "
                            + "(wrong %d, missing %d)%s",
                    messages, connections, seconds, messages / seconds, replies, slowHeld, slowRefused, probesAnswered, probesSent,
                    probesWrong, probesMissing, lastProblem.isEmpty() ? "" : "; last problem: " + lastProblem);
        }
    }

    static String rcodes(long[] counts) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                b.append(b.isEmpty() ? "" : " ").append(org.xbill.DNS.Rcode.string(i)).append('=').append(counts[i]);
            }
        }
        return b.toString();
    }

    private final InetSocketAddress server;
    private final String zone;
    private final String expected;
    private final long seed;

    DnsFuzzer(InetSocketAddress server, String zone, String expected, long seed) {
        this.server = server;
        this.zone = zone;
        this.expected = expected;
        this.seed = seed;
    }

    UdpFigures udp(long packets, int probeEvery) throws IOException {
        DnsMutator mutator = new DnsMutator(zone, seed);
        List<DatagramChannel> channels = new ArrayList<>();
        long sent = 0;
        long bytes = 0;
        long replies = 0;
        long[] rcodes = new long[16];
        long t0 = System.nanoTime();
        ByteBuffer in = ByteBuffer.allocate(65_536);
        try (DnsProbe probe = new DnsProbe(server, InetAddress.getByName("127.9.0.1"), InetAddress.getByName("127.9.1.1"),
                zone, expected, seed + 1)) {
            for (int i = 0; i < 16; i++) {
                DatagramChannel c = DatagramChannel.open();
                c.bind(new InetSocketAddress(InetAddress.getByName("127.10." + i + ".1"), 0));
                c.configureBlocking(false);
                channels.add(c);
            }
            while (sent < packets) {
                for (int i = 0; i < probeEvery && sent < packets; i++) {
                    byte[] p = mutator.next();
                    DatagramChannel c = channels.get((int) (sent % channels.size()));
                    // an empty datagram is sent as 0 bytes; otherwise 0 means the send buffer is full for a moment
                    while (c.send(ByteBuffer.wrap(p), server) == 0 && p.length > 0) {
                        Thread.onSpinWait();
                    }
                    sent++;
                    bytes += p.length;
                }
                probe.udp();
                for (DatagramChannel c : channels) {
                    in.clear();
                    while (c.receive(in) != null) {
                        replies++;
                        if (in.position() >= 4) {
                            rcodes[in.get(3) & 0x0f]++;
                        }
                        in.clear();
                    }
                }
            }
            return new UdpFigures(sent, bytes, replies, rcodes, probe.sent, probe.answered, probe.wrong, probe.missing,
                    probe.slowestMicros, (System.nanoTime() - t0) / 1e9, probe.lastProblem, mutator.byKind());
        } finally {
            for (DatagramChannel c : channels) {
                c.close();
            }
        }
    }

    TcpFigures tcp(long messages, int probeEvery, int perClientCap) throws IOException {
        DnsMutator mutator = new DnsMutator(zone, seed + 2);
        SplittableRandom random = mutator.random();
        long sent = 0;
        long connections = 0;
        long replies = 0;
        long nextProbe = probeEvery;
        long t0 = System.nanoTime();
        try (DnsProbe probe = new DnsProbe(server, InetAddress.getByName("127.9.2.1"), InetAddress.getByName("127.9.3.1"),
                zone, expected, seed + 3)) {
            while (sent < messages) {
                InetAddress source = InetAddress.getByName("127.11." + (connections % 8) + ".1");
                connections++;
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(source, 0));
                    s.setTcpNoDelay(true);
                    s.connect(server, 3_000);
                    s.setSoTimeout(3_000);
                    OutputStream out = s.getOutputStream();
                    int mode = random.nextInt(10);
                    int n = 1 + random.nextInt(mode == 3 ? 5 : 80);
                    try {
                        switch (mode) {
                            case 0 -> { // a prefix promising more than follows, then the end
                                byte[] p = mutator.next();
                                int declared = p.length + 1 + random.nextInt(65_535 - p.length);
                                out.write(new byte[] {(byte) (declared >>> 8), (byte) declared});
                                out.write(p);
                                sent++;
                            }
                            case 1 -> { // half a prefix
                                out.write(random.nextInt(256));
                                sent++;
                            }
                            case 2 -> { // zero-length messages
                                for (int i = 0; i < n; i++) {
                                    out.write(new byte[] {0, 0});
                                }
                                sent += n;
                            }
                            case 3 -> { // messages written a few bytes at a time
                                for (int i = 0; i < n; i++) {
                                    byte[] f = framed(mutator.next());
                                    for (int at = 0; at < f.length; at += 3) {
                                        out.write(f, at, Math.min(3, f.length - at));
                                        out.flush();
                                    }
                                }
                                sent += n;
                            }
                            default -> { // n mutated messages in one go
                                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                                for (int i = 0; i < n; i++) {
                                    all.writeBytes(framed(mutator.next()));
                                }
                                out.write(all.toByteArray());
                                sent += n;
                            }
                        }
                        out.flush();
                        s.shutdownOutput();
                        replies += drain(s.getInputStream());
                    } catch (IOException e) {
                        // the server closed the connection on what we sent: fine, it is garbage
                    }
                } catch (IOException e) {
                    throw new IOException("connecting to the DNS server over TCP failed after " + sent + " messages", e);
                }
                if (sent >= nextProbe) {
                    probe.tcp();
                    probe.udp();
                    nextProbe += probeEvery;
                }
            }
            long[] slow = slowConnections(perClientCap, probe);
            probe.tcp();
            return new TcpFigures(sent, connections, replies, probe.sent, probe.answered, probe.wrong, probe.missing, slow[0],
                    slow[1], (System.nanoTime() - t0) / 1e9, probe.lastProblem);
        }
    }

    /** Opens cap + 1 connections from one address, each holding one byte of a length prefix; probes meanwhile. */
    private long[] slowConnections(int cap, DnsProbe probe) throws IOException {
        List<Socket> held = new ArrayList<>();
        long refused = 0;
        try {
            InetAddress source = InetAddress.getByName("127.11.9.1");
            for (int i = 0; i <= cap; i++) {
                Socket s = new Socket();
                held.add(s);
                s.bind(new InetSocketAddress(source, 0));
                s.connect(server, 3_000);
                s.getOutputStream().write(0);
                s.getOutputStream().flush();
            }
            probe.tcp();
            probe.udp();
            for (Socket s : held) {
                s.setSoTimeout(20);
                try {
                    if (s.getInputStream().read() < 0) {
                        refused++;
                    }
                } catch (SocketTimeoutException e) {
                    // still held open by the server, waiting for the rest of the prefix
                } catch (IOException e) {
                    refused++;
                }
            }
            return new long[] {held.size(), refused};
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static byte[] framed(byte[] p) {
        int len = Math.min(p.length, 65_535);
        byte[] f = new byte[len + 2];
        f[0] = (byte) (len >>> 8);
        f[1] = (byte) len;
        System.arraycopy(p, 0, f, 2, len);
        return f;
    }

    /** Reads length-prefixed replies until the server closes (or 3 s of silence); returns how many. */
    private static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] buf = new byte[65_536];
        int pending = 0; // bytes of the current reply still to skip
        int prefix = -1; // high byte of a prefix read alone
        int r;
        while (true) {
            try {
                r = in.read(buf);
            } catch (SocketTimeoutException e) {
                return n;
            }
            if (r < 0) {
                return n;
            }
            for (int i = 0; i < r; ) {
                if (pending > 0) {
                    int take = Math.min(pending, r - i);
                    pending -= take;
                    i += take;
                } else if (prefix < 0) {
                    prefix = buf[i++] & 0xff;
                } else {
                    pending = prefix << 8 | (buf[i++] & 0xff);
                    prefix = -1;
                    n++;
                }
            }
        }
    }
}
