package dev.tendril.root.application;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.InstanceDirectory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Holds the directory changes of a transaction until it has committed: the use cases write
 * here, and {@link #flushTo} applies the changes in order once the repository is durable
 * (or {@link #discard} drops them when it rolled back). So DNS never answers something the
 * repository could still lose. Confined to the writer thread.
 */
public final class DeferredDirectory implements InstanceDirectory {
    private final List<Consumer<InstanceDirectory>> pending = new ArrayList<>();

    @Override
    public void putInstance(String service, NodeInfo node, boolean live) {
        pending.add(d -> d.putInstance(service, node, live));
    }

    @Override
    public void setLive(String service, String nodeId, boolean live) {
        pending.add(d -> d.setLive(service, nodeId, live));
    }

    @Override
    public void removeInstance(String service, String nodeId) {
        pending.add(d -> d.removeInstance(service, nodeId));
    }

    @Override
    public void putMigration(String service, Cidr clients, String targetNodeId, long expiresAtMillis) {
        pending.add(d -> d.putMigration(service, clients, targetNodeId, expiresAtMillis));
    }

    @Override
    public void removeMigration(String service, Cidr clients) {
        pending.add(d -> d.removeMigration(service, clients));
    }

    public int pendingChanges() {
        return pending.size();
    }

    public void flushTo(InstanceDirectory target) {
        for (Consumer<InstanceDirectory> change : pending) {
            change.accept(target);
        }
        pending.clear();
    }

    public void discard() {
        pending.clear();
    }
}
