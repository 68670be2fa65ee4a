package dev.tendril.root.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback client address whose route carries a locked 552-byte MTU: it stands for a path
 * MTU the kernel learnt from an ICMP "fragmentation needed" (a forged one included), so a
 * sender that follows path MTUs fragments anything longer to it. {@link #fragmentsCreated()}
 * reads the kernel's own count; {@link #close()} removes the route. Needs root and iproute2
 * (both there in CI). One address per test class, so that classes never share a route.
 */
public final class SmallMtuRoute implements AutoCloseable {
    /** The route's MTU: Linux's least path MTU (net.ipv4.route.min_pmtu). */
    public static final int MTU = 552;
    private final String address;

    private SmallMtuRoute(String address) {
        this.address = address;
    }

    /** Adds the route to {@code address} (in 127.0.0.0/8, so a client can bind it), after removing a killed run's. */
    public static SmallMtuRoute to(String address) throws IOException, InterruptedException {
        ip("route", "del", "local", address + "/32", "dev", "lo", "table", "local"); // absent: fails, fine
        String failed = ip("route", "add", "local", address + "/32", "dev", "lo", "mtu", "lock", Integer.toString(MTU),
                "table", "local");
        if (failed != null) {
            throw new IllegalStateException("ip route add for " + address + " failed (root and iproute2 needed): " + failed);
        }
        return new SmallMtuRoute(address);
    }

    public InetAddress address() throws IOException {
        return InetAddress.getByName(address);
    }

    /** A UDP client bound to the address, receiving with a 5 s timeout. */
    public DatagramSocket client() throws IOException {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(address(), 0));
        c.setSoTimeout(5000);
        return c;
    }

    /**
     * How many fragments a plain socket (the kernel's default, path MTU discovery) makes of
     * {@code length} bytes sent to {@code client}: more than 0 proves the route is in force.
     */
    public long fragmentsOfAPlainSocket(DatagramSocket client, int length) throws IOException {
        try (DatagramSocket plain = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            long before = fragmentsCreated();
            plain.send(new DatagramPacket(new byte[length], length, address(), client.getLocalPort()));
            client.receive(new DatagramPacket(new byte[65535], 65535));
            return fragmentsCreated() - before;
        }
    }

    /** The host's count of IPv4 fragments created (/proc/net/snmp, Ip: FragCreates). */
    public static long fragmentsCreated() throws IOException {
        List<String> ipLines = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Ip:")).toList();
        List<String> names = List.of(ipLines.get(0).split("\\s+"));
        return Long.parseLong(ipLines.get(1).split("\\s+")[names.indexOf("FragCreates")]);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ip("route", "del", "local", address + "/32", "dev", "lo", "table", "local");
    }

    /** Runs ip with {@code args}: null when it succeeded, else its output. */
    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? null : out.strip();
    }
}
