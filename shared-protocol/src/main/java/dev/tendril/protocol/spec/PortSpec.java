package dev.tendril.protocol.spec;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.ServicePort;

/** A port of a service: published on the host as {@code hostPort}, served in the container on {@code containerPort}. */
public record PortSpec(String name, String protocol, int containerPort, int hostPort) {
    public PortSpec {
        Names.requireDnsLabel("port name", name);
        if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
            throw new IllegalArgumentException("port protocol must be tcp or udp, got '" + protocol + "'");
        }
        if (containerPort < 1 || containerPort > 65535 || hostPort < 1 || hostPort > 65535) {
            throw new IllegalArgumentException("ports must be in [1, 65535], got " + containerPort + "/" + hostPort);
        }
    }

    /** The port as clients see it (SRV records): the host port. */
    public ServicePort toServicePort() {
        return new ServicePort(name, protocol, hostPort);
    }
}
