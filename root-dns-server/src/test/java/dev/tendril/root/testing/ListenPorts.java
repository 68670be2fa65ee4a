package dev.tendril.root.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers under test, taken from below the kernel's ephemeral range
 * ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default), never from it.
 *
 * <p>Why not bind port 0: the kernel hands a client socket with SO_REUSEPORT (dig sets it,
 * and binds port 0) a port that a server's SO_REUSEPORT sockets of the same user already
 * hold. When dig's source port happens to be the DNS server's port, dig's connected socket
 * is the better match for its own query, and dig reads that query back as the "answer"
 * (";; Warning: query response not set"): about one dig in 28,000, seen twice under the full
 * suite. A port the kernel never chooses cannot be shared that way, nor taken by an outgoing
 * connection between choosing it here and the server binding it.
 *
 * <pre>{@code
 * int dnsPort = ListenPorts.free();   // e.g. 23817: free for TCP and UDP on every address
 * }</pre>
 */
public final class ListenPorts {
    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet(); // never twice in one JVM

    private ListenPorts() {
    }

    /**
     * A port that nothing holds for TCP or UDP on the wildcard address right now, below the
     * ephemeral range (above it when that range starts too low to leave room: {@link #span}), not handed out
     * before by this JVM. Another process may still take it before the caller binds it.
     */
    public static int free() {
        int[] span = span(ephemeralRange());
        int from = span[0];
        int to = span[1];
        for (int tries = 0; tries < 500; tries++) {
            int port = ThreadLocalRandom.current().nextInt(from, to + 1);
            if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + from + "-" + to + " after 500 tries");
    }

    /**
     * Where to look: below the ephemeral range, else above it; where neither leaves 1,000 ports
     * (a range of nearly every port), anywhere from {@link #LOWEST}, the collision then possible again.
     */
    static int[] span(int[] ephemeral) {
        if (ephemeral[0] - 1 - LOWEST >= 1_000) {
            return new int[] {LOWEST, ephemeral[0] - 1};
        }
        if (65_535 - (ephemeral[1] + 1) >= 1_000) {
            return new int[] {ephemeral[1] + 1, 65_535};
        }
        return new int[] {LOWEST, 65_535};
    }

    /**
     * Fails when the kernel may give {@code port} to a client socket (it lies in the ephemeral
     * range) although {@link #free} could have chosen one it never gives: the test's server was
     * started on port 0 or a port of its own choosing. The message says what to use instead.
     */
    public static void requireNoClientCanTake(int port) {
        requireNoClientCanTake(port, ephemeralRange());
    }

    static void requireNoClientCanTake(int port, int[] ephemeral) {
        if (clientsMayTake(port, ephemeral) && !clientsMayTake(span(ephemeral)[0], ephemeral)) {
            throw new AssertionError("server port " + port + " lies in the kernel's ephemeral range " + ephemeral[0] + "-"
                    + ephemeral[1] + ", where dig may be handed it as its own source port: start the server on ListenPorts.free()");
        }
    }

    static boolean clientsMayTake(int port, int[] ephemeral) {
        return port >= ephemeral[0] && port <= ephemeral[1];
    }

    private static boolean bindable(int port) {
        try (ServerSocket tcp = new ServerSocket();
             DatagramSocket udp = new DatagramSocket(null)) {
            tcp.setReuseAddress(false);
            tcp.bind(new InetSocketAddress(port));
            udp.setReuseAddress(false);
            udp.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code [low, high]} of net.ipv4.ip_local_port_range; Linux's default where it cannot be read. */
    static int[] ephemeralRange() {
        try {
            String[] v = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(v[0]), Integer.parseInt(v[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }
}
