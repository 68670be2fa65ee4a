package dev.tendril.root.domain;

import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.net.Cidr;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The in-memory instance directory: for every service an immutable {@link ServiceView}
 * (a spatial index of its instances plus a prefix trie of its migration records), published
 * in a {@link ConcurrentHashMap}. Readers (DNS threads) take no lock and see either the view
 * before or after a change, never half of one. Writers are serialised by a private lock and
 * pay O(sqrt n) per instance change (see {@link ServiceInstances}) and O(prefix length) per
 * migration change. {@link #batch} applies many changes with one publication, which is how
 * a large state (e.g. 100,000 instances at start) should be loaded.
 *
 * <p>Expired migration records are ignored by queries at once and purged lazily on later
 * writes (or by {@link #purgeExpired()}).
 */
public final class SpatialInstanceDirectory implements InstanceDirectory {
    /** A platform address as served under {@code <nodeId>.nodes.<zone>}. */
    public record NodeAddress(String nodeId, InetAddress address) {
    }

    private record Expiry(long atMillis, String service, Cidr clients) {
    }

    private record NodeEntry(NodeAddress address, Set<String> services) {
    }

    private final Clock clock;
    private final Executor rebuilds;
    private final Set<String> rebuilding = new HashSet<>(); // services with a rebuild in flight (under writeLock)
    private final ConcurrentHashMap<String, ServiceView> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, NodeEntry> nodes = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> Long.compare(a.atMillis, b.atMillis));
    private volatile long version; // written under writeLock, after the views it counts are published

    /**
     * Rebuilds large spatial indexes on one daemon thread of its own, off the write path.
     *
     * @param clock used only to purge expired migration records lazily
     */
    public SpatialInstanceDirectory(Clock clock) {
        this(clock, IndexRebuilder.shared());
    }

    /**
     * @param clock    used only to purge expired migration records lazily
     * @param rebuilds runs the rebuilds of large spatial indexes (see {@link ServiceInstances});
     *                 {@code Runnable::run} rebuilds on the writer's thread
     */
    public SpatialInstanceDirectory(Clock clock, Executor rebuilds) {
        this.clock = clock;
        this.rebuilds = rebuilds;
    }

    // ---- query side (lock-free) ----

    /** The current view of a service with at least one instance, or empty. */
    public Optional<ServiceView> service(String service) {
        ServiceView v = services.get(service);
        return v == null || v.instances().size() == 0 ? Optional.empty() : Optional.of(v);
    }

    /** The address of a platform that hosts at least one service instance, or empty. */
    public Optional<NodeAddress> node(String nodeId) {
        NodeEntry e = nodes.get(nodeId);
        return e == null ? Optional.empty() : Optional.of(e.address());
    }

    /**
     * Grows with every published change (instances, migration records, a rebuilt index),
     * after the change is visible: an answer resolved after reading version v from views
     * no older than v, so a cache of answers keyed on the version never serves a stale one.
     */
    public long version() {
        return version;
    }

    /** Names of the services that have at least one instance. */
    public Set<String> serviceNames() {
        Set<String> out = new HashSet<>();
        services.forEach((k, v) -> {
            if (v.instances().size() > 0) {
                out.add(k);
            }
        });
        return out;
    }

    // ---- write side ----

    @Override
    public void putInstance(String service, NodeInfo node, boolean live) {
        batch(d -> d.putInstance(service, node, live));
    }

    @Override
    public void setLive(String service, String nodeId, boolean live) {
        batch(d -> d.setLive(service, nodeId, live));
    }

    @Override
    public void removeInstance(String service, String nodeId) {
        batch(d -> d.removeInstance(service, nodeId));
    }

    @Override
    public void putMigration(String service, Cidr clients, String targetNodeId, long expiresAtMillis) {
        batch(d -> d.putMigration(service, clients, targetNodeId, expiresAtMillis));
    }

    @Override
    public void removeMigration(String service, Cidr clients) {
        batch(d -> d.removeMigration(service, clients));
    }

    /**
     * Applies every change that {@code changes} makes to the directory it is given, then
     * publishes each touched service once. Readers see none of the changes until then.
     */
    @Override
    public void batch(Consumer<InstanceDirectory> changes) {
        synchronized (writeLock) {
            Pending pending = new Pending();
            changes.accept(pending);
            purgeDue(pending, clock.millis());
            pending.commit();
            version++;
        }
    }

    /** Drops migration records that have expired; returns how many. */
    public int purgeExpired() {
        synchronized (writeLock) {
            Pending pending = new Pending();
            int n = purgeDue(pending, clock.millis());
            pending.commit();
            version++;
            return n;
        }
    }

    private int purgeDue(Pending pending, long now) {
        int purged = 0;
        while (!expiries.isEmpty() && expiries.peek().atMillis() <= now) {
            Expiry e = expiries.poll();
            MigrationEntry m = pending.migrations(e.service()).get(e.clients());
            if (m != null && m.expiresAtMillis() == e.atMillis()) {
                pending.removeMigration(e.service(), e.clients());
                purged++;
            }
        }
        return purged;
    }

    /** Changes collected under the write lock, overlaid on the published views. */
    private final class Pending implements InstanceDirectory {
        private final Map<String, Map<String, Instance>> instanceChanges = new LinkedHashMap<>();
        private final Map<String, MigrationTable> migrationChanges = new HashMap<>();

        private Instance current(String service, String nodeId) {
            Map<String, Instance> changes = instanceChanges.get(service);
            if (changes != null && changes.containsKey(nodeId)) {
                return changes.get(nodeId);
            }
            ServiceView v = services.get(service);
            return v == null ? null : v.instances().get(nodeId);
        }

        MigrationTable migrations(String service) {
            MigrationTable t = migrationChanges.get(service);
            if (t != null) {
                return t;
            }
            ServiceView v = services.get(service);
            return v == null ? MigrationTable.EMPTY : v.migrations();
        }

        private void change(String service, String nodeId, Instance now) {
            instanceChanges.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(nodeId, now);
        }

        @Override
        public void putInstance(String service, NodeInfo node, boolean live) {
            change(service, node.nodeId(), Instance.of(node, live));
        }

        @Override
        public void setLive(String service, String nodeId, boolean live) {
            Instance i = current(service, nodeId);
            if (i != null && i.live() != live) {
                change(service, nodeId, i.withLive(live));
            }
        }

        @Override
        public void removeInstance(String service, String nodeId) {
            if (current(service, nodeId) != null) {
                change(service, nodeId, null);
            }
        }

        @Override
        public void putMigration(String service, Cidr clients, String targetNodeId, long expiresAtMillis) {
            migrationChanges.put(service, migrations(service).put(new MigrationEntry(clients, targetNodeId, expiresAtMillis)));
            expiries.add(new Expiry(expiresAtMillis, service, clients));
        }

        @Override
        public void removeMigration(String service, Cidr clients) {
            if (migrations(service).get(clients) != null) {
                migrationChanges.put(service, migrations(service).remove(clients));
            }
        }

        void commit() {
            Set<String> touched = new HashSet<>(instanceChanges.keySet());
            touched.addAll(migrationChanges.keySet());
            for (String service : touched) {
                ServiceView old = services.get(service);
                ServiceInstances oldInstances = old == null ? ServiceInstances.EMPTY : old.instances();
                Map<String, Instance> changes = instanceChanges.getOrDefault(service, Map.of());
                ServiceInstances instances = changes.isEmpty() ? oldInstances : oldInstances.with(changes);
                MigrationTable migrations = migrations(service);
                if (instances.size() == 0 && (oldInstances.size() > 0 || migrations.isEmpty())) {
                    services.remove(service); // the last instance left: the service is gone, with its records
                } else {
                    services.put(service, new ServiceView(service, instances, migrations));
                    rebuildIfDue(service, instances);
                }
                changes.forEach((nodeId, now) -> updateNode(service, nodeId, now));
            }
        }

        private void updateNode(String service, String nodeId, Instance now) {
            NodeEntry e = nodes.get(nodeId);
            Set<String> hosted = new HashSet<>(e == null ? Set.of() : e.services());
            if (now == null) {
                hosted.remove(service);
            } else {
                hosted.add(service);
            }
            if (hosted.isEmpty()) {
                nodes.remove(nodeId);
            } else {
                NodeAddress address = now != null ? new NodeAddress(nodeId, now.address()) : e.address();
                nodes.put(nodeId, new NodeEntry(address, Set.copyOf(hosted)));
            }
        }
    }

    /**
     * Starts a rebuild of a large index whose overlay has outgrown its threshold (under
     * writeLock). The rebuild runs without the lock on the immutable snapshot; publishing it
     * takes the lock again and carries over the changes made meanwhile, so neither writers nor
     * readers wait for the O(n log n) build.
     */
    private void rebuildIfDue(String service, ServiceInstances snapshot) {
        if (!snapshot.needsRebuild() || !rebuilding.add(service)) {
            return;
        }
        try {
            rebuilds.execute(() -> {
                ServiceInstances fresh = null;
                try {
                    fresh = snapshot.rebuilt();
                } finally {
                    publishRebuilt(service, snapshot, fresh);
                }
            });
        } catch (RuntimeException e) { // rejected: the next write tries again; the overlay cap bounds queries
            rebuilding.remove(service);
        }
    }

    private void publishRebuilt(String service, ServiceInstances base, ServiceInstances fresh) {
        synchronized (writeLock) {
            rebuilding.remove(service);
            ServiceView current = services.get(service);
            if (fresh == null || current == null) {
                return;
            }
            ServiceInstances carried = current.instances().rebasedOnto(base, fresh);
            if (carried != null) {
                services.put(service, new ServiceView(service, carried, current.migrations()));
                version++;
                rebuildIfDue(service, carried);
            }
        }
    }

    /** MigrationEntry records of a service (expired ones included until purged); for listings and tests. */
    public List<MigrationEntry> migrations(String service) {
        ServiceView v = services.get(service);
        return v == null ? List.of() : v.migrations().all();
    }
}
