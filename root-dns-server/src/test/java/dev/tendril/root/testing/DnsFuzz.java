package dev.tendril.root.testing;

import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates random and mutated DNS messages: random bytes, bit flips, truncations, huge
 * section counts, compression loops and forward pointers, bad label lengths and label
 * types, bad EDNS (bad ECS family/prefix/address, option lengths that overrun, several OPT
 * records), random opcodes/flags/classes/types, and responses. Deterministic per seed.
 */
public final class DnsFuzz {
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.SOA, Type.NS, Type.ANY, Type.TXT, Type.MX,
        Type.AXFR, Type.IXFR, Type.OPT, 0, 65535};
    private final SplittableRandom rnd;
    private final String zone;

    public DnsFuzz(long seed, String zone) {
        this.rnd = new SplittableRandom(seed);
        this.zone = zone;
    }

    public byte[] next() {
        try {
            return switch (rnd.nextInt(12)) {
                case 0 -> randomBytes(rnd.nextInt(0, 700));
                case 1 -> flip(validQuery());
                case 2 -> truncate(validQuery());
                case 3 -> hugeCounts(validQuery());
                case 4 -> compressionLoop();
                case 5 -> badLabels();
                case 6 -> badEdns();
                case 7 -> oddHeader(validQuery());
                case 8 -> badRdLength(validQueryWithEcs());
                case 9 -> response(validQuery());
                case 10 -> flip(validQueryWithEcs());
                default -> validQuery();
            };
        } catch (Exception e) {
            throw new IllegalStateException("fuzz generator bug", e);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private String randomName() {
        String[] heads = {"web.", "_http._tcp.web.", "fra1.nodes.", "", "nope.", "a.b.c.web.", "nodes.", "many."};
        String head = heads[rnd.nextInt(heads.length)];
        return rnd.nextInt(10) == 0 ? "www.example.com." : head + zone;
    }

    public byte[] validQuery() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(randomName()), TYPES[rnd.nextInt(TYPES.length)], DClass.IN));
        q.getHeader().setID(rnd.nextInt(65536));
        if (rnd.nextBoolean()) {
            q.addRecord(new OPTRecord(rnd.nextInt(0, 5000), 0, 0, 0, new NSIDOption(new byte[0])), Section.ADDITIONAL);
        }
        return q.toWire();
    }

    private byte[] validQueryWithEcs() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(randomName()), Type.A, DClass.IN));
        int prefix = rnd.nextInt(0, 33);
        InetAddress a = InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) rnd.nextInt(12), 0});
        a = dev.tendril.protocol.net.Cidr.of(a, prefix).networkAddress();
        q.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(prefix, a)), Section.ADDITIONAL);
        return q.toWire();
    }

    private byte[] flip(byte[] m) {
        int n = rnd.nextInt(1, 9);
        for (int i = 0; i < n; i++) {
            int at = rnd.nextInt(m.length);
            m[at] = rnd.nextBoolean() ? (byte) rnd.nextInt(256) : (byte) (m[at] ^ (1 << rnd.nextInt(8)));
        }
        return m;
    }

    private byte[] truncate(byte[] m) {
        return Arrays.copyOf(m, rnd.nextInt(0, m.length));
    }

    private byte[] hugeCounts(byte[] m) {
        for (int i = 4; i < 12; i += 2) {
            if (rnd.nextBoolean()) {
                int c = rnd.nextBoolean() ? 65535 : rnd.nextInt(65536);
                m[i] = (byte) (c >> 8);
                m[i + 1] = (byte) c;
            }
        }
        return m;
    }

    private byte[] header(int qd, int an, int ns, int ar) {
        int id = rnd.nextInt(65536);
        return new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, 0, (byte) qd, 0, (byte) an, 0, (byte) ns, 0, (byte) ar};
    }

    private byte[] compressionLoop() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(1, rnd.nextInt(2), 0, 0));
        switch (rnd.nextInt(4)) {
            case 0 -> out.writeBytes(new byte[] {(byte) 0xC0, 12}); // points to itself
            case 1 -> out.writeBytes(new byte[] {3, 'w', 'e', 'b', (byte) 0xC0, 12}); // label then back to its start
            case 2 -> out.writeBytes(new byte[] {(byte) 0xC0, 14, (byte) 0xC0, 12}); // two pointers to each other
            default -> out.writeBytes(new byte[] {(byte) 0xC0, (byte) rnd.nextInt(256)}); // anywhere, maybe past the end
        }
        out.writeBytes(new byte[] {0, 1, 0, 1});
        if (rnd.nextBoolean()) { // an answer whose name loops too
            out.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 1, 2, 3, 4});
        }
        return out.toByteArray();
    }

    private byte[] badLabels() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(1, 0, 0, 0));
        int labels = rnd.nextInt(1, 140);
        for (int i = 0; i < labels; i++) {
            int len = switch (rnd.nextInt(4)) {
                case 0 -> 63;
                case 1 -> 0x40 | rnd.nextInt(64); // extended label type
                case 2 -> 0x80 | rnd.nextInt(64); // reserved label type
                default -> rnd.nextInt(1, 64);
            };
            out.write(len);
            out.writeBytes(randomBytes(Math.min(len & 0x3f, rnd.nextInt(0, 70))));
        }
        if (rnd.nextBoolean()) {
            out.write(0);
            out.writeBytes(new byte[] {0, 1, 0, 1});
        }
        return out.toByteArray();
    }

    private byte[] badEdns() throws Exception {
        byte[] base = Message.newQuery(Record.newRecord(Name.fromString("web." + zone), Type.A, DClass.IN)).toWire();
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        int nOpts = rnd.nextInt(1, 4);
        for (int i = 0; i < nOpts; i++) {
            int code = rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : (rnd.nextBoolean() ? EDNSOption.Code.CLIENT_SUBNET : EDNSOption.Code.NSID);
            byte[] data;
            if (code == EDNSOption.Code.CLIENT_SUBNET) {
                int addrLen = rnd.nextInt(0, 20);
                data = new byte[4 + addrLen];
                data[1] = (byte) rnd.nextInt(0, 4); // family 0..3
                data[2] = (byte) rnd.nextInt(256); // source prefix, often > 32/128
                data[3] = (byte) rnd.nextInt(256); // scope
                System.arraycopy(randomBytes(addrLen), 0, data, 4, addrLen);
            } else {
                data = randomBytes(rnd.nextInt(0, 40));
            }
            int declared = rnd.nextInt(5) == 0 ? rnd.nextInt(65536) : data.length; // sometimes overruns
            opts.writeBytes(new byte[] {(byte) (code >> 8), (byte) code, (byte) (declared >> 8), (byte) declared});
            opts.writeBytes(data);
        }
        byte[] rdata = opts.toByteArray();
        int optCount = rnd.nextInt(5) == 0 ? 2 : 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(base);
        for (int i = 0; i < optCount; i++) {
            int rdlen = rnd.nextInt(6) == 0 ? rnd.nextInt(65536) : rdata.length;
            out.writeBytes(new byte[] {0, 0, 41, (byte) rnd.nextInt(256), (byte) rnd.nextInt(256), 0,
                (byte) (rnd.nextInt(4) == 0 ? 1 : 0), 0, 0, (byte) (rdlen >> 8), (byte) rdlen});
            out.writeBytes(rdata);
        }
        byte[] m = out.toByteArray();
        m[11] = (byte) optCount;
        return m;
    }

    private byte[] oddHeader(byte[] m) {
        m[2] = (byte) (rnd.nextInt(256) & 0x7f);
        m[3] = (byte) rnd.nextInt(256);
        if (rnd.nextBoolean() && m.length > 12) { // class
            m[m.length - 1] = (byte) rnd.nextInt(256);
        }
        return m;
    }

    private byte[] badRdLength(byte[] m) {
        int at = m.length - 1 - 7 - 4 - 2; // rdlength of the OPT record (ECS for IPv4 /0-/32 varies; near enough)
        if (at > 12) {
            m[at] = (byte) rnd.nextInt(256);
            m[at + 1] = (byte) rnd.nextInt(256);
        }
        return m;
    }

    private byte[] response(byte[] m) {
        m[2] |= (byte) 0x80;
        return rnd.nextBoolean() ? m : Arrays.copyOf(m, rnd.nextInt(0, 12));
    }
}
