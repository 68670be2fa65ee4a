package dev.tendril.cli;

import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of valid DNS queries, one packet per {@link #next()}: bit flips,
 * truncation, huge section counts, broken label lengths, compression pointers that loop or
 * point outside, OPT records with garbage EDNS options (ECS, cookies, unknown codes, lengths
 * beyond the record), random header flags and opcodes, spliced and random bytes, several
 * questions, oversized packets. The same seed gives the same packets.
 */
final class DnsMutator {
    static final int KINDS = 12;
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.TXT, Type.SOA, Type.NS, Type.ANY, Type.AXFR,
            Type.IXFR, Type.CAA, Type.MX, Type.PTR, 0, 65535};

    private final SplittableRandom random;
    private final List<byte[]> seeds = new ArrayList<>();
    private final long[] byKind = new long[KINDS];

    DnsMutator(String zone, long seed) {
        this.random = new SplittableRandom(seed);
        String[] names = {"web." + zone + ".", "_http._tcp.web." + zone + ".", zone + ".", "nosuch." + zone + ".",
                "example.com.", "a.very.long.name.with.many.labels.below.web." + zone + "."};
        try {
            for (String n : names) {
                for (int type : TYPES) {
                    for (int edns = 0; edns < 6; edns++) {
                        seeds.add(query(Name.fromString(n), type, edns));
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid query; {@code edns}: 0 none, 1 plain OPT, 2 ECS v4, 3 ECS v6, 4 client cookie, 5 cookie + NSID. */
    private byte[] query(Name name, int type, int edns) throws UnknownHostException {
        Message m = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        m.getHeader().setID(random.nextInt(65536));
        m.getHeader().unsetFlag(Flags.RD);
        List<EDNSOption> options = new ArrayList<>();
        switch (edns) {
            case 2 -> options.add(new ClientSubnetOption(24, InetAddress.getByName("198.51.100.0")));
            case 3 -> options.add(new ClientSubnetOption(48, InetAddress.getByName("2001:db8:1::")));
            case 4 -> options.add(new CookieOption(bytes(8)));
            case 5 -> {
                options.add(new CookieOption(bytes(8), bytes(16)));
                options.add(new NSIDOption(new byte[0]));
            }
            default -> { }
        }
        if (edns > 0) {
            m.addRecord(new OPTRecord(1232, 0, 0, 0, options), org.xbill.DNS.Section.ADDITIONAL);
        }
        return m.toWire();
    }

    /** The next mutated packet. */
    byte[] next() {
        byte[] p = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1;
        for (int i = 0; i < rounds; i++) {
            int kind = random.nextInt(KINDS);
            byKind[kind]++;
            p = mutate(p, kind);
        }
        // rounds compound (an oversized packet with its question repeated 40 times, a splice of a
        // splice): cut to what one IPv4 UDP datagram (and a DNS-over-TCP message) can carry, or the
        // fuzzer's own send fails ("Message too long", FuzzSmokeIT, seed-dependent)
        return p.length > MAX_DATAGRAM ? Arrays.copyOf(p, MAX_DATAGRAM) : p;
    }

    /** The largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
    static final int MAX_DATAGRAM = 65_507;

    /** How many mutations of each kind were applied so far. */
    long[] byKind() {
        return byKind.clone();
    }

    private byte[] mutate(byte[] p, int kind) {
        return switch (kind) {
            case 0 -> flipBits(p);
            case 1 -> Arrays.copyOf(p, random.nextInt(p.length + 1));
            case 2 -> hugeCount(p);
            case 3 -> labelLength(p);
            case 4 -> pointer(p);
            case 5 -> ednsGarbage(p);
            case 6 -> bytes(random.nextInt(600));
            case 7 -> header(p);
            case 8 -> splice(p);
            case 9 -> questions(p);
            case 10 -> oversized(p);
            default -> typeAndClass(p);
        };
    }

    private byte[] flipBits(byte[] p) {
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n && p.length > 0; i++) {
            p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return p;
    }

    private byte[] hugeCount(byte[] p) {
        if (p.length >= 12) {
            int at = 4 + 2 * random.nextInt(4);
            int v = random.nextBoolean() ? 0xffff : random.nextInt(65536);
            p[at] = (byte) (v >>> 8);
            p[at + 1] = (byte) v;
        }
        return p;
    }

    /** Rewrites one label length byte of the question name. */
    private byte[] labelLength(byte[] p) {
        List<Integer> at = new ArrayList<>();
        for (int i = 12; i < p.length && (p[i] & 0xff) != 0 && at.size() < 20; i += (p[i] & 0xff) + 1) {
            at.add(i);
        }
        if (!at.isEmpty()) {
            int i = at.get(random.nextInt(at.size()));
            p[i] = (byte) switch (random.nextInt(4)) {
                case 0 -> 63;
                case 1 -> 64 + random.nextInt(128); // the reserved label types 01 and 10
                case 2 -> 0xff;
                default -> random.nextInt(256);
            };
        }
        return p;
    }

    /** Replaces the question name by a compression pointer: to itself, forward, outside, or a two-step loop. */
    private byte[] pointer(byte[] p) {
        if (p.length < 12) {
            return p;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, 12);
        switch (random.nextInt(5)) {
            case 0 -> { // self loop at offset 12
                out.write(0xc0);
                out.write(12);
            }
            case 1 -> { // two labels whose pointers point at each other
                out.write(1);
                out.write('a');
                out.write(0xc0);
                out.write(17);
                out.write(1);
                out.write('b');
                out.write(0xc0);
                out.write(12);
            }
            case 2 -> { // beyond the packet
                out.write(0xff);
                out.write(0xff);
            }
            case 3 -> { // forward pointer into the type/class bytes
                out.write(0xc0);
                out.write(14);
            }
            default -> { // a chain of 31 pointers inside one label, each to the one before, named by a second question
                int k = 31;
                out.write(2 * k);
                for (int i = 0; i < k; i++) {
                    int target = i == 0 ? 12 : 13 + 2 * (i - 1);
                    out.write(0xc0);
                    out.write(target);
                }
                out.write(0);
                out.writeBytes(new byte[] {0, 1, 0, 1});
                out.write(0xc0);
                out.write(13 + 2 * (k - 1));
                out.writeBytes(new byte[] {0, 1, 0, 1});
                byte[] q = out.toByteArray();
                q[4] = 0;
                q[5] = 2;
                return q;
            }
        }
        out.write(0);
        out.write(random.nextInt(256));
        out.write(0);
        out.write(1);
        byte[] q = out.toByteArray();
        q[4] = 0;
        q[5] = 1;
        return q;
    }

    /** Appends an OPT record built by hand with garbage options; the additional count says 1 or 2. */
    private byte[] ednsGarbage(byte[] p) {
        if (p.length < 12) {
            return p;
        }
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        int options = random.nextInt(5);
        for (int i = 0; i < options; i++) {
            int code = switch (random.nextInt(5)) {
                case 0, 1 -> 8; // ECS
                case 2, 3 -> 10; // cookie
                default -> random.nextInt(65536);
            };
            byte[] body;
            if (code == 8) {
                int addressBytes = random.nextInt(21);
                body = new byte[4 + addressBytes];
                body[1] = (byte) random.nextInt(4); // family 0..3
                body[2] = (byte) (random.nextBoolean() ? random.nextInt(256) : random.nextInt(33));
                body[3] = (byte) random.nextInt(256);
                for (int b = 4; b < body.length; b++) {
                    body[b] = (byte) random.nextInt(256);
                }
            } else {
                body = bytes(code == 10 ? random.nextInt(49) : random.nextInt(64));
            }
            int declared = random.nextInt(6) == 0 ? body.length + 1 + random.nextInt(300) : body.length;
            rdata.write(code >>> 8);
            rdata.write(code);
            rdata.write(declared >>> 8);
            rdata.write(declared);
            rdata.writeBytes(body);
        }
        byte[] rd = rdata.toByteArray();
        int rdLength = random.nextInt(6) == 0 ? random.nextInt(65536) : rd.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(p);
        out.write(random.nextInt(10) == 0 ? 1 : 0); // a non-root owner name now and then
        if (out.size() > p.length && out.toByteArray()[p.length] == 1) {
            out.write('x');
            out.write(0);
        }
        out.write(0);
        out.write(41);
        int udp = random.nextBoolean() ? 512 + random.nextInt(4000) : random.nextInt(65536);
        out.write(udp >>> 8);
        out.write(udp);
        out.writeBytes(random.nextInt(4) == 0 ? bytes(4) : new byte[4]); // extended rcode, version, DO
        out.write(rdLength >>> 8);
        out.write(rdLength);
        out.writeBytes(rd);
        byte[] q = out.toByteArray();
        int additional = random.nextInt(5) == 0 ? 2 : 1;
        q[10] = 0;
        q[11] = (byte) additional;
        return q;
    }

    private byte[] header(byte[] p) {
        if (p.length >= 4) {
            p[2] = (byte) random.nextInt(256); // QR, opcode, AA, TC, RD
            p[3] = (byte) random.nextInt(256); // RA, Z, AD, CD, rcode
        }
        return p;
    }

    private byte[] splice(byte[] p) {
        int at = random.nextInt(p.length + 1);
        byte[] insert = random.nextBoolean() ? bytes(1 + random.nextInt(40))
                : Arrays.copyOfRange(p, random.nextInt(p.length + 1), p.length);
        byte[] q = new byte[p.length + insert.length];
        System.arraycopy(p, 0, q, 0, at);
        System.arraycopy(insert, 0, q, at, insert.length);
        System.arraycopy(p, at, q, at + insert.length, p.length - at);
        return q;
    }

    /** The question repeated 2..40 times with the count to match (or not). */
    private byte[] questions(byte[] p) {
        int end = 12;
        while (end < p.length && (p[end] & 0xff) != 0 && (p[end] & 0xc0) == 0) {
            end += (p[end] & 0xff) + 1;
        }
        end = Math.min(p.length, end + 5);
        if (end <= 12) {
            return p;
        }
        int n = 2 + random.nextInt(39);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, 12);
        for (int i = 0; i < n; i++) {
            out.write(p, 12, end - 12);
        }
        byte[] q = out.toByteArray();
        int count = random.nextBoolean() ? n : random.nextInt(65536);
        q[4] = (byte) (count >>> 8);
        q[5] = (byte) count;
        q[6] = q[7] = q[8] = q[9] = q[10] = q[11] = 0;
        return q;
    }

    private byte[] oversized(byte[] p) {
        int size = random.nextInt(20) == 0 ? 4096 + random.nextInt(12_000) : 513 + random.nextInt(3500);
        byte[] q = Arrays.copyOf(p, Math.max(p.length, size));
        for (int i = p.length; i < q.length; i++) {
            q[i] = (byte) random.nextInt(256);
        }
        return q;
    }

    private byte[] typeAndClass(byte[] p) {
        int end = 12;
        while (end < p.length && (p[end] & 0xff) != 0 && (p[end] & 0xc0) == 0) {
            end += (p[end] & 0xff) + 1;
        }
        if (end + 5 <= p.length) {
            int type = random.nextBoolean() ? TYPES[random.nextInt(TYPES.length)] : random.nextInt(65536);
            int dclass = random.nextInt(3) == 0 ? random.nextInt(65536) : random.nextBoolean() ? DClass.ANY : DClass.CH;
            p[end + 1] = (byte) (type >>> 8);
            p[end + 2] = (byte) type;
            p[end + 3] = (byte) (dclass >>> 8);
            p[end + 4] = (byte) dclass;
        }
        return p;
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    SplittableRandom random() {
        return random;
    }
}
