package dev.tendril.root.adapter.in.dns;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent TCP connections, in total and per client address. Memory is bounded by
 * the total cap: only addresses with an open (or just opening) connection have an entry.
 * Called once per accepted and once per closed connection, never per query.
 */
final class TcpAdmission {
    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    TcpAdmission(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** Why a connection was refused, or null when it is admitted (and must be {@link #release}d when it closes). */
    String admit(InetAddress client) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return "all " + maxTotal + " TCP connections in use (dns.tcpMaxConnections)";
        }
        int mine = perClient.merge(client, 1, Integer::sum);
        if (mine > maxPerClient) {
            release(client);
            return maxPerClient + " TCP connections from this address already (dns.tcpMaxConnectionsPerClient)";
        }
        return null;
    }

    void release(InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** Connections open now. */
    int open() {
        return total.get();
    }

    /** Addresses with a connection open now. */
    int clients() {
        return perClient.size();
    }
}
