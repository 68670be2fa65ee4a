package dev.tendril.edge.monitoring.latency;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One user of one hosted service, as the kernel sees it: the remote address of TCP
 * connections to a local service port, inside one network namespace. Two clients with the
 * same address in different namespaces (two containers, two emulated hosts) are two users.
 *
 * @param namespace network namespace inode number (what {@code stat -L -c %i /proc/PID/ns/net}
 *                  or {@code stat -L -c %i /run/netns/NAME} prints)
 * @param address   the client address; IPv4 clients of dual-stack sockets appear as IPv4
 * @param port      the local (service) port
 */
public record UserKey(long namespace, InetAddress address, int port) {
    public UserKey {
        Objects.requireNonNull(address, "address");
        if (namespace < 0 || namespace > 0xffff_ffffL) {
            throw new IllegalArgumentException("namespace must be an unsigned 32-bit inode number: " + namespace);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }

    @Override
    public String toString() {
        return "netns:" + namespace + "/" + address.getHostAddress() + "->:" + port;
    }
}
