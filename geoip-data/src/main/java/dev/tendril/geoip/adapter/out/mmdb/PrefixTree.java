package dev.tendril.geoip.adapter.out.mmdb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The binary search tree of an MMDB file while it is built: one bit of the address per
 * level, each child either an inner node, a data record (an index into the writer's
 * record list) or empty ({@code null}).
 *
 * <p>Networks must be inserted in order of increasing prefix length. An inserted network
 * overwrites what a shorter, covering network left there, splitting that leaf on its
 * way down: the most specific network wins.
 */
final class PrefixTree {
    /** An inner node; a child is a {@link Node}, an {@link Integer} record index, or null. */
    static final class Node {
        Object left;
        Object right;

        Node(Object left, Object right) {
            this.left = left;
            this.right = right;
        }

        Object child(int bit) {
            return bit == 0 ? left : right;
        }

        void set(int bit, Object value) {
            if (bit == 0) {
                left = value;
            } else {
                right = value;
            }
        }
    }

    private final int depth;
    private final Node root = new Node(null, null);
    private int lastPrefix;

    /** @param depth 32 for an IPv4 tree, 128 for an IPv6 tree */
    PrefixTree(int depth) {
        this.depth = depth;
    }

    /**
     * Places {@code record} at the network {@code address/prefix} ({@code address} holds
     * depth/8 bytes). Prefix lengths must not decrease from one call to the next.
     */
    void insert(byte[] address, int prefix, int record) {
        if (address.length * 8 != depth || prefix < 0 || prefix > depth) {
            throw new IllegalArgumentException("network does not fit a " + depth + "-bit tree: /" + prefix);
        }
        if (prefix < lastPrefix) {
            throw new IllegalStateException("networks must be inserted shortest prefix first");
        }
        lastPrefix = prefix;
        if (prefix == 0) {
            root.left = record;
            root.right = record;
            return;
        }
        Node node = root;
        for (int i = 0; i < prefix - 1; i++) {
            node = descend(node, bit(address, i));
        }
        int last = bit(address, prefix - 1);
        if (node.child(last) instanceof Node) {
            throw new IllegalStateException("a more specific network was inserted before /" + prefix);
        }
        node.set(last, record);
    }

    /** Merges sibling leaves that hold the same record, bottom up (never the root). */
    void collapse() {
        root.left = collapse(root.left);
        root.right = collapse(root.right);
    }

    private static Object collapse(Object child) {
        if (!(child instanceof Node node)) {
            return child;
        }
        node.left = collapse(node.left);
        node.right = collapse(node.right);
        if (!(node.left instanceof Node) && Objects.equals(node.left, node.right)) {
            return node.left;
        }
        return node;
    }

    /**
     * Makes the IPv4-mapped range {@code ::ffff:0:0/96} lead to the same subtree as the
     * IPv4 range {@code ::/96}, as MaxMind's own databases do, so that readers that look
     * IPv4 addresses up in their mapped form find them. Call after {@link #collapse()}.
     */
    void aliasIpv4Mapped() {
        if (depth != 128) {
            return;
        }
        Node node = root;
        for (int i = 0; i < 95; i++) {
            if (!(node.left instanceof Node next)) {
                return; // ::/96 lies inside a leaf: the mapped range already resolves the same way
            }
            node = next;
        }
        Object ipv4 = node.left;
        if (!(ipv4 instanceof Node)) {
            return;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        node = root;
        for (int i = 0; i < 95; i++) {
            node = descend(node, bit(mapped, i));
        }
        node.set(bit(mapped, 95), ipv4);
    }

    /** Goes one level down, turning a leaf into a node whose two halves keep that leaf. */
    private static Node descend(Node node, int bit) {
        Object child = node.child(bit);
        if (child instanceof Node next) {
            return next;
        }
        Node split = new Node(child, child);
        node.set(bit, split);
        return split;
    }

    static int bit(byte[] address, int index) {
        return (address[index >> 3] >> (7 - (index & 7))) & 1;
    }

    /** The inner nodes in breadth-first order (the root first); each node once, aliases included. */
    List<Node> nodesInOrder() {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> queue = new ArrayDeque<>();
        queue.add(root);
        seen.put(root, Boolean.TRUE);
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            order.add(node);
            for (Object child : new Object[] {node.left, node.right}) {
                if (child instanceof Node next && seen.put(next, Boolean.TRUE) == null) {
                    queue.add(next);
                }
            }
        }
        return order;
    }

    int depth() {
        return depth;
    }
}
