package dev.tendril.root.application;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.Migration;
import dev.tendril.root.domain.TreeNode;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** A repository that forwards every call; tests override what they want to break or watch. */
class ForwardingRepository implements TopologyRepository {
    private final TopologyRepository d;

    ForwardingRepository(TopologyRepository delegate) {
        this.d = delegate;
    }

    public <T> T inTransaction(Supplier<T> work) { return d.inTransaction(work); }
    public boolean createTree(String s, long t) { return d.createTree(s, t); }
    public boolean treeExists(String s) { return d.treeExists(s); }
    public List<String> services() { return d.services(); }
    public Optional<TreeNode> node(String s, String n) { return d.node(s, n); }
    public void saveNode(TreeNode n) { d.saveNode(n); }
    public boolean removeNode(String s, String n) { return d.removeNode(s, n); }
    public List<TreeNode> nodes(String s) { return d.nodes(s); }
    public List<TreeNode> children(String s, String p) { return d.children(s, p); }
    public int childCount(String s, String n) { return d.childCount(s, n); }
    public Optional<TreeNode> nearestLiveWithRoom(String s, GeoPoint p, int f, Set<String> e) { return d.nearestLiveWithRoom(s, p, f, e); }
    public void saveMigration(Migration m) { d.saveMigration(m); }
    public boolean removeMigration(String s, Cidr c) { return d.removeMigration(s, c); }
    public List<Migration> migrations(String s) { return d.migrations(s); }
    public List<Migration> removeMigrationsTargeting(String s, String n) { return d.removeMigrationsTargeting(s, n); }
    public List<Migration> removeExpiredMigrations(long now) { return d.removeExpiredMigrations(now); }
    public void close() { d.close(); }
}
