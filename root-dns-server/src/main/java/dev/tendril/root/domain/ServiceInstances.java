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
 * {@code 32 + sqrt(n)} entries the next change rebuilds the tree, so a write costs
 * O(sqrt n) amortised plus O(n/64) for the bit set copy, and a query costs O(log n + sqrt n).
 */
public final class ServiceInstances {
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
                acc.offer(e, e.chord2(q[0], q[1], q[2]));
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
        if (newExtras.size() + newStaleCount > 32 + Math.sqrt(newSize)) {
            return rebuilt(newStale, newExtras, newSize, newLive, ports);
        }
        return new ServiceInstances(tree, newStale, Map.copyOf(newExtras), newExtras.values().toArray(new Instance[0]),
                newStaleCount, newSize, newLive, ports);
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
