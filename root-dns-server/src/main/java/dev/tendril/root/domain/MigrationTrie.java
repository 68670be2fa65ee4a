package dev.tendril.root.domain;

import dev.tendril.protocol.net.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An immutable binary trie of migration records for one address family, keyed by the
 * network bits of each record's subnet. A change copies only the path from the root to the
 * record (at most 33 or 129 nodes), so writers publish a new trie per change and readers
 * never lock. Each node knows the latest expiry in its subtree, so expired records cost
 * nothing at query time even before they are purged.
 */
final class MigrationTrie {
    /** What a client matched: the record that applies (or null) and the narrowest scope the answer needs. */
    record Match(MigrationEntry record, int minScope) {
    }

    private static final class Node {
        final Node zero;
        final Node one;
        final MigrationEntry record;
        final long maxExpiry;

        Node(Node zero, Node one, MigrationEntry record) {
            this.zero = zero;
            this.one = one;
            this.record = record;
            long m = record == null ? Long.MIN_VALUE : record.expiresAtMillis();
            m = zero == null ? m : Math.max(m, zero.maxExpiry);
            this.maxExpiry = one == null ? m : Math.max(m, one.maxExpiry);
        }

        Node child(int bit) {
            return bit == 0 ? zero : one;
        }

        Node withChild(int bit, Node c) {
            Node z = bit == 0 ? c : zero;
            Node o = bit == 0 ? one : c;
            return z == null && o == null && record == null ? null : new Node(z, o, record);
        }

        Node withRecord(MigrationEntry r) {
            return zero == null && one == null && r == null ? null : new Node(zero, one, r);
        }
    }

    static final MigrationTrie EMPTY_V4 = new MigrationTrie(null, 32);
    static final MigrationTrie EMPTY_V6 = new MigrationTrie(null, 128);

    private final Node root;
    private final int bits;

    private MigrationTrie(Node root, int bits) {
        this.root = root;
        this.bits = bits;
    }

    boolean isEmpty() {
        return root == null;
    }

    MigrationTrie put(MigrationEntry m) {
        return new MigrationTrie(set(root, m.clients().networkBytes(), 0, m.clients().prefixLength(), m), bits);
    }

    MigrationTrie remove(Cidr clients) {
        return new MigrationTrie(set(root, clients.networkBytes(), 0, clients.prefixLength(), null), bits);
    }

    private static Node set(Node n, byte[] key, int depth, int prefix, MigrationEntry m) {
        if (depth == prefix) {
            return n == null ? (m == null ? null : new Node(null, null, m)) : n.withRecord(m);
        }
        int bit = bit(key, depth);
        Node child = set(n == null ? null : n.child(bit), key, depth + 1, prefix, m);
        if (n == null) {
            return child == null ? null : new Node(null, null, null).withChild(bit, child);
        }
        return n.withChild(bit, child);
    }

    /** The record stored for exactly this subnet, or null. */
    MigrationEntry get(Cidr clients) {
        byte[] key = clients.networkBytes();
        Node n = root;
        for (int d = 0; n != null && d < clients.prefixLength(); d++) {
            n = n.child(bit(key, d));
        }
        return n == null ? null : n.record;
    }

    /**
     * Matches a client network ({@code address} with {@code sourcePrefix} bits significant;
     * a single address is its full-length prefix). The record that applies is the most
     * specific record containing the whole client network that is unexpired at {@code now}
     * and whose target is live. {@code minScope} is the shortest prefix P such that the
     * network of {@code address}/P holds no other record that could answer differently
     * (a more specific unexpired record, on or off the client's path): a scope at least this
     * long never covers a subnet that another record redirects.
     */
    Match match(byte[] address, int sourcePrefix, long now, Predicate<String> liveTarget) {
        MigrationEntry best = null;
        int lastBad = -1;
        Node n = root;
        for (int d = 0; n != null; d++) {
            MigrationEntry r = n.record;
            if (r != null && r.isLiveAt(now) && liveTarget.test(r.targetNodeId())) {
                if (d <= sourcePrefix) {
                    best = r;
                } else {
                    lastBad = d;
                }
            }
            if (d == bits) {
                break;
            }
            int bit = bit(address, d);
            Node off = n.child(1 - bit);
            if (off != null && off.maxExpiry > now) {
                lastBad = d;
            }
            n = n.child(bit);
        }
        return new Match(best, lastBad + 1);
    }

    /** Every record, expired or not. */
    List<MigrationEntry> all() {
        List<MigrationEntry> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Node n, List<MigrationEntry> out) {
        if (n != null) {
            if (n.record != null) {
                out.add(n.record);
            }
            collect(n.zero, out);
            collect(n.one, out);
        }
    }

    private static int bit(byte[] key, int i) {
        return (key[i >>> 3] >>> (7 - (i & 7))) & 1;
    }
}
