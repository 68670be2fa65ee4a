package dev.tendril.edge.selforg.sim;

import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.application.port.out.RootDirectory;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The root as self-organization sees it, in memory: one tree per service (a joining node
 * gets the nearest node as parent; children of a node that leaves re-attach to the
 * nearest remaining node outside their own subtree), migration records with lifetimes,
 * hosted-set queries (counted) and DNS-like resolution (migration target, else nearest).
 */
public final class SimRoot {
    private record Entry(NodeInfo node, String parentId) {
    }

    private record Migration(String target, Instant created, Instant expires) {
    }

    private final Clock clock;
    private final Map<String, LinkedHashMap<String, Entry>> trees = new HashMap<>();
    private final Map<String, Map<String, Migration>> migrations = new HashMap<>();
    private int hostedSetQueries;
    private final Map<String, TreePosition.Members> listed = new HashMap<>();
    private int migrationsRecorded;

    public SimRoot(Clock clock) {
        this.clock = clock;
    }

    public synchronized void register(String service, NodeInfo node) {
        LinkedHashMap<String, Entry> tree = trees.computeIfAbsent(service, s -> new LinkedHashMap<>());
        String parent = tree.values().stream().filter(e -> !e.node().nodeId().equals(node.nodeId()))
                .min(Comparator.comparingDouble((Entry e) -> e.node().position().distanceKm(node.position()))
                        .thenComparing(e -> e.node().nodeId()))
                .map(e -> e.node().nodeId()).orElse("");
        tree.put(node.nodeId(), new Entry(node, parent));
        List<Consumer<Optional<NodeInfo>>> waiting = watches.remove(service + "/" + node.nodeId());
        if (waiting != null) {
            waiting.forEach(w -> watchScheduler.after(watchDelay, () -> w.accept(Optional.of(node))));
        }
    }

    private final Map<String, List<Consumer<Optional<NodeInfo>>>> watches = new HashMap<>();
    private SimScheduler watchScheduler;
    private Duration watchDelay;

    /**
     * Holds registration watches from now on, as the real root does: each is answered
     * {@code oneWay} after the watched node's next registration (or empty when its hold ends).
     * Without this call the root holds none (the port's default: nothing is ever answered).
     */
    public synchronized void answerWatches(SimScheduler scheduler, Duration oneWay) {
        this.watchScheduler = scheduler;
        this.watchDelay = oneWay;
    }

    /** The node leaves the tree (sign-off, or death noticed); its children re-attach. */
    public synchronized void remove(String service, String nodeId) {
        LinkedHashMap<String, Entry> tree = trees.getOrDefault(service, new LinkedHashMap<>());
        Entry gone = tree.remove(nodeId);
        if (gone == null) {
            return;
        }
        for (Entry child : List.copyOf(tree.values())) {
            if (child.parentId().equals(nodeId)) {
                Set<String> subtree = subtree(tree, child.node().nodeId());
                String parent = tree.values().stream().filter(e -> !subtree.contains(e.node().nodeId()))
                        .min(Comparator.comparingDouble((Entry e) -> e.node().position().distanceKm(child.node().position()))
                                .thenComparing(e -> e.node().nodeId()))
                        .map(e -> e.node().nodeId()).orElse("");
                tree.put(child.node().nodeId(), new Entry(child.node(), parent));
            }
        }
    }

    /**
     * The root's conditional sign-off: the node leaves only if at least {@code min} instances
     * remain without it, checked and applied in one step (as the real root's writer does).
     */
    public synchronized ReplicaHost.Termination leaveIfAtLeast(String service, String nodeId, int min) {
        Set<String> hosts = hosts(service);
        if (!hosts.contains(nodeId)) {
            return new ReplicaHost.Granted(hosts.size());
        }
        if (hosts.size() - 1 < min) {
            return new ReplicaHost.Refused(hosts.size());
        }
        remove(service, nodeId);
        return new ReplicaHost.Granted(hosts.size() - 1);
    }

    private static Set<String> subtree(Map<String, Entry> tree, String top) {
        Set<String> out = new HashSet<>();
        out.add(top);
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

    /** Answer {@code client} with {@code nodeId} (as a stale migration would). */
    public synchronized void pin(String service, String client, String nodeId) {
        migrations.computeIfAbsent(service, s -> new HashMap<>()).put(client, new Migration(nodeId, clock.instant(), Instant.MAX));
    }

    /** What DNS would answer: a live migration target, else the nearest instance, or "" when there is none. */
    public synchronized String resolve(String service, String client, GeoPoint position) {
        Map<String, Entry> tree = trees.getOrDefault(service, new LinkedHashMap<>());
        Migration m = migrations.getOrDefault(service, Map.of()).get(client);
        if (m != null && m.expires().isAfter(clock.instant()) && tree.containsKey(m.target())) {
            return m.target();
        }
        return tree.values().stream()
                .min(Comparator.comparingDouble((Entry e) -> e.node().position().distanceKm(position)).thenComparing(e -> e.node().nodeId()))
                .map(e -> e.node().nodeId()).orElse("");
    }

    public synchronized Set<String> hosts(String service) {
        return new TreeSet<>(trees.getOrDefault(service, new LinkedHashMap<>()).keySet());
    }

    public synchronized Optional<String> parentOf(String service, String nodeId) {
        Entry e = trees.getOrDefault(service, new LinkedHashMap<>()).get(nodeId);
        return e == null || e.parentId().isEmpty() ? Optional.empty() : Optional.of(e.parentId());
    }

    /**
     * Every node now holds the hosting platforms of {@code service} as a members round of its
     * overlay would have listed them (a snapshot: later changes are not in it).
     */
    public synchronized void listMembers(String service) {
        listed.put(service, new TreePosition.Members(hosts(service), clock.instant()));
    }

    public synchronized int hostedSetQueries() {
        return hostedSetQueries;
    }

    public synchronized int migrationsRecorded() {
        return migrationsRecorded;
    }

    /** The root endpoint as one node's adapter would reach it. */
    public RootDirectory directory() {
        return new RootDirectory() {
            @Override
            public boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime) {
                synchronized (SimRoot.this) {
                    migrationsRecorded++;
                    Map<String, Migration> byClient = migrations.computeIfAbsent(service, s -> new HashMap<>());
                    for (String c : clients) {
                        byClient.put(c, new Migration(targetNodeId, clock.instant(), clock.instant().plus(lifetime)));
                    }
                    return true;
                }
            }

            @Override
            public Optional<Set<String>> hostedSet(String service) {
                synchronized (SimRoot.this) {
                    hostedSetQueries++;
                    return Optional.of(hosts(service));
                }
            }

            @Override
            public void watchRegistration(String service, String nodeId, Duration hold, Consumer<Optional<NodeInfo>> seen) {
                synchronized (SimRoot.this) {
                    if (watchScheduler == null) {
                        return;
                    }
                    String key = service + "/" + nodeId;
                    watches.computeIfAbsent(key, k -> new ArrayList<>()).add(seen);
                    watchScheduler.after(hold, () -> {
                        synchronized (SimRoot.this) {
                            List<Consumer<Optional<NodeInfo>>> w = watches.get(key);
                            if (w == null || !w.remove(seen)) {
                                return;
                            }
                        }
                        seen.accept(Optional.empty());
                    });
                }
            }

            @Override
            public Optional<List<Redirect>> redirects(String service) {
                synchronized (SimRoot.this) {
                    Instant now = clock.instant();
                    List<Redirect> out = new ArrayList<>();
                    migrations.getOrDefault(service, Map.of()).forEach((client, m) -> {
                        if (m.expires().isAfter(now)) {
                            out.add(new Redirect(client, m.target(), m.created()));
                        }
                    });
                    return Optional.of(out);
                }
            }

        };
    }

    /** A node's place in the trees, as its overlay membership would know it. */
    public TreePosition positionOf(String nodeId) {
        return new TreePosition() {
            @Override
            public Optional<NodeInfo> self(String service) {
                synchronized (SimRoot.this) {
                    Entry e = trees.getOrDefault(service, new LinkedHashMap<>()).get(nodeId);
                    return Optional.ofNullable(e).map(Entry::node);
                }
            }

            @Override
            public Optional<NodeInfo> parent(String service) {
                synchronized (SimRoot.this) {
                    Map<String, Entry> tree = trees.getOrDefault(service, new LinkedHashMap<>());
                    Entry e = tree.get(nodeId);
                    return e == null ? Optional.empty() : Optional.ofNullable(tree.get(e.parentId())).map(Entry::node);
                }
            }

            /** Only what {@link #listMembers} snapshotted: the simulation runs no members rounds of its own. */
            @Override
            public Optional<Members> recentMembers(String service) {
                synchronized (SimRoot.this) {
                    return Optional.ofNullable(listed.get(service));
                }
            }

            @Override
            public List<NodeInfo> children(String service) {
                synchronized (SimRoot.this) {
                    List<NodeInfo> out = new ArrayList<>();
                    for (Entry e : trees.getOrDefault(service, new LinkedHashMap<>()).values()) {
                        if (e.parentId().equals(nodeId)) {
                            out.add(e.node());
                        }
                    }
                    return out;
                }
            }
        };
    }
}
