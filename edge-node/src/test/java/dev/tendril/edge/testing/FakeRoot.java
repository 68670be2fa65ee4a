package dev.tendril.edge.testing;

import dev.tendril.edge.overlay.RootControl;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A root control endpoint in memory: parents are the nearest live other node of the tree. */
public final class FakeRoot implements RootControl {
    public record Entry(NodeInfo node, String parentId, boolean live) {
    }

    public final Map<String, Map<String, Entry>> trees = new LinkedHashMap<>();
    /** The enrolled keys, answered to KeysQuery as the real root does (unchanged for the current digest). */
    public final java.util.List<RootMessage.EnrolledKey> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    public volatile boolean unreachable;

    @Override
    public synchronized Optional<Message> call(String service, RootMessage request) {
        if (unreachable) {
            return Optional.empty();
        }
        if (request instanceof RootMessage.TreeQuery q) {
            java.util.List<RootMessage.TreeNodeView> views = new java.util.ArrayList<>();
            trees.forEach((svc, t) -> t.values().forEach(e -> views.add(
                    new RootMessage.TreeNodeView(svc, e.node(), e.parentId(), e.live(), 0))));
            return Optional.of(new RootMessage.TreeListing(views));
        }
        if (request instanceof RootMessage.KeysQuery q) {
            RootMessage.KeyListing listing = RootMessage.KeyListing.withDigest(keys);
            return Optional.of(listing.digest().equals(q.knownDigest()) ? new RootMessage.KeysUnchanged(listing.digest()) : listing);
        }
        Map<String, Entry> tree = trees.get(service);
        if (request instanceof RootMessage.HostedSetQuery h) {
            return Optional.of(new RootMessage.HostedSet(h.service(), tree == null ? java.util.List.of()
                    : java.util.List.copyOf(tree.keySet())));
        }
        if (request instanceof RootMessage.MembershipQuery q) {
            return Optional.of(membership(tree, q));
        }
        if (request instanceof RootMessage.CreateTree c) {
            if (tree != null && !tree.isEmpty()) {
                return Optional.of(new RootMessage.ErrorReply("CONFLICT", "tree exists"));
            }
            trees.put(service, new LinkedHashMap<>(Map.of(c.node().nodeId(), new Entry(c.node(), "", true))));
            return Optional.of(new RootMessage.Registered(service, c.node().nodeId(), Optional.empty()));
        }
        if (tree == null) {
            return Optional.of(new RootMessage.ErrorReply("NOT_FOUND", "no tree " + service));
        }
        if (request instanceof RootMessage.RegisterNode r) {
            Entry known = tree.get(r.node().nodeId());
            if (known != null && known.live()) {
                Entry parent = known.parentId().isEmpty() ? null : tree.get(known.parentId());
                if (known.parentId().isEmpty() || (parent != null && parent.live())) {
                    // like the real root: a live node under a live parent (or the top) keeps its place
                    return Optional.of(new RootMessage.Registered(service, known.node().nodeId(),
                            Optional.ofNullable(parent).map(Entry::node)));
                }
            }
            return Optional.of(assign(tree, service, r.node()));
        }
        if (request instanceof RootMessage.OrphanReport o) {
            Entry dead = tree.get(o.deadParentId());
            if (dead != null) {
                tree.put(dead.node().nodeId(), new Entry(dead.node(), dead.parentId(), false));
            }
            Entry me = tree.get(o.nodeId());
            if (me == null) {
                return Optional.of(new RootMessage.ErrorReply("NOT_FOUND", "unknown node"));
            }
            return Optional.of(assign(tree, service, me.node()));
        }
        if (request instanceof RootMessage.NodeState s) {
            Entry e = tree.get(s.nodeId());
            if (e == null) {
                return Optional.of(new RootMessage.ErrorReply("NOT_FOUND", "unknown node")); // as the real root
            }
            tree.put(s.nodeId(), new Entry(e.node(), e.parentId(), s.live()));
            return Optional.of(new RootMessage.Ack());
        }
        if (request instanceof RootMessage.SignOff s) {
            tree.remove(s.nodeId());
            return Optional.of(new RootMessage.Ack());
        }
        if (request instanceof RootMessage.ConditionalSignOff s) {
            int live = (int) tree.values().stream().filter(Entry::live).count();
            Entry me = tree.get(s.nodeId());
            int without = me != null && me.live() ? live - 1 : live;
            if (me != null && without < s.minInstances()) {
                return Optional.of(new RootMessage.SignOffDecision(service, s.nodeId(), false, live, s.minInstances()));
            }
            tree.remove(s.nodeId());
            return Optional.of(new RootMessage.SignOffDecision(service, s.nodeId(), true, without, s.minInstances()));
        }
        return Optional.of(new RootMessage.ErrorReply("UNSUPPORTED", request.type().toString()));
    }

    /** As the real root: unknown service, no members; likely parents are the nearest live nodes (this fake has no fan-out). */
    private static Message membership(Map<String, Entry> tree, RootMessage.MembershipQuery q) {
        Entry e = tree == null ? null : tree.get(q.nodeId());
        java.util.List<String> nearest = tree == null || q.near().isEmpty() ? java.util.List.of() : tree.values().stream()
                .filter(Entry::live)
                .sorted(Comparator.comparingDouble((Entry n) -> n.node().position().distanceKm(q.near().get()))
                        .thenComparing(n -> n.node().nodeId()))
                .limit(q.nearest()).map(n -> n.node().nodeId()).toList();
        return new RootMessage.Membership(q.service(), q.nodeId(), e != null, e != null && e.live(), nearest);
    }

    private Message assign(Map<String, Entry> tree, String service, NodeInfo node) {
        java.util.Set<String> subtree = subtree(tree, node.nodeId());
        Optional<Entry> parent = tree.values().stream()
                .filter(e -> e.live() && !subtree.contains(e.node().nodeId()))
                .min(Comparator.comparingDouble(e -> e.node().position().distanceKm(node.position())));
        tree.put(node.nodeId(), new Entry(node, parent.map(p -> p.node().nodeId()).orElse(""), true));
        return new RootMessage.Registered(service, node.nodeId(), parent.map(Entry::node));
    }

    /** The node and every node below it (never a valid new parent: that would make a cycle). */
    private static java.util.Set<String> subtree(Map<String, Entry> tree, String nodeId) {
        java.util.Set<String> out = new java.util.HashSet<>(java.util.Set.of(nodeId));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Entry e : tree.values()) {
                if (out.contains(e.parentId()) && out.add(e.node().nodeId())) {
                    grew = true;
                }
            }
        }
        return out;
    }

    public synchronized Entry entry(String service, String nodeId) {
        Map<String, Entry> tree = trees.get(service);
        return tree == null ? null : tree.get(nodeId);
    }

    /** Serves this fake over ZeroMQ on {@code endpoint} (tcp://127.0.0.1:0 for a free port), like the real root. */
    public dev.tendril.protocol.transport.RequestServer serve(String endpoint) {
        return dev.tendril.protocol.transport.RequestServer.start(
                dev.tendril.protocol.transport.ServerOptions.of(endpoint, "fake-root"),
                req -> call(req.service(), (RootMessage) req.body()).orElseThrow(), java.time.Clock.systemUTC());
    }
}
