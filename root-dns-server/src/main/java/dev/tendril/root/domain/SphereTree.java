package dev.tendril.root.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable k-d tree over the unit vectors of instances (3D points on the unit sphere).
 * Nearest-neighbour search by chord distance is exact great-circle ranking. The tree is
 * implicit: slot {@code mid} of a range [lo, hi) is the split point, [lo, mid) lies on the
 * low side of its axis and (mid, hi) on the high side. Built in O(n log n) by quickselect.
 */
final class SphereTree {
    static final SphereTree EMPTY = build(java.util.List.of());

    private final Instance[] items;
    private final double[] xyz;
    private final byte[] axis;
    private final boolean[] live;
    private final Map<String, Integer> slotOf;

    private SphereTree(Instance[] items, double[] xyz, byte[] axis, Map<String, Integer> slotOf) {
        this.items = items;
        this.xyz = xyz;
        this.axis = axis;
        this.slotOf = slotOf;
        this.live = new boolean[items.length];
        for (int i = 0; i < items.length; i++) {
            live[i] = items[i].live();
        }
    }

    static SphereTree build(Collection<Instance> instances) {
        Instance[] items = instances.toArray(new Instance[0]);
        int n = items.length;
        double[] xyz = new double[3 * n];
        for (int i = 0; i < n; i++) {
            xyz[3 * i] = items[i].x();
            xyz[3 * i + 1] = items[i].y();
            xyz[3 * i + 2] = items[i].z();
        }
        byte[] axis = new byte[n];
        buildRange(items, xyz, axis, 0, n);
        Map<String, Integer> slotOf = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
        for (int i = 0; i < n; i++) {
            slotOf.put(items[i].nodeId(), i);
        }
        return new SphereTree(items, xyz, axis, slotOf);
    }

    private static void buildRange(Instance[] items, double[] xyz, byte[] axis, int lo, int hi) {
        while (hi - lo > 1) {
            int ax = widestAxis(xyz, lo, hi);
            int mid = (lo + hi) >>> 1;
            select(items, xyz, lo, hi - 1, mid, ax);
            axis[mid] = (byte) ax;
            buildRange(items, xyz, axis, lo, mid);
            lo = mid + 1;
        }
    }

    private static int widestAxis(double[] xyz, int lo, int hi) {
        double[] min = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i = lo; i < hi; i++) {
            for (int a = 0; a < 3; a++) {
                double v = xyz[3 * i + a];
                min[a] = Math.min(min[a], v);
                max[a] = Math.max(max[a], v);
            }
        }
        int best = 0;
        for (int a = 1; a < 3; a++) {
            if (max[a] - min[a] > max[best] - min[best]) {
                best = a;
            }
        }
        return best;
    }

    /** Hoare quickselect: afterwards slot k holds the k-th smallest along ax within [left, right]. */
    private static void select(Instance[] items, double[] xyz, int left, int right, int k, int ax) {
        while (right > left) {
            double pivot = xyz[3 * ((left + right) >>> 1) + ax];
            int i = left;
            int j = right;
            while (i <= j) {
                while (xyz[3 * i + ax] < pivot) {
                    i++;
                }
                while (xyz[3 * j + ax] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(items, xyz, i++, j--);
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return;
            }
        }
    }

    private static void swap(Instance[] items, double[] xyz, int a, int b) {
        Instance t = items[a];
        items[a] = items[b];
        items[b] = t;
        for (int c = 0; c < 3; c++) {
            double v = xyz[3 * a + c];
            xyz[3 * a + c] = xyz[3 * b + c];
            xyz[3 * b + c] = v;
        }
    }

    int size() {
        return items.length;
    }

    Instance at(int slot) {
        return items[slot];
    }

    /** The slot of a node id, or -1. */
    int slotOf(String nodeId) {
        Integer s = slotOf.get(nodeId);
        return s == null ? -1 : s;
    }

    /**
     * Offers every instance that may be among the nearest to (qx, qy, qz) to {@code acc},
     * skipping slots set in {@code stale} (may be null) and, when {@code liveOnly}, instances
     * that are not live.
     */
    void search(double qx, double qy, double qz, Nearest acc, long[] stale, boolean liveOnly) {
        if (items.length > 0) {
            search(0, items.length, qx, qy, qz, acc, stale, liveOnly);
        }
    }

    // Distances come from the packed xyz array and liveness from a flag array: an instance
    // object is touched only when it may enter the result (fewer cache misses at 100k).
    private void search(int lo, int hi, double qx, double qy, double qz, Nearest acc, long[] stale, boolean liveOnly) {
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            int b = 3 * mid;
            double dx = xyz[b] - qx;
            double dy = xyz[b + 1] - qy;
            double dz = xyz[b + 2] - qz;
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 <= acc.bound() && (!liveOnly || live[mid])
                    && (stale == null || (stale[mid >>> 6] & (1L << mid)) == 0)) {
                acc.offer(items[mid], d2);
            }
            if (hi - lo == 1) {
                return;
            }
            int ax = axis[mid];
            double diff = (ax == 0 ? qx : ax == 1 ? qy : qz) - xyz[b + ax];
            int nearLo = diff < 0 ? lo : mid + 1;
            int nearHi = diff < 0 ? mid : hi;
            int farLo = diff < 0 ? mid + 1 : lo;
            int farHi = diff < 0 ? hi : mid;
            search(nearLo, nearHi, qx, qy, qz, acc, stale, liveOnly);
            if (diff * diff > acc.bound()) {
                return;
            }
            lo = farLo;
            hi = farHi;
        }
    }
}
