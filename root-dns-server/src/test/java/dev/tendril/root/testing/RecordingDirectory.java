package dev.tendril.root.testing;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.InstanceDirectory;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Test fake of the DNS side's directory: plain maps, and a count of writes. */
public final class RecordingDirectory implements InstanceDirectory {
    public record Instance(NodeInfo node, boolean live) {
    }

    public record Redirect(String target, long expiresAtMillis) {
    }

    private final Map<String, Map<String, Instance>> instances = new TreeMap<>();
    private final Map<String, Map<String, Redirect>> migrations = new TreeMap<>();
    private final AtomicInteger writes = new AtomicInteger();

    @Override
    public synchronized void putInstance(String service, NodeInfo node, boolean live) {
        writes.incrementAndGet();
        instances.computeIfAbsent(service, s -> new TreeMap<>()).put(node.nodeId(), new Instance(node, live));
    }

    @Override
    public synchronized void setLive(String service, String nodeId, boolean live) {
        writes.incrementAndGet();
        Map<String, Instance> m = instances.get(service);
        if (m != null && m.containsKey(nodeId)) {
            m.put(nodeId, new Instance(m.get(nodeId).node(), live));
        }
    }

    @Override
    public synchronized void removeInstance(String service, String nodeId) {
        writes.incrementAndGet();
        Map<String, Instance> m = instances.get(service);
        if (m != null) {
            m.remove(nodeId);
            if (m.isEmpty()) {
                instances.remove(service);
            }
        }
    }

    @Override
    public synchronized void putMigration(String service, Cidr clients, String targetNodeId, long expiresAtMillis) {
        writes.incrementAndGet();
        migrations.computeIfAbsent(service, s -> new TreeMap<>()).put(clients.toString(), new Redirect(targetNodeId, expiresAtMillis));
    }

    @Override
    public synchronized void removeMigration(String service, Cidr clients) {
        writes.incrementAndGet();
        Map<String, Redirect> m = migrations.get(service);
        if (m != null) {
            m.remove(clients.toString());
        }
    }

    public synchronized Instance instance(String service, String nodeId) {
        return instances.getOrDefault(service, Map.of()).get(nodeId);
    }

    public synchronized Map<String, Instance> instances(String service) {
        return Map.copyOf(instances.getOrDefault(service, Map.of()));
    }

    public synchronized Redirect migration(String service, String subnet) {
        return migrations.getOrDefault(service, Map.of()).get(Cidr.parse(subnet).toString());
    }

    public synchronized int migrationCount() {
        return migrations.values().stream().mapToInt(Map::size).sum();
    }

    public int writes() {
        return writes.get();
    }
}
