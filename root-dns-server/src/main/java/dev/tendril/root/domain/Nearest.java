package dev.tendril.root.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the k nearest instances offered to it, ordered by distance, ties broken by node
 * id so that answers are deterministic. Not thread-safe: one per query.
 */
final class Nearest {
    private final int k;
    private final double[] dist;
    private final Instance[] items;
    private int size;

    Nearest(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.dist = new double[k];
        this.items = new Instance[k];
    }

    /** The squared distance an instance must beat (or tie) to enter; infinity until full. */
    double bound() {
        return size < k ? Double.POSITIVE_INFINITY : dist[k - 1];
    }

    void offer(Instance instance, double d2) {
        if (size == k && !before(d2, instance, dist[k - 1], items[k - 1])) {
            return;
        }
        int i = size < k ? size++ : k - 1;
        while (i > 0 && before(d2, instance, dist[i - 1], items[i - 1])) {
            dist[i] = dist[i - 1];
            items[i] = items[i - 1];
            i--;
        }
        dist[i] = d2;
        items[i] = instance;
    }

    private static boolean before(double d, Instance a, double dOther, Instance other) {
        return d < dOther || (d == dOther && a.nodeId().compareTo(other.nodeId()) < 0);
    }

    List<Instance> toList() {
        List<Instance> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(items[i]);
        }
        return out;
    }
}
