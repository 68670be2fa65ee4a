package dev.tendril.root.domain;

import dev.tendril.protocol.net.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The migration records of one service, IPv4 and IPv6 apart. Immutable; a change returns a new table. */
public final class MigrationTable {
    static final MigrationTable EMPTY = new MigrationTable(MigrationTrie.EMPTY_V4, MigrationTrie.EMPTY_V6);

    private final MigrationTrie v4;
    private final MigrationTrie v6;

    private MigrationTable(MigrationTrie v4, MigrationTrie v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    MigrationTable put(MigrationEntry m) {
        return m.clients().isIpv6() ? new MigrationTable(v4, v6.put(m)) : new MigrationTable(v4.put(m), v6);
    }

    MigrationTable remove(Cidr clients) {
        return clients.isIpv6() ? new MigrationTable(v4, v6.remove(clients)) : new MigrationTable(v4.remove(clients), v6);
    }

    /** The record stored for exactly this subnet (expired or not), or null. */
    public MigrationEntry get(Cidr clients) {
        return (clients.isIpv6() ? v6 : v4).get(clients);
    }

    public boolean isEmpty() {
        return v4.isEmpty() && v6.isEmpty();
    }

    /** See {@link MigrationTrie#match}: the client is the network {@code client}. */
    MigrationTrie.Match match(Cidr client, long now, Predicate<String> liveTarget) {
        MigrationTrie trie = client.isIpv6() ? v6 : v4;
        if (trie.isEmpty()) {
            return new MigrationTrie.Match(null, 0);
        }
        return trie.match(client.networkBytes(), client.prefixLength(), now, liveTarget);
    }

    /** Every record, expired or not. */
    public List<MigrationEntry> all() {
        List<MigrationEntry> out = new ArrayList<>(v4.all());
        out.addAll(v6.all());
        return out;
    }
}
