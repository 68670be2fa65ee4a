package dev.tendril.cli;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A valid query for {@code web.<zone> A} that must be answered with the edge's address, over
 * UDP from its own address (with a DNS cookie, so the rate limiter never limits it, as a
 * cookie-speaking resolver) or over a fresh TCP connection. Counts what was sent, answered
 * correctly, answered wrongly and not answered, and the slowest answer.
 */
final class DnsProbe implements AutoCloseable {
    private final InetSocketAddress server;
    private final InetAddress tcpSource;
    private final Name name;
    private final String expected;
    private final DatagramSocket udp;
    private final SplittableRandom random;
    private final byte[] clientCookie = new byte[8];
    private byte[] serverCookie;
    long sent;
    long answered;
    long wrong;
    long missing;
    long slowestMicros;
    String lastProblem = "";

    DnsProbe(InetSocketAddress server, InetAddress udpSource, InetAddress tcpSource, String zone, String expected, long seed)
            throws IOException {
        this.server = server;
        this.tcpSource = tcpSource;
        this.name = Name.fromString("web." + zone + ".");
        this.expected = expected;
        this.random = new SplittableRandom(seed);
        this.udp = new DatagramSocket(new InetSocketAddress(udpSource, 0));
        this.udp.setSoTimeout(3_000);
        for (int i = 0; i < clientCookie.length; i++) {
            clientCookie[i] = (byte) random.nextInt(256);
        }
    }

    private Message query() {
        Message m = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        m.getHeader().setID(random.nextInt(65536));
        EDNSOption cookie = serverCookie == null ? new CookieOption(clientCookie) : new CookieOption(clientCookie, serverCookie);
        m.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(cookie)), Section.ADDITIONAL);
        return m;
    }

    /** One probe over UDP; true when answered correctly. */
    boolean udp() throws IOException {
        Message q = query();
        byte[] wire = q.toWire();
        long t0 = System.nanoTime();
        sent++;
        udp.send(new DatagramPacket(wire, wire.length, server));
        byte[] buf = new byte[4096];
        long deadline = t0 + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            Optional<Message> r = parse(java.util.Arrays.copyOf(buf, p.getLength()));
            if (r.isPresent() && r.get().getHeader().getID() == q.getHeader().getID()) {
                return judge(r.get(), t0);
            }
        }
        missing++;
        lastProblem = "no UDP answer within 3 s";
        return false;
    }

    /** One probe over a fresh TCP connection; true when answered correctly. */
    boolean tcp() throws IOException {
        Message q = query();
        byte[] wire = q.toWire();
        long t0 = System.nanoTime();
        sent++;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(tcpSource, 0));
            s.connect(server, 3_000);
            s.setSoTimeout(3_000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {(byte) (wire.length >>> 8), (byte) wire.length});
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            Optional<Message> r = parse(answer);
            if (r.isPresent()) {
                return judge(r.get(), t0);
            }
            wrong++;
            lastProblem = "TCP answer does not parse";
            return false;
        } catch (IOException e) {
            missing++;
            lastProblem = "TCP: " + e;
            return false;
        }
    }

    private boolean judge(Message r, long t0) {
        slowestMicros = Math.max(slowestMicros, (System.nanoTime() - t0) / 1_000);
        OPTRecord opt = r.getOPT();
        if (opt != null) {
            for (EDNSOption o : opt.getOptions(EDNSOption.Code.COOKIE)) {
                ((CookieOption) o).getServerCookie().ifPresent(c -> serverCookie = c);
            }
        }
        boolean ok = r.getRcode() == Rcode.NOERROR && r.getSection(Section.ANSWER).stream()
                .anyMatch(rec -> rec instanceof ARecord a && a.getAddress().getHostAddress().equals(expected));
        if (ok) {
            answered++;
        } else {
            wrong++;
            lastProblem = "wrong answer: rcode " + Rcode.string(r.getRcode()) + ", " + r.getSection(Section.ANSWER);
        }
        return ok;
    }

    private static Optional<Message> parse(byte[] wire) {
        try {
            return Optional.of(new Message(wire));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        udp.close();
    }
}
