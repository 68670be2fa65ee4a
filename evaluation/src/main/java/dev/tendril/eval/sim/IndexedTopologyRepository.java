package dev.tendril.eval.sim;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The root's topology repository for simulations: in memory, with a children index and a
 * 1°×1° bucket index for the nearest-with-room search (ring by ring outwards, stopping once no
 * unvisited ring can hold a nearer node), so registering 100,000 nodes costs what the
 * SpatiaLite adapter's R*Tree search costs, not a scan per registration. Not durable and no
 * rollback: {@link #inTransaction} just runs the work (the simulated root never fails mid-way).
 */
public final class IndexedTopologyRepository implements TopologyRepository {
    private static final double KM_PER_DEGREE = 111.19;

    private final class Tree {
        final Map<String, TreeNode> nodes = new HashMap<>();
        final Map<String, TreeMap<String, TreeNode>> children = new HashMap<>();
        final Map<Long, List<TreeNode>> buckets = new HashMap<>();
    }

    private final Map<String, Tree> trees = new TreeMap<>();
    private final Map<String, TreeMap<String, Migration>> migrations = new HashMap<>();

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return work.get();
    }

    @Override
    public boolean createTree(String service, long createdAtMillis) {
        if (trees.containsKey(service)) {
            return false;
        }
        trees.put(service, new Tree());
        return true;
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
        Tree t = trees.get(service);
        return t == null ? Optional.empty() : Optional.ofNullable(t.nodes.get(nodeId));
    }

    private static int latCell(double lat) {
        return (int) Math.floor(lat + 90);
    }

    private static int lonCell(double lon) {
        return Math.floorMod((int) Math.floor(lon + 180), 360);
    }

    private static long bucket(int latCell, int lonCell) {
        return (long) latCell * 1000 + lonCell;
    }

    private static long bucketOf(GeoPoint p) {
        return bucket(latCell(p.latitude()), lonCell(p.longitude()));
    }

    @Override
    public void saveNode(TreeNode node) {
        Tree t = trees.computeIfAbsent(node.service(), s -> new Tree());
        TreeNode old = t.nodes.put(node.nodeId(), node);
        if (old != null) {
            t.buckets.get(bucketOf(old.info().position())).remove(old);
            TreeMap<String, TreeNode> siblings = t.children.get(old.parentId());
            if (siblings != null) {
                siblings.remove(old.nodeId());
            }
        }
        t.buckets.computeIfAbsent(bucketOf(node.info().position()), b -> new ArrayList<>()).add(node);
        t.children.computeIfAbsent(node.parentId(), p -> new TreeMap<>()).put(node.nodeId(), node);
    }

    @Override
    public boolean removeNode(String service, String nodeId) {
        Tree t = trees.get(service);
        TreeNode old = t == null ? null : t.nodes.remove(nodeId);
        if (old == null) {
            return false;
        }
        t.buckets.get(bucketOf(old.info().position())).remove(old);
        TreeMap<String, TreeNode> siblings = t.children.get(old.parentId());
        if (siblings != null) {
            siblings.remove(nodeId);
        }
        return true;
    }

    // The quota checks of the control use cases ask these on every write: answered from the
    // indexes (the interface's defaults copy and sort whole trees, quadratic at 100,000 nodes).

    @Override
    public int nodeCount(String service) {
        Tree t = trees.get(service);
        return t == null ? 0 : t.nodes.size();
    }

    @Override
    public int treesOf(String nodeId) {
        int n = 0;
        for (Tree t : trees.values()) {
            if (t.nodes.containsKey(nodeId)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public int migrationCount(String service) {
        if (service.isEmpty()) {
            return migrations.values().stream().mapToInt(Map::size).sum();
        }
        TreeMap<String, Migration> m = migrations.get(service);
        return m == null ? 0 : m.size();
    }

    @Override
    public boolean hasMigration(String service, Cidr clients) {
        TreeMap<String, Migration> m = migrations.get(service);
        return m != null && m.containsKey(clients.toString());
    }

    @Override
    public List<TreeNode> nodes(String service) {
        Tree t = trees.get(service);
        if (t == null) {
            return List.of();
        }
        List<TreeNode> all = new ArrayList<>(t.nodes.values());
        all.sort((a, b) -> a.nodeId().compareTo(b.nodeId()));
        return all;
    }

    /** The node count of a tree without copying it. */
    public int size(String service) {
        Tree t = trees.get(service);
        return t == null ? 0 : t.nodes.size();
    }

    @Override
    public List<TreeNode> children(String service, String parentId) {
        Tree t = trees.get(service);
        TreeMap<String, TreeNode> c = t == null ? null : t.children.get(parentId);
        return c == null ? List.of() : List.copyOf(c.values());
    }

    @Override
    public int childCount(String service, String nodeId) {
        Tree t = trees.get(service);
        TreeMap<String, TreeNode> c = t == null ? null : t.children.get(nodeId);
        return c == null ? 0 : c.size();
    }

    @Override
    public Optional<TreeNode> nearestLiveWithRoom(String service, GeoPoint near, int fanOut, Set<String> excluded) {
        Tree t = trees.get(service);
        if (t == null || t.nodes.isEmpty()) {
            return Optional.empty();
        }
        int lat0 = latCell(near.latitude());
        int lon0 = lonCell(near.longitude());
        TreeNode best = null;
        double bestKm = Double.MAX_VALUE;
        for (int ring = 0; ring <= 360; ring++) {
            // every cell outside rings 0..ring-1 is at least (ring - 1) degrees of latitude or
            // of longitude away; a degree of longitude shrinks with cos(latitude)
            double minLat = Math.min(89.9, Math.abs(near.latitude()) + ring);
            double boundKm = Math.max(0, ring - 1) * KM_PER_DEGREE * Math.cos(Math.toRadians(minLat));
            if (best != null && boundKm > bestKm) {
                break;
            }
            for (int dLat = -ring; dLat <= ring; dLat++) {
                int la = lat0 + dLat;
                if (la < 0 || la >= 180) {
                    continue;
                }
                boolean edgeRow = Math.abs(dLat) == ring;
                for (int dLon = -ring; dLon <= ring; dLon += edgeRow ? 1 : 2 * Math.max(ring, 1)) {
                    if (ring > 180 && Math.abs(dLon) > 180) {
                        continue;
                    }
                    List<TreeNode> cell = t.buckets.get(bucket(la, Math.floorMod(lon0 + dLon, 360)));
                    if (cell == null) {
                        continue;
                    }
                    for (TreeNode n : cell) {
                        if (!n.live() || excluded.contains(n.nodeId()) || childCount(service, n.nodeId()) >= fanOut) {
                            continue;
                        }
                        double km = near.distanceKm(n.info().position());
                        if (km < bestKm || (km == bestKm && n.nodeId().compareTo(best.nodeId()) < 0)) {
                            best = n;
                            bestKm = km;
                        }
                    }
                    if (ring == 0) {
                        break;
                    }
                }
            }
            if (best == null && ring > 180) {
                break;
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public void saveMigration(Migration m) {
        migrations.computeIfAbsent(m.service(), s -> new TreeMap<>()).put(m.clients().toString(), m);
    }

    @Override
    public boolean removeMigration(String service, Cidr clients) {
        TreeMap<String, Migration> m = migrations.get(service);
        return m != null && m.remove(clients.toString()) != null;
    }

    @Override
    public List<Migration> migrations(String service) {
        List<Migration> out = new ArrayList<>();
        for (var e : new TreeMap<>(migrations).entrySet()) {
            if (service.isEmpty() || e.getKey().equals(service)) {
                out.addAll(e.getValue().values());
            }
        }
        return out;
    }

    @Override
    public List<Migration> removeMigrationsTargeting(String service, String nodeId) {
        TreeMap<String, Migration> m = migrations.getOrDefault(service, new TreeMap<>());
        List<Migration> gone = new ArrayList<>();
        m.values().removeIf(x -> {
            boolean hit = x.targetNodeId().equals(nodeId);
            if (hit) {
                gone.add(x);
            }
            return hit;
        });
        return gone;
    }

    @Override
    public List<Migration> removeExpiredMigrations(long nowMillis) {
        List<Migration> gone = new ArrayList<>();
        for (TreeMap<String, Migration> m : migrations.values()) {
            m.values().removeIf(x -> {
                boolean hit = x.expiresAtMillis() <= nowMillis;
                if (hit) {
                    gone.add(x);
                }
                return hit;
            });
        }
        return Collections.unmodifiableList(gone);
    }

    @Override
    public void close() {
    }
}
