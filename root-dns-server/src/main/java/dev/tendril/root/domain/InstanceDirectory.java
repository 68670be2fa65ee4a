package dev.tendril.root.domain;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;

/**
 * The in-memory view of every service's instances and migration records that the DNS
 * query path reads. The control use cases write it only after the change is durable in
 * the topology repository, and the root fills it from the repository at start.
 *
 * <p>Writes may come from one control thread; reads come from many DNS threads at once and
 * must take no global lock and do no I/O (the implementation publishes immutable snapshots
 * or uses concurrent structures). Service names are global: the same service is answered
 * under every zone the root serves. Node ids are platform ids, unique across services.
 *
 * <p>This interface is the write side; the query side lives on the implementation.
 */
public interface InstanceDirectory {
    /** Adds or replaces the instance {@code node.nodeId()} of {@code service}. */
    void putInstance(String service, NodeInfo node, boolean live);

    /** Marks an instance live or down; DNS answers only live instances. No-op when unknown. */
    void setLive(String service, String nodeId, boolean live);

    /** Removes an instance (signed off). No-op when unknown. Removes the service when it was the last. */
    void removeInstance(String service, String nodeId);

    /** Clients in {@code clients} are answered with {@code targetNodeId} until {@code expiresAtMillis}. Replaces a record for the same subnet. */
    void putMigration(String service, Cidr clients, String targetNodeId, long expiresAtMillis);

    /** Drops the migration record for exactly this subnet. No-op when unknown. */
    void removeMigration(String service, Cidr clients);

    /**
     * Applies the changes {@code changes} makes to the directory it is given as one step:
     * an implementation may publish them together (readers see all or none). By default the
     * changes are applied one by one to this directory.
     */
    default void batch(java.util.function.Consumer<InstanceDirectory> changes) {
        changes.accept(this);
    }
}
