package dev.tendril.protocol.message;

import dev.tendril.protocol.geo.GeoPoint;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One instance of a service as the root knows it: the platform's id (a DNS label, it names
 * {@code <nodeId>.nodes.<zone>}), its public address (IPv4 or IPv6 literal), its position,
 * the service's ports on it, and the port of its overlay (tree) socket.
 */
public record NodeInfo(String nodeId, String address, GeoPoint position, List<ServicePort> ports, int overlayPort) {
    public NodeInfo {
        Names.requireDnsLabel("node id", nodeId);
        Objects.requireNonNull(position, "position");
        if (address == null || !isIpLiteral(address)) {
            throw new IllegalArgumentException("node address must be an IPv4 or IPv6 literal, got '" + address + "'");
        }
        ports = List.copyOf(ports);
        if (overlayPort < 0 || overlayPort > 65535) {
            throw new IllegalArgumentException("overlay port must be in [0, 65535], got " + overlayPort);
        }
    }

    /** Parses the address literal (never a DNS lookup: the constructor only admits literals). */
    public InetAddress inetAddress() {
        try {
            return InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("validated literal did not parse: " + address, e);
        }
    }

    static boolean isIpLiteral(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return false;
        }
        if (s.indexOf(':') >= 0) {
            if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
            try {
                InetAddress.getByName(s); // a string with ':' is parsed as a literal, never looked up
                return true;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
