package dev.tendril.protocol.message;

/** A named port of a service instance, as published in SRV records: {@code _<name>._<protocol>}. */
public record ServicePort(String name, String protocol, int port) {
    public ServicePort {
        Names.requireDnsLabel("port name", name);
        if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
            throw new IllegalArgumentException("port protocol must be tcp or udp, got '" + protocol + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535], got " + port);
        }
    }
}
