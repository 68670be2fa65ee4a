package dev.tendril.edge.domain;

import java.util.Optional;

/** A TCP endpoint "host:port" ("[v6]:port" for IPv6); port 0 on a bind address means any free port. */
public record Endpoint(String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("endpoint host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("endpoint port must be in [0, 65535], got " + port);
        }
    }

    /** Parses "host:port", "[v6]:port" or "tcp://host:port". */
    public static Optional<Endpoint> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.startsWith("tcp://") ? text.substring(6) : text;
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            return Optional.empty();
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            return Optional.empty();
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_*-]+")) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(t.substring(colon + 1));
            return port < 0 || port > 65535 ? Optional.empty() : Optional.of(new Endpoint(host, port));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The ZeroMQ form: tcp://host:port. */
    public String zmq() {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public Endpoint withPort(int newPort) {
        return new Endpoint(host, newPort);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
