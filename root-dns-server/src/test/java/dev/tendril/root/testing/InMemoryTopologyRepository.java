package dev.tendril.root.testing;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Test fake of the topology repository: maps in memory, linear nearest search, rollback by snapshot. */
public final class InMemoryTopologyRepository implements TopologyRepository {
    private TreeMap<String, Long> trees = new TreeMap<>();
    private TreeMap<String, TreeNode> nodes = new TreeMap<>(); // key service + " " + nodeId
    private TreeMap<String, Migration> migrations = new TreeMap<>(); // key service + " " + subnet
    private int depth;
    private int commits;

    /** How many outermost transactions committed (to check batching). */
    public int commits() {
        return commits;
    }

    private static String key(String service, String id) {
        return service + " " + id;
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        if (depth > 0) {
            depth++;
            try {
                return work.get();
            } finally {
                depth--;
            }
        }
        var t = new TreeMap<>(trees);
        var n = new TreeMap<>(nodes);
        var m = new TreeMap<>(migrations);
        depth = 1;
        try {
            T result = work.get();
            commits++;
            return result;
        } catch (RuntimeException | Error e) {
            trees = t;
            nodes = n;
            migrations = m;
            throw e;
        } finally {
            depth = 0;
        }
    }

    @Override
    public boolean createTree(String service, long createdAtMillis) {
        return trees.putIfAbsent(service, createdAtMillis) == null;
    }

    @Override
    public boolean treeExists(String service) {
        return trees.containsKey(service);
    }

    @Override
    public List<String> services() {
        return List.copyOf(trees.keySet());
    }

    @Override
    public Optional<TreeNode> node(String service, String nodeId) {
        return Optional.ofNullable(nodes.get(key(service, nodeId)));
    }

    @Override
    public void saveNode(TreeNode node) {
        nodes.put(key(node.service(), node.nodeId()), node);
    }

    @Override
    public boolean removeNode(String service, String nodeId) {
        return nodes.remove(key(service, nodeId)) != null;
    }

    @Override
    public List<TreeNode> nodes(String service) {
        return nodes.values().stream().filter(n -> n.service().equals(service))
                .sorted(Comparator.comparing(TreeNode::nodeId)).toList();
    }

    @Override
    public List<TreeNode> children(String service, String parentId) {
        return nodes(service).stream().filter(n -> n.parentId().equals(parentId)).toList();
    }

    @Override
    public int childCount(String service, String nodeId) {
        return children(service, nodeId).size();
    }

    @Override
    public Optional<TreeNode> nearestLiveWithRoom(String service, GeoPoint near, int fanOut, Set<String> excluded) {
        List<TreeNode> all = nodes(service);
        Map<String, Integer> counts = new java.util.HashMap<>();
        all.forEach(n -> counts.merge(n.parentId(), 1, Integer::sum));
        return all.stream()
                .filter(n -> n.live() && !excluded.contains(n.nodeId()) && counts.getOrDefault(n.nodeId(), 0) < fanOut)
                .min(Comparator.<TreeNode>comparingDouble(n -> near.distanceKm(n.info().position()))
                        .thenComparing(TreeNode::nodeId));
    }

    @Override
    public void saveMigration(Migration m) {
        migrations.put(key(m.service(), m.clients().toString()), m);
    }

    @Override
    public boolean removeMigration(String service, Cidr clients) {
        return migrations.remove(key(service, clients.toString())) != null;
    }

    @Override
    public List<Migration> migrations(String service) {
        return migrations.values().stream().filter(m -> service.isEmpty() || m.service().equals(service)).toList();
    }

    @Override
    public List<Migration> removeMigrationsTargeting(String service, String nodeId) {
        List<Migration> gone = new ArrayList<>();
        for (var it = migrations.values().iterator(); it.hasNext(); ) {
            Migration m = it.next();
            if (m.service().equals(service) && m.targetNodeId().equals(nodeId)) {
                gone.add(m);
                it.remove();
            }
        }
        return gone;
    }

    @Override
    public List<Migration> removeExpiredMigrations(long nowMillis) {
        List<Migration> gone = new ArrayList<>();
        for (var it = migrations.values().iterator(); it.hasNext(); ) {
            Migration m = it.next();
            if (m.expiresAtMillis() <= nowMillis) {
                gone.add(m);
                it.remove();
            }
        }
        return gone;
    }

    @Override
    public void close() {
    }

    /** Everything, for tests that compare stores. */
    public Map<String, TreeNode> snapshotNodes() {
        return Map.copyOf(nodes);
    }
}
