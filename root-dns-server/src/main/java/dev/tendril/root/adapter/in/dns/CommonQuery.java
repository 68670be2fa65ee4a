package dev.tendril.root.adapter.in.dns;

import java.net.InetAddress;

/**
 * The common query shape, recognised from the raw bytes before dnsjava parses anything: a
 * standard query (opcode 0, QR clear) with one question of class IN and type A or AAAA, an
 * uncompressed name of at most 255 bytes, no answer or authority records, and either nothing
 * else or one OPT record (EDNS version 0) whose only option is one well-formed Client Subnet
 * (RFC 7871: family 1 or 2, source prefix within the family, scope 0, exactly the address
 * bytes the prefix needs, host bits clear). No trailing bytes. Anything else (TSIG, cookies,
 * NSID, padding, several options, other types or classes) is not this shape: the caller falls
 * back to dnsjava, which stays the parser and writer of everything else.
 *
 * <p>Everything in such a query that its answer depends on is in {@link #key()}: the bytes
 * after the id with RD cleared and the name folded to lower case, plus the source address when
 * there is no ECS option (then the source is the client). The id, RD and the case of the name
 * are patched into a cached answer by {@link #patch}.
 */
final class CommonQuery {
    static final int TYPE_A = 1;
    static final int TYPE_AAAA = 28;
    private static final int TYPE_OPT = 41;
    private static final int OPTION_ECS = 8;

    private final byte[] key;
    private final int hash;
    private final int nameEnd;
    private final int answerHash;
    private final int type;
    private final boolean ecs;

    private CommonQuery(byte[] key, int nameEnd, int answerHash, int type, boolean ecs) {
        this.key = key;
        this.hash = java.util.Arrays.hashCode(key);
        this.nameEnd = nameEnd;
        this.answerHash = answerHash;
        this.type = type;
        this.ecs = ecs;
    }

    /** The common shape of {@code wire} from {@code source}, or null when it is anything else. */
    static CommonQuery parse(byte[] wire, InetAddress source) {
        int n = wire.length;
        if (n < 12 + 1 + 4 || (wire[2] & 0xF8) != 0 // QR and opcode 0
                || u16(wire, 4) != 1 || u16(wire, 6) != 0 || u16(wire, 8) != 0 || u16(wire, 10) > 1) {
            return null;
        }
        int p = 12;
        int nameHash = 0;
        while (true) {
            if (p >= n) {
                return null;
            }
            int len = wire[p] & 0xFF;
            if (len == 0) {
                p++;
                break;
            }
            if (len > 63 || p + 1 + len >= n) {
                return null; // a compression pointer, a reserved label type, or cut short
            }
            nameHash = 31 * nameHash + len;
            for (int i = p + 1; i <= p + len; i++) {
                nameHash = 31 * nameHash + lower(wire[i]);
            }
            p += 1 + len;
        }
        int nameEnd = p;
        if (nameEnd - 12 > 255 || p + 4 > n) {
            return null;
        }
        int type = u16(wire, p);
        if ((type != TYPE_A && type != TYPE_AAAA) || u16(wire, p + 2) != 1) {
            return null;
        }
        p += 4;
        boolean hasEcs = false;
        if (u16(wire, 10) == 1) {
            // OPT: root name, type 41, class = payload size, TTL = ext rcode, version, flags
            if (p + 11 > n || wire[p] != 0 || u16(wire, p + 1) != TYPE_OPT || wire[p + 6] != 0) {
                return null;
            }
            int rdlength = u16(wire, p + 9);
            p += 11;
            if (p + rdlength != n) {
                return null;
            }
            if (rdlength > 0) {
                if (!validEcs(wire, p, n)) {
                    return null;
                }
                hasEcs = true;
            }
        } else if (p != n) {
            return null;
        }
        byte[] address = hasEcs ? null : source.getAddress(); // a copy each call: read once
        int srcLen = hasEcs ? 0 : address.length;
        byte[] key = new byte[n - 2 + srcLen + (hasEcs ? 0 : 1)];
        System.arraycopy(wire, 2, key, 0, n - 2);
        key[0] &= (byte) 0xFE; // RD is patched, not keyed
        for (int i = 12 - 2; i < nameEnd - 2; i++) {
            key[i] = (byte) lower(key[i]);
        }
        if (!hasEcs) {
            System.arraycopy(address, 0, key, n - 2, address.length);
            key[key.length - 1] = (byte) address.length; // a marker: no ECS, the source is the client
        }
        return new CommonQuery(key, nameEnd, nameHash * 31 + type, type, hasEcs);
    }

    /** Exactly one option, a well-formed Client Subnet with scope 0, filling [p, end). */
    private static boolean validEcs(byte[] w, int p, int end) {
        if (p + 8 > end || u16(w, p) != OPTION_ECS) {
            return false;
        }
        int len = u16(w, p + 2);
        if (p + 4 + len != end || len < 4) {
            return false;
        }
        int family = u16(w, p + 4);
        int source = w[p + 6] & 0xFF;
        int scope = w[p + 7] & 0xFF;
        int max = family == 1 ? 32 : family == 2 ? 128 : -1;
        if (max < 0 || source > max || scope != 0 || len - 4 != (source + 7) / 8) {
            return false;
        }
        if (source % 8 != 0) {
            int last = w[end - 1] & 0xFF;
            int hostBits = (1 << (8 - source % 8)) - 1;
            return (last & hostBits) == 0;
        }
        return true;
    }

    /**
     * The cached answer {@code cached} (to a query with this key) made the answer to
     * {@code wire}: its id, its RD bit and the name as the query spelled it (the answer's
     * owner names point at the question's name). A new array.
     */
    byte[] patch(byte[] cached, byte[] wire) {
        byte[] out = cached.clone();
        out[0] = wire[0];
        out[1] = wire[1];
        out[2] = (byte) ((out[2] & 0xFE) | (wire[2] & 0x01));
        System.arraycopy(wire, 12, out, 12, nameEnd - 12);
        return out;
    }

    /**
     * The rate limiter's slip for this query, as {@link DnsResponseWriter#truncated} writes it:
     * the id, QR, TC, opcode and RD, the question, no records.
     */
    byte[] truncated(byte[] wire) {
        byte[] out = new byte[nameEnd + 4];
        System.arraycopy(wire, 0, out, 0, out.length);
        out[2] = (byte) (0x80 | 0x02 | (wire[2] & 0x79));
        out[3] = 0;
        out[4] = 0;
        out[5] = 1;
        for (int i = 6; i < 12; i++) {
            out[i] = 0;
        }
        return out;
    }

    /**
     * The rate limiter's hash of a question: name folded to lower case (as wire labels) and
     * type. {@link #answerHashOf} gives the same for a dnsjava name.
     */
    int answerHash() {
        return answerHash;
    }

    /** {@link #answerHash()} of a name in canonical wire form (lower case, uncompressed) and a type. */
    static int answerHashOf(byte[] canonicalName, int type) {
        int h = 0;
        for (int i = 0; i < canonicalName.length - 1; i++) { // the root label's 0 is not hashed
            h = 31 * h + (canonicalName[i] & 0xFF);
        }
        return h * 31 + type;
    }

    byte[] key() {
        return key;
    }

    int hash() {
        return hash;
    }

    int type() {
        return type;
    }

    boolean hasEcs() {
        return ecs;
    }

    private static int lower(byte b) {
        int c = b & 0xFF;
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private static int u16(byte[] w, int at) {
        return (w[at] & 0xFF) << 8 | (w[at + 1] & 0xFF);
    }
}
