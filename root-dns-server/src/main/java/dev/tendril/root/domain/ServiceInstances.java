package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.ServicePort;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of one service's instances, built for nearest-instance queries.
 *
 * <p>Most instances sit in a {@link SphereTree}. A change does not rebuild the tree: the
 * changed instance's slot is marked stale (a copied bit set) and its new state goes into a
 * small overlay of extras that every query scans. When the overlay grows past about
 * {@code 32 + sqrt(n)} entries the snapshot {@link #needsRebuild() wants a rebuild}: small
 * ones (up to {@value #SYNC_REBUILD_MAX} instances) are rebuilt at once by {@link #with};
 * larger ones are left to the owner, which rebuilds a snapshot off the write path
 * ({@link #rebuilt()}) and then carries the changes made meanwhile over to it
 * ({@link #rebasedOnto}). Only when the overlay passes {@value #HARD_FACTOR} times the
 * threshold (a bulk load, or a rebuild that cannot keep up) does {@link #with} rebuild
 * synchronously, so queries stay O(log n + sqrt n) and a write costs O(sqrt n + n/64).
 */
public final class ServiceInstances {
    /** Snapshots up to this size are rebuilt on the write path (a few milliseconds at most). */
    static final int SYNC_REBUILD_MAX = 4096;
    /** Overlay size, in multiples of the rebuild threshold, at which a write rebuilds regardless. */
    static final int HARD_FACTOR = 4;

    static final ServiceInstances EMPTY = new ServiceInstances(SphereTree.EMPTY, null, Map.of(), new Instance[0], 0, 0, 0, Map.of());

    private final SphereTree tree;
    private final long[] stale;
    private final int staleCount;
    private final Map<String, Instance> extrasById;
    private final Instance[] extras;
    private final int size;
    private final int liveCount;
    private final Map<String, Integer> portKeys;

    private ServiceInstances(SphereTree tree, long[] stale, Map<String, Instance> extrasById, Instance[] extras,
                             int staleCount, int size, int liveCount, Map<String, Integer> portKeys) {
        this.tree = tree;
        this.stale = stale;
        this.extrasById = extrasById;
        this.extras = extras;
        this.staleCount = staleCount;
        this.size = size;
        this.liveCount = liveCount;
        this.portKeys = portKeys;
    }

    /** Number of instances (live or not). */
    public int size() {
        return size;
    }

    public int liveCount() {
        return liveCount;
    }

    /** The current state of an instance, or null. */
    public Instance get(String nodeId) {
        Instance e = extrasById.get(nodeId);
        if (e != null) {
            return e;
        }
        int slot = tree.slotOf(nodeId);
        return slot >= 0 && !isStale(slot) ? tree.at(slot) : null;
    }

    public boolean isLive(String nodeId) {
        Instance i = get(nodeId);
        return i != null && i.live();
    }

    /** True when some instance publishes the port {@code _<name>._<protocol>}. */
    public boolean hasPort(String name, String protocol) {
        return portKeys.containsKey(portKey(name, protocol));
    }

    /** True when some instance publishes a port of this protocol ({@code _<protocol>} exists). */
    public boolean hasProtocol(String protocol) {
        String suffix = "/" + protocol;
        for (String key : portKeys.keySet()) {
            if (key.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The {@code k} instances nearest to {@code position} by great-circle distance, nearest
     * first (ties by node id); only live ones when {@code liveOnly}.
     */
    public List<Instance> nearest(GeoPoint position, int k, boolean liveOnly) {
        if (size == 0 || (liveOnly && liveCount == 0)) {
            return List.of();
        }
        double[] q = Instance.unitVector(position);
        Nearest acc = new Nearest(k);
        tree.search(q[0], q[1], q[2], acc, stale, liveOnly);
        for (Instance e : extras) {
            if (!liveOnly || e.live()) {
                double d2 = e.chord2(q[0], q[1], q[2]);
                if (d2 <= acc.bound()) {
                    acc.offer(e, d2);
                }
            }
        }
        return acc.toList();
    }

    /** Every instance (for listings and tests; O(n)). */
    public List<Instance> all() {
        List<Instance> out = new ArrayList<>(size);
        for (int s = 0; s < tree.size(); s++) {
            if (!isStale(s)) {
                out.add(tree.at(s));
            }
        }
        Collections.addAll(out, extras);
        return out;
    }

    private boolean isStale(int slot) {
        return stale != null && (stale[slot >>> 6] & (1L << slot)) != 0;
    }

    /**
     * A new snapshot with the changes applied: node id to its new state, or to null for a
     * removal. Changes for unknown ids that map to null are ignored.
     */
    ServiceInstances with(Map<String, Instance> changes) {
        int newSize = size;
        int newLive = liveCount;
        Map<String, Integer> newPorts = new HashMap<>(portKeys);
        for (Map.Entry<String, Instance> c : changes.entrySet()) {
            Instance old = get(c.getKey());
            Instance now = c.getValue();
            if (old != null) {
                newSize--;
                newLive -= old.live() ? 1 : 0;
                countPorts(newPorts, old, -1);
            }
            if (now != null) {
                newSize++;
                newLive += now.live() ? 1 : 0;
                countPorts(newPorts, now, +1);
            }
        }
        Map<String, Integer> ports = Map.copyOf(newPorts);
        Map<String, Instance> newExtras = new HashMap<>(extrasById);
        long[] newStale = stale;
        int newStaleCount = staleCount;
        for (Map.Entry<String, Instance> c : changes.entrySet()) {
            String id = c.getKey();
            int slot = tree.slotOf(id);
            if (slot >= 0 && !isStale(slot)) {
                if (newStale == stale) {
                    newStale = stale == null ? new long[(tree.size() + 63) >>> 6] : stale.clone();
                }
                newStale[slot >>> 6] |= 1L << slot;
                newStaleCount++;
            }
            if (c.getValue() == null) {
                newExtras.remove(id);
            } else {
                newExtras.put(id, c.getValue());
            }
        }
        int overlay = newExtras.size() + newStaleCount;
        double threshold = threshold(newSize);
        if (overlay > threshold && (newSize <= SYNC_REBUILD_MAX || overlay > HARD_FACTOR * threshold)) {
            return rebuilt(newStale, newExtras, newSize, newLive, ports);
        }
        return new ServiceInstances(tree, newStale, Map.copyOf(newExtras), newExtras.values().toArray(new Instance[0]),
                newStaleCount, newSize, newLive, ports);
    }

    private static double threshold(int n) {
        return 32 + Math.sqrt(n);
    }

    /** True when the overlay has grown past its threshold and the tree should be rebuilt ({@link #rebuilt()}). */
    public boolean needsRebuild() {
        return extras.length + staleCount > threshold(size);
    }

    /** The same instances with every one in a fresh tree and an empty overlay; O(n log n), pure. */
    public ServiceInstances rebuilt() {
        return stale == null && extras.length == 0 ? this : rebuilt(stale, extrasById, size, liveCount, portKeys);
    }

    /**
     * Carries the changes that lead from {@code base} to this snapshot over to {@code rebuiltBase}
     * ({@code base.rebuilt()}): the result holds the same instances as this one, on the fresh
     * tree. Null when this snapshot does not descend from {@code base} by overlay changes (its
     * tree was rebuilt meanwhile): the rebuilt base is then of no use. O(n/64 + overlay).
     */
    public ServiceInstances rebasedOnto(ServiceInstances base, ServiceInstances rebuiltBase) {
        if (base.tree != tree) {
            return null;
        }
        Map<String, Instance> changes = new HashMap<>();
        for (String id : extrasById.keySet()) {
            diff(base, id, changes);
        }
        for (String id : base.extrasById.keySet()) {
            diff(base, id, changes);
        }
        if (stale != null) {
            for (int w = 0; w < stale.length; w++) {
                long bits = stale[w] & ~(base.stale == null ? 0 : base.stale[w]);
                while (bits != 0) {
                    int slot = (w << 6) + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    diff(base, tree.at(slot).nodeId(), changes);
                }
            }
        }
        return changes.isEmpty() ? rebuiltBase : rebuiltBase.with(changes);
    }

    private void diff(ServiceInstances base, String id, Map<String, Instance> changes) {
        Instance now = get(id);
        if (now != base.get(id)) {
            changes.put(id, now);
        }
    }

    private ServiceInstances rebuilt(long[] newStale, Map<String, Instance> newExtras, int newSize, int newLive,
                                     Map<String, Integer> ports) {
        List<Instance> all = new ArrayList<>(newSize);
        for (int s = 0; s < tree.size(); s++) {
            if (newStale == null || (newStale[s >>> 6] & (1L << s)) == 0) {
                all.add(tree.at(s));
            }
        }
        all.addAll(newExtras.values());
        return new ServiceInstances(SphereTree.build(all), null, Map.of(), new Instance[0], 0, newSize, newLive, ports);
    }

    private static void countPorts(Map<String, Integer> counts, Instance instance, int delta) {
        for (ServicePort p : instance.node().ports()) {
            counts.merge(portKey(p.name(), p.protocol()), delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private static String portKey(String name, String protocol) {
        return name + "/" + protocol;
    }
}
