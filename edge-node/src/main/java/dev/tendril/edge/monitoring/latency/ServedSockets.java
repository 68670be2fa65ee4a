package dev.tendril.edge.monitoring.latency;

import dev.tendril.protocol.spec.PortSpec;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which of the sockets the eBPF probe sees are this node's instances serving a user. The
 * probe sees every network namespace of the kernel, and several nodes may share one kernel
 * (the testbed: one node per emulated host, each with its own Docker engine). A socket
 * counts when it is
 * <ul>
 * <li>in the node's own network namespace on a service's host port: process instances, and
 *     Docker's userland proxy (loopback and hairpin traffic);</li>
 * <li>in the network namespace of one of the node's own containers on a service's container
 *     port: Docker's DNAT delivers outside users there, with their own source address.</li>
 * </ul>
 * The containers' namespaces come from a source (the Docker runtime) and are only fetched
 * by {@link #refresh()} (on a timer), never per sampled socket; a failed fetch keeps the
 * last known set. Without procfs (own namespace unknown) every namespace counts.
 */
public final class ServedSockets {
    /** The network namespaces (inode numbers) of this node's running containers; empty when they cannot be told now. */
    @FunctionalInterface
    public interface ContainerNamespaces extends Supplier<Optional<Set<Long>>> {
    }

    private static final long UNKNOWN = -1;
    private final long own;
    private final ContainerNamespaces source;
    private volatile Set<Long> containers = Set.of();

    private ServedSockets(long own, ContainerNamespaces source) {
        this.own = own;
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Process instances: the node's own namespace ({@code own}, an inode number) and the host ports only. */
    public static ServedSockets ownNamespace(long own) {
        return new ServedSockets(own, Optional::empty);
    }

    /** Containers: the node's own namespace (host ports) and its containers' namespaces (container ports). */
    public static ServedSockets withContainers(long own, ContainerNamespaces containers) {
        return new ServedSockets(own, containers);
    }

    /** Namespaces cannot be told apart (no procfs): any namespace, host or container port. */
    public static ServedSockets anyNamespace() {
        return new ServedSockets(UNKNOWN, Optional::empty);
    }

    /** Fetches the containers' namespaces again; keeps the last known set when the source cannot tell. */
    public void refresh() {
        source.get().ifPresent(s -> containers = Set.copyOf(s));
    }

    /** The containers' namespaces as of the last {@link #refresh()}. */
    public Set<Long> containerNamespaces() {
        return containers;
    }

    /** Whether a socket with local port {@code localPort} in namespace {@code namespace} serves {@code port}. */
    public boolean serves(long namespace, int localPort, PortSpec port) {
        if (own == UNKNOWN) {
            return localPort == port.hostPort() || localPort == port.containerPort();
        }
        if (namespace == own) {
            return localPort == port.hostPort();
        }
        return localPort == port.containerPort() && containers.contains(namespace);
    }
}
