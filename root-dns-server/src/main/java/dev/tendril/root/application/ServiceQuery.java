package dev.tendril.root.application;

import dev.tendril.protocol.net.Cidr;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One question, free of DNS wire types.
 *
 * @param zone         the served zone the name fell into (as configured, e.g. "svc.example.edge.")
 * @param labels       the name relative to the zone, leftmost label first, lower case; empty at the apex
 * @param type         what is asked for
 * @param source       the address the query came from
 * @param clientSubnet the EDNS Client Subnet of the query, when it had one
 */
public record ServiceQuery(String zone, List<String> labels, QueryType type, InetAddress source, Optional<Cidr> clientSubnet) {
    public ServiceQuery {
        Objects.requireNonNull(zone, "zone");
        labels = List.copyOf(labels);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(clientSubnet, "clientSubnet");
    }

    /** The client as a network: the ECS subnet when given, else the source address alone. */
    public Cidr client() {
        return clientSubnet.orElseGet(() -> Cidr.of(source, source.getAddress().length * 8));
    }
}
